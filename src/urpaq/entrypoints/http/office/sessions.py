"""Signed-in staff: a random token in an HttpOnly cookie (path `/office`) names a session
kept in the serving store — only the token's digest is stored — with the anti-forgery
value every form of the session carries.  Sessions last `STAFF_SESSION_LASTS` from
sign-in, end on sign-out, and are known to every server process."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from urpaq.domain.staff import StaffMember
from urpaq.services.ports.staff import PendingSignIn, StaffPort, StaffSession

STAFF_COOKIE = "urpaq_staff"
#: Binds a sign-in through the identity provider to the browser that began it.
SIGN_IN_COOKIE = "urpaq_staff_sign_in"
#: The anti-forgery value of the development sign-in form, before any session exists.
FORM_COOKIE = "urpaq_office_form"
OFFICE_PATH = "/office"
STAFF_SESSION_LASTS = dt.timedelta(minutes=30)
SIGN_IN_LASTS = dt.timedelta(minutes=10)
#: The name of the anti-forgery field in every form.
FORM_FIELD = "form_token"


@dataclass(frozen=True)
class StaffSessions:
    """Each method reads or writes the serving store: call it from a worker thread."""

    staff: Callable[[], StaffPort]
    lasts: dt.timedelta = STAFF_SESSION_LASTS

    def open(self, member: StaffMember, *, now: dt.datetime) -> str:
        token = secrets.token_urlsafe(32)
        session = StaffSession(member, secrets.token_urlsafe(32), now + self.lasts)
        self.staff().open_staff_session(token_digest=digest(token), session=session, now=now)
        return token

    def find(self, token: str | None, *, now: dt.datetime) -> StaffSession | None:
        if not token:
            return None
        return self.staff().staff_session(token_digest=digest(token), now=now)

    def close(self, token: str | None) -> None:
        if token:
            self.staff().close_staff_session(token_digest=digest(token))

    def remember_sign_in(self, state: str, pending: PendingSignIn, *, now: dt.datetime) -> None:
        self.staff().save_sign_in(
            state_digest=digest(state), pending=pending, expires_at=now + SIGN_IN_LASTS
        )

    def take_sign_in(self, state: str, *, now: dt.datetime) -> PendingSignIn | None:
        return self.staff().take_sign_in(state_digest=digest(state), now=now)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same(given: str | None, expected: str) -> bool:
    """Whether a form's anti-forgery value is the expected one (in constant time; as
    bytes, which any text is: `compare_digest` refuses text outside ASCII with a
    TypeError, and a form token of `é` answered 500)."""
    return bool(given) and secrets.compare_digest(str(given).encode(), expected.encode())

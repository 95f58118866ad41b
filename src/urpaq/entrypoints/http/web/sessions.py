"""Signed-in people: a random token in an HttpOnly cookie names a session kept in the
serving store (only the token's digest is stored), so every server process knows it and
a restart signs nobody out."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from urpaq.domain.iin import Iin
from urpaq.services.ports.serving import ServingPort

SESSION_COOKIE = "urpaq_session"
CHALLENGE_COOKIE = "urpaq_challenge"
SESSION_LASTS = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Sessions:
    """Each method reads or writes the serving store: call it from a worker thread."""

    serving: Callable[[], ServingPort]
    lasts: dt.timedelta = SESSION_LASTS

    def open(self, iin: Iin, *, now: dt.datetime) -> str:
        token = secrets.token_urlsafe(32)
        self.serving().open_session(
            token_digest=_digest(token), iin=iin.value, expires_at=now + self.lasts
        )
        return token

    def holder(self, token: str | None, *, now: dt.datetime) -> Iin | None:
        if not token:
            return None
        found = self.serving().session_holder(token_digest=_digest(token), now=now)
        return None if found is None else Iin.parse(found)

    def close(self, token: str | None) -> None:
        if token:
            self.serving().close_session(token_digest=_digest(token))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()

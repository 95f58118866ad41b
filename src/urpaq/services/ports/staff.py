"""Where the back office keeps its staff sessions and pending sign-ins: the serving store,
shared by every server process and never held by a writer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from urpaq.domain.staff import StaffMember


@dataclass(frozen=True, slots=True)
class StaffSession:
    member: StaffMember
    #: The anti-forgery value every form of this session carries.
    form_token: str
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class PendingSignIn:
    """What a sign-in through the identity provider must match when it comes back."""

    code_verifier: str
    nonce: str


class StaffPort(Protocol):
    def open_staff_session(
        self, *, token_digest: str, session: StaffSession, now: dt.datetime
    ) -> None:
        """Keep a new session (only the digest of its cookie's token)."""
        ...

    def staff_session(self, *, token_digest: str, now: dt.datetime) -> StaffSession | None:
        """The session the token's digest names, while it lasts."""
        ...

    def close_staff_session(self, *, token_digest: str) -> None: ...

    def close_sessions_of(self, *, user_name: str, now: dt.datetime) -> int:
        """End every session of one staff member, on every server process (their user
        name compared regardless of case, as `domain.staff.same_person` compares
        actors); how many were still open at `now`."""
        ...

    def save_sign_in(
        self, *, state_digest: str, pending: PendingSignIn, expires_at: dt.datetime
    ) -> None: ...

    def take_sign_in(self, *, state_digest: str, now: dt.datetime) -> PendingSignIn | None:
        """The pending sign-in, once: it is forgotten as it is taken."""
        ...


class SignInFailed(Exception):
    """The identity provider's answer signs nobody in; the message says why (shown to
    the person, never with a token)."""


class StaffIdentityProvider(Protocol):
    """The operator's identity provider, as the back office's sign-in uses it."""

    def begin(self, *, redirect_uri: str) -> tuple[str, str, PendingSignIn]:
        """The provider's authorization URL, the state it will send back, and what the
        sign-in must match when it comes back; `SignInFailed` if the provider cannot be
        reached."""
        ...

    def complete(self, *, code: str, pending: PendingSignIn, redirect_uri: str) -> StaffMember:
        """The staff member the provider vouches for; `SignInFailed` otherwise."""
        ...

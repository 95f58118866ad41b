"""The serving port: what the server processes share while they answer — the audit log,
sessions, sign-in challenges and rate-limit buckets.

Every method writes at once, in a short transaction of its own outside any unit of work,
and never waits for the database's writer: a national import or close holds that writer,
and the answers must not wait for it (on SQLite this state lives in a database file of
its own beside the main one; on PostgreSQL in the schema `serving`, written without the
writers' lock).  An audit event is durable before `record` returns.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Protocol

from urpaq.domain.audit import AuditEvent


@dataclass(frozen=True, slots=True)
class PendingChallenge:
    """A sign-in challenge as kept: whose it is, the digest of its code, and how many
    guesses are left after the one being made."""

    iin: str
    code_digest: str
    attempts_left: int


class ServingPort(Protocol):
    def record(self, event: AuditEvent) -> None:
        """Append one audit event, durably, before the answer it describes leaves."""
        ...

    def record_later(self, event: AuditEvent) -> Future[None]:
        """`record`, returning at once: the future is done when the event is durable
        (for an event loop, which must not wait in a worker thread for it)."""
        ...

    def audit_events(
        self,
        *,
        iin: str | None,
        since: dt.date | None,
        limit: int,
        actor: str | None = None,
        action: str | None = None,
        until: dt.date | None = None,
    ) -> list[AuditEvent]:
        """The latest events, newest first, of the days from `since` to `until` (in
        Kazakhstan, each bound included); `actor` and `action` keep those whose actor or
        action contains that text (letter case aside), before the limit."""
        ...

    def open_session(self, *, token_digest: str, iin: str, expires_at: dt.datetime) -> None: ...

    def session_holder(self, *, token_digest: str, now: dt.datetime) -> str | None:
        """The IIN signed in under the session, while it lasts."""
        ...

    def close_session(self, *, token_digest: str) -> None: ...

    def save_challenge(
        self,
        *,
        challenge_id: str,
        iin: str,
        code_digest: str,
        expires_at: dt.datetime,
        attempts: int,
    ) -> None: ...

    def challenge_of(self, *, challenge_id: str, now: dt.datetime) -> PendingChallenge | None:
        """A live challenge, its guesses used up or not, without counting a guess."""
        ...

    def attempt_challenge(self, *, challenge_id: str, now: dt.datetime) -> PendingChallenge | None:
        """Count one guess against a live challenge and return it; None when there is no
        such challenge, it expired, or its guesses are used up."""
        ...

    def forget_challenge(self, *, challenge_id: str) -> bool:
        """End a challenge; whether this call ended it (of several at once, one does)."""
        ...

    def take_token_later(
        self, *, bucket: str, capacity: int, refill_seconds: float, now: float
    ) -> Future[float]:
        """Take one token from a bucket (`capacity` at once, one more every
        `refill_seconds`; `now` in seconds since the epoch), returning at once: the future
        gives, once the bucket is written, 0 when there was one, otherwise the seconds
        until there is."""
        ...

    def forget_full_buckets(self, *, untouched_since: float) -> Future[None]:
        """Delete the buckets untouched since then (seconds since the epoch), at once
        (the future is done when they are gone): given a moment longer ago than any
        bucket takes to refill, each is full — the same as no bucket."""
        ...

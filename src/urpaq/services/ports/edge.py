"""The edge port: what the HTTP edge keeps between requests — answers to writes under
their idempotency keys, and the audit log of access to personal data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from urpaq.domain.audit import AuditEvent


@dataclass(frozen=True, slots=True)
class KeptAnswer:
    """The answer given to a write, kept under its idempotency key."""

    fingerprint: str  # digest of the request it answered
    status: int  # the HTTP status
    body: str  # the JSON document


class EdgePort(Protocol):
    def kept_answer(self, *, scope: str, key: str) -> KeptAnswer | None: ...

    def keep_answer(
        self, *, scope: str, key: str, answer: KeptAnswer, now: dt.datetime
    ) -> None: ...

    def append_audit_event(self, event: AuditEvent) -> None: ...

    def audit_events(
        self, *, iin: str | None, since: dt.date | None, limit: int
    ) -> list[AuditEvent]:
        """The latest events, newest first."""
        ...

"""The edge port: answers to writes kept under their idempotency keys (written in the
same transaction as the write), and the audit log as it was kept before the serving
store (`ports/serving.py`) held it."""

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
    def lock_key(self, *, scope: str, key: str) -> None:
        """Hold an idempotency key for this transaction: two requests under one key take
        turns, so the second finds the first's answer."""
        ...

    def kept_answer(self, *, scope: str, key: str) -> KeptAnswer | None: ...

    def keep_answer(
        self, *, scope: str, key: str, answer: KeptAnswer, now: dt.datetime
    ) -> None: ...

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
        """The events kept in the main database before the serving store held the audit
        log (`ports/serving.py`), newest first; none are added to it any more."""
        ...

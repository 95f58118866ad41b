"""The edge port in SQL: kept answers to writes, and the audit log kept in the main
database before the serving store held it."""

from __future__ import annotations

import datetime as dt

from urpaq.adapters.sql.connection import SqlConnection
from urpaq.adapters.sql.serving import audit_events_in
from urpaq.domain.audit import AuditEvent
from urpaq.services.ports.edge import KeptAnswer


class SqlEdge:
    def __init__(self, db: SqlConnection) -> None:
        self.db = db

    def kept_answer(self, *, scope: str, key: str) -> KeptAnswer | None:
        row = self.db.execute(
            "SELECT fingerprint, status, body FROM idempotency_record WHERE scope = ? AND key = ?",
            (scope, key),
        ).fetchone()
        return None if row is None else KeptAnswer(row[0], int(row[1]), row[2])

    def keep_answer(self, *, scope: str, key: str, answer: KeptAnswer, now: dt.datetime) -> None:
        self.db.execute(
            "INSERT INTO idempotency_record (scope, key, fingerprint, status, body, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (scope, key, answer.fingerprint, answer.status, answer.body, now.isoformat()),
        )

    def lock_key(self, *, scope: str, key: str) -> None:
        self.db.lock_name(scope, key)

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
        return audit_events_in(
            self.db, "audit_event", iin=iin, since=since, until=until, limit=limit,
            actor=actor, action=action,
        )  # fmt: skip

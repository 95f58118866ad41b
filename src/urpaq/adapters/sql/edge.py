"""The edge port in SQL: kept answers to writes and the audit log."""

from __future__ import annotations

import datetime as dt

from urpaq.adapters.sql.connection import SqlConnection
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

    def append_audit_event(self, event: AuditEvent) -> None:
        self.db.execute(
            "INSERT INTO audit_event (at, actor, action, iin, outcome, request_id)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                event.at.isoformat(), event.actor, event.action, event.iin, event.outcome,
                event.request_id,
            ),
        )  # fmt: skip

    def audit_events(
        self, *, iin: str | None, since: dt.date | None, limit: int
    ) -> list[AuditEvent]:
        conditions, params = [], []
        if iin is not None:
            conditions.append("iin = ?")
            params.append(iin)
        if since is not None:
            conditions.append("at >= ?")
            params.append(since.isoformat())
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        rows = self.db.execute(
            "SELECT at, actor, action, iin, outcome, request_id FROM audit_event"
            f"{where} ORDER BY event_id DESC LIMIT {int(limit)}",
            tuple(params),
        )
        return [
            AuditEvent(dt.datetime.fromisoformat(at), actor, action, person, int(outcome), rid)
            for at, actor, action, person, outcome, rid in rows
        ]

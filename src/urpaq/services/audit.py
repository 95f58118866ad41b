"""Write and read the audit log of access to personal data."""

from __future__ import annotations

import datetime as dt

from urpaq.domain.audit import AuditEvent
from urpaq.services.ports import Store


def record_event(store: Store, event: AuditEvent) -> None:
    """Append one event; it commits on its own, whatever became of the request."""
    with store.transaction():
        store.append_audit_event(event)


def audit_events(
    store: Store, *, iin: str | None = None, since: dt.date | None = None, limit: int = 1000
) -> list[AuditEvent]:
    """The latest events, newest first, optionally about one person or from one day on."""
    return store.audit_events(iin=iin, since=since, limit=limit)

"""Write and read the audit log of access to personal data."""

from __future__ import annotations

import datetime as dt

from urpaq.domain.audit import AuditEvent
from urpaq.services.ports.unit_of_work import UnitOfWork


def record_event(uow: UnitOfWork, event: AuditEvent) -> None:
    """Append one event; it commits on its own, whatever became of the request."""
    with uow:
        uow.edge.append_audit_event(event)
        uow.commit()


def audit_events(
    uow: UnitOfWork, *, iin: str | None = None, since: dt.date | None = None, limit: int = 1000
) -> list[AuditEvent]:
    """The latest events, newest first, optionally about one person or from one day on."""
    return uow.edge.audit_events(iin=iin, since=since, limit=limit)

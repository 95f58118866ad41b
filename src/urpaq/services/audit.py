"""Write and read the audit log of access to personal data."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import Future

from urpaq.domain.audit import AuditEvent
from urpaq.services.ports.unit_of_work import UnitOfWork


def record_event(uow: UnitOfWork, event: AuditEvent) -> None:
    """Append one event, durably, at once: whatever became of the request, and without
    waiting for a writer (the serving store is not the register's or the ledger's)."""
    uow.serving.record(event)


def record_event_later(uow: UnitOfWork, event: AuditEvent) -> Future[None]:
    """`record_event`, returning at once: the future is done when the event is durable."""
    return uow.serving.record_later(event)


def audit_events(
    uow: UnitOfWork,
    *,
    iin: str | None = None,
    since: dt.date | None = None,
    limit: int = 1000,
    actor: str | None = None,
    action: str | None = None,
    until: dt.date | None = None,
) -> list[AuditEvent]:
    """The latest events, newest first, optionally about one person, of the days from
    `since` to `until` (each included), by an actor or of an action whose text contains
    the one given: the serving store's, then those kept in the main database before it
    existed."""
    recent = uow.serving.audit_events(
        iin=iin, since=since, until=until, limit=limit, actor=actor, action=action
    )
    if len(recent) == limit:
        return recent
    return recent + uow.edge.audit_events(
        iin=iin, since=since, until=until, limit=limit - len(recent), actor=actor, action=action
    )

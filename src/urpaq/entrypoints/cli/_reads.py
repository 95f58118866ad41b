"""What every command that shows one person's data does first: take the IIN, and record
the read in the audit log before anything is printed; and the audit event of a command
that changes what moves money without a second person (`urpaq parameters set`)."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import uuid
from collections.abc import Iterable

from urpaq.domain.audit import SHOWN, AuditEvent
from urpaq.domain.iin import Iin, InvalidIin
from urpaq.entrypoints.cli._common import EXIT_FAILURE, fail, refuse
from urpaq.entrypoints.printable import printable
from urpaq.services.audit import record_event, record_event_later
from urpaq.services.ports.unit_of_work import UnitOfWork


def parsed_iin(text: str) -> Iin:
    """The IIN given on the command line; refused (exit 3) with the reason if invalid."""
    try:
        return Iin.parse(text)
    except InvalidIin as error:
        refuse(str(error))


def record_read(
    uow: UnitOfWork, person: Iin | None, *, action: str, shown: Iterable[str] = ()
) -> None:
    """The audit event of a read, like the pages': who (`cli:` and the operating system's
    user), what, about whom (None: many people, as the whole audit log), and one more
    about each other person whose data it shows (`(shown)` after the action); written
    before anything is printed, and nothing is printed if they cannot be."""
    at, actor, request_id = dt.datetime.now(dt.UTC), f"cli:{_os_user()}", uuid.uuid4().hex
    about = None if person is None else person.value
    events = [AuditEvent(at, actor, action, about, 0, request_id)] + [
        AuditEvent(at, actor, f"{action}{SHOWN}", other, 0, request_id)
        for other in dict.fromkeys(shown)
        if other != about
    ]
    try:
        for durable in [record_event_later(uow, event) for event in events]:
            durable.result()
    except Exception as error:  # no read leaves unrecorded
        fail(
            f"the read ({action}) could not be recorded in the audit log: {error}",
            code=EXIT_FAILURE,
        )


def _os_user() -> str:
    try:
        return printable(getpass.getuser())  # LOGNAME may hold anything
    except (OSError, KeyError):  # no name for this user id (a bare container)
        return f"uid {os.getuid()}"


def record_change(uow: UnitOfWork, *, action: str, outcome: int, done: bool = True) -> None:
    """The audit event of a change made from the command line, the administrator's path
    (`cli:` and the operating system's user, as for reads), with its exit code; a change
    that cannot be recorded ends the command with a failure that says so, and whether
    the change was `done` (recorded after it) or not (recorded before it commits, so the
    failure rolls it back)."""
    event = AuditEvent(
        at=dt.datetime.now(dt.UTC), actor=f"cli:{_os_user()}", action=action,
        iin=None, outcome=outcome, request_id=uuid.uuid4().hex,
    )  # fmt: skip
    try:
        record_event(uow, event)
    except Exception as error:
        then = "it was done" if done else "nothing was changed"
        fail(
            f"{action} could not be recorded in the audit log ({then}): {error}",
            code=EXIT_FAILURE,
        )

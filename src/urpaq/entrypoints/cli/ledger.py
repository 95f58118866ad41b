"""Reading the ledger: one person's statement, and the check of every ledger identity."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import uuid
from typing import Annotated

import typer
from rich.table import Table

from urpaq.domain.audit import AuditEvent
from urpaq.domain.iin import Iin, InvalidIin
from urpaq.entrypoints.cli._common import (
    EXIT_FAILURE,
    DbOption,
    JsonOption,
    fail,
    opened,
    out,
    print_json,
    refuse,
)
from urpaq.services.audit import record_event
from urpaq.services.ports.unit_of_work import UnitOfWork
from urpaq.services.reconciliation import reconcile as reconcile_ledger
from urpaq.services.statements import statement_of


def statement(
    iin: Annotated[str, typer.Argument(help="The person's 12-digit IIN.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One person's statement: every cent of TR and target savings (audited)."""
    try:
        person = Iin.parse(iin)
    except InvalidIin as error:
        refuse(str(error))
    with opened(db) as uow:
        result = statement_of(uow, iin=person)
        _record_statement(uow, person)
    if as_json:
        print_json(result.as_json())
        return
    out.print(f"IIN {result.iin}: {result.status}", markup=False)
    if result.participant_since is not None:
        out.print(f"participates since reporting year {result.participant_since}")
    table = Table("year", "entry", "account", "amount, USD")
    for line in result.lines:
        table.add_row(str(line.reporting_year), line.kind, line.account, str(line.amount))
    out.print(table)
    out.print(f"target requirements: {result.target_requirements.grouped()} USD")
    out.print(f"target savings: {result.target_savings.grouped()} USD")


def _record_statement(uow: UnitOfWork, person: Iin) -> None:
    """The audit event of a statement, like the page's: who (`cli:` and the operating
    system's user), what, about whom; written before the statement is printed, and
    nothing is printed if it cannot be."""
    event = AuditEvent(
        at=dt.datetime.now(dt.UTC), actor=f"cli:{_os_user()}", action="statement",
        iin=person.value, outcome=0, request_id=uuid.uuid4().hex,
    )  # fmt: skip
    try:
        record_event(uow, event)
    except Exception as error:  # no statement leaves unrecorded
        fail(f"the statement could not be recorded in the audit log: {error}", code=EXIT_FAILURE)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no name for this user id (a bare container)
        return f"uid {os.getuid()}"


def reconcile(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Check every ledger identity; exit 0 only if all hold."""
    with opened(db) as uow:
        checks = reconcile_ledger(uow)
    holds = all(c.holds for c in checks)
    if as_json:
        print_json({"holds": holds, "checks": [c.as_json() for c in checks]})
    else:
        table = Table("check", "holds", "detail")
        for check in checks:
            table.add_row(check.name, "yes" if check.holds else "[bold red]NO[/]", check.detail)
        out.print(table)
    if not holds:
        raise typer.Exit(EXIT_FAILURE)

"""Reading the ledger: one person's statement, the check of every ledger identity, and
the National Bank's side year by year."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import uuid
from collections.abc import Callable
from typing import Annotated

import typer
from rich.table import Table

from urpaq.domain.audit import AuditEvent
from urpaq.domain.funding import FundingYear, funding_json
from urpaq.domain.iin import Iin, InvalidIin
from urpaq.domain.money import Money
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
from urpaq.services.funding import funding as funding_years
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


def funding(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The National Bank's side per reporting year: accrued, II, transferred to target
    savings, residue and the running balance of its target assets."""
    with opened(db) as uow:
        years = funding_years(uow)
    if as_json:
        print_json(funding_json(years))
        return
    table = Table(title="the National Bank's side: target assets (USD)")
    table.add_column("")
    for year in years:
        table.add_column(str(year.reporting_year), justify="right")
    for name, cell in FUNDING_ROWS:
        table.add_row(name, *(cell(year).grouped() for year in years))
    out.print(table)
    if not years:
        out.print("no reporting year is closed yet")


# The rows of the funding table, one column per reporting year.
FUNDING_ROWS: list[tuple[str, Callable[[FundingYear], Money]]] = [
    ("accrued", lambda y: y.accrued),
    ("investment income", lambda y: y.investment_income),
    ("transferred to TS", lambda y: y.transferred_to_savings),
    ("residue", lambda y: y.residue),
    ("balance", lambda y: y.balance),
]

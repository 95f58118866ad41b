"""Reading the ledger: one person's statement, and the check of every ledger identity."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from urpaq.entrypoints.cli._common import (
    EXIT_FAILURE,
    DbOption,
    JsonOption,
    opened,
    out,
    print_json,
)
from urpaq.entrypoints.cli._reads import parsed_iin, record_read
from urpaq.services.reconciliation import reconcile as reconcile_ledger
from urpaq.services.statements import statement_of


def statement(
    iin: Annotated[str, typer.Argument(help="The person's 12-digit IIN.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One person's statement: every cent of TR and target savings (audited)."""
    person = parsed_iin(iin)
    with opened(db) as uow:
        result = statement_of(uow, iin=person)
        record_read(uow, person, action="statement")
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

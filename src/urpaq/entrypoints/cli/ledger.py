"""Reading the ledger: one person's statement, the check of every ledger identity, and
the National Bank's side year by year."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer
from rich.table import Table

from urpaq.domain.funding import FundingYear, funding_json
from urpaq.domain.ledger import TARGET_REQUIREMENTS, TARGET_SAVINGS
from urpaq.domain.money import Money
from urpaq.domain.statement import Statement
from urpaq.entrypoints.cli._common import (
    EXIT_FAILURE,
    DbOption,
    JsonOption,
    opened,
    out,
    print_json,
    shown,
)
from urpaq.entrypoints.cli._reads import parsed_iin, record_read
from urpaq.entrypoints.http.web.explain import explained
from urpaq.entrypoints.http.web.i18n import text
from urpaq.services.funding import funding as funding_years
from urpaq.services.reconciliation import reconcile as reconcile_ledger
from urpaq.services.statements import statement_of


def statement(
    iin: Annotated[str, typer.Argument(help="The person's 12-digit IIN.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One person's statement: every cent of TR and target savings, each line dated and
    explained, with the running balance of its account (audited)."""
    person = parsed_iin(iin)
    with opened(db) as uow:
        result = statement_of(uow, iin=person)
        record_read(uow, person, action="statement")
    if as_json:
        print_json(statement_json(result))
        return
    out.print(f"IIN {result.iin}: {result.status}", markup=False)
    if result.savings_frozen is not None:
        out.print(text("en", f"frozen_{result.savings_frozen}"), markup=False)
    if result.participant_since is not None:
        tense = "participated" if result.status == "matured" else "participates"
        out.print(f"{tense} since reporting year {result.participant_since}")
    for account, title, balance in (
        (TARGET_REQUIREMENTS, "target requirements", result.target_requirements),
        (TARGET_SAVINGS, "target savings", result.target_savings),
    ):
        lines = [line for line in result.lines if line.account == account]
        table = Table(title=f"{title}: {balance.grouped()} USD", title_justify="left")
        for heading in ("date", "year", "entry and why"):
            table.add_column(heading)
        table.add_column("amount, USD", justify="right")
        table.add_column("balance, USD", justify="right")
        for line in lines:
            table.add_row(
                line.date.isoformat() if line.date else "",
                str(line.reporting_year) if line.of_a_reporting_year else "",
                shown(explained("en", line, plain=True)), line.amount.grouped(),
                line.balance.grouped() if line.balance is not None else "",
            )  # fmt: skip
        if lines:
            out.print(table)
        else:
            out.print(f"{title}: no entries")
    out.print(f"target requirements: {result.target_requirements.grouped()} USD")
    out.print(f"target savings: {result.target_savings.grouped()} USD")


def statement_json(result: Statement) -> dict[str, object]:
    """The statement's JSON, each entry with its explanation in English words."""
    document = result.as_json()
    entries = document["entries"]
    assert isinstance(entries, list)
    for entry, line in zip(entries, result.lines, strict=True):
        entry["explanation"] = explained("en", line, plain=True)
    return document


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
            table.add_row(
                check.name, "yes" if check.holds else "[bold red]NO[/]", shown(check.detail)
            )
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

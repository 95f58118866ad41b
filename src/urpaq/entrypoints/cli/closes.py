"""The annual close of a reporting year, and the table of its published figures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer
from rich.table import Table

from urpaq.domain.close import CloseResult
from urpaq.entrypoints.cli._common import (
    DbOption,
    JsonOption,
    opened,
    out,
    parse_date_option,
    print_json,
    step_progress,
    today,
)
from urpaq.services.closing import close_year


def close(
    year: Annotated[int, typer.Argument(max=9999, help="The reporting year to close.")],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="See register records recorded by this date (default: today)."
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The annual close of a reporting year."""
    as_of_date = parse_date_option("--as-of", as_of) or today()
    with opened(db) as uow, step_progress(f"closing {year}") as step:
        result = close_year(uow, year=year, as_of=as_of_date, today=today(), progress=step)
    if as_json:
        print_json(result.as_json())
    else:
        out.print(close_table([result]))


# The rows of the close table: each published figure and how a close shows it.
CLOSE_ROWS: list[tuple[str, Callable[[CloseResult], str]]] = [
    ("participants", lambda r: f"{r.participants:,}"),
    ("per-child TR", lambda r: str(r.per_child)),
    ("TR total", lambda r: r.tr_total.grouped()),
    ("forfeited", lambda r: r.forfeited.grouped()),
    ("annulled", lambda r: r.annulled.grouped()),
    ("back-accruals", lambda r: r.back_accruals.grouped()),
    ("residue", lambda r: r.residue.grouped()),
    ("investment income", lambda r: r.investment_income.grouped()),
    ("turning 18 next year", lambda r: f"{r.matured:,}"),
    ("target savings credited", lambda r: r.target_savings_credited.grouped()),
]


def close_table(results: list[CloseResult]) -> Table:
    """The published figures of closes, one column per reporting year."""
    table = Table(title="annual close (USD)")
    table.add_column("")
    for result in results:
        table.add_column(str(result.reporting_year), justify="right")
    for name, cell in CLOSE_ROWS:
        table.add_row(name, *(cell(r) for r in results))
    return table

"""The annual close of a reporting year (or its preview), the table of its published
figures and its dates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer
from rich.table import Table

from urpaq.bootstrap import is_working_day
from urpaq.domain.close import CloseResult
from urpaq.entrypoints.cli._common import (
    DbOption,
    JsonOption,
    err,
    opened,
    out,
    parse_date_option,
    print_json,
    step_progress,
    today,
)
from urpaq.services.closing import CloseReport, close_report


def close(
    year: Annotated[int, typer.Argument(max=9999, help="The reporting year to close.")],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="See register records recorded by this date (default: today)."
        ),
    ] = None,
    preview: Annotated[
        bool,
        typer.Option(
            "--preview", help="Compute and check the whole close, print it, write nothing."
        ),
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The annual close of a reporting year."""
    as_of_date = parse_date_option("--as-of", as_of) or today()
    with (
        opened(db) as uow,
        step_progress(f"{'previewing the close of' if preview else 'closing'} {year}") as step,
    ):
        report = close_report(
            uow,
            year=year,
            as_of=as_of_date,
            is_working_day=is_working_day,
            today=today(),
            preview=preview,
            progress=step,
        )
    warn_about_dates(report)
    if preview:
        err.print(f"preview of the close of {year}: nothing was written", highlight=False)
    if as_json:
        print_json(report.as_json())
    else:
        table = close_table([report.result])
        table.add_section()
        for name, cell in CALENDAR_ROWS:
            table.add_row(name, cell(report))
        out.print(table)


def warn_about_dates(report: CloseReport) -> None:
    """Say on stderr when the close is dated after its due date, or sees the register
    before the day after which its snapshot is taken (decisions/0012)."""
    year, calendar = report.result.reporting_year, report.calendar
    if not report.on_time:
        warn(
            f"the close of {year} is dated {report.as_of}, after its due date "
            f"{calendar.due_on} (1 February {year + 1}, or the working day before it)"
        )
    if report.snapshot_too_early:
        warn(
            f"as-of date {report.as_of} is not after {calendar.snapshot_after}: the register "
            f"snapshot of the close of {year} is taken after 20 January {year + 1}"
        )


def warn(message: str) -> None:
    err.print("[bold yellow]warning:[/]", end=" ")
    err.print(message, highlight=False, markup=False, soft_wrap=True)  # a line to search for


# The rows under the close table: the dates of the close.
CALENDAR_ROWS: list[tuple[str, Callable[[CloseReport], str]]] = [
    ("as-of date", lambda r: r.as_of.isoformat()),
    ("due on", lambda r: r.calendar.due_on.isoformat()),
    ("on time", lambda r: "yes" if r.on_time else "no"),
    ("register snapshot after", lambda r: r.calendar.snapshot_after.isoformat()),
]


# The rows of the close table: each published figure and how a close shows it.
CLOSE_ROWS: list[tuple[str, Callable[[CloseResult], str]]] = [
    ("participants", lambda r: f"{r.participants:,}"),
    ("per-child TR", lambda r: r.per_child.grouped()),
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

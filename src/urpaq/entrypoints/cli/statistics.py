"""The published statistics, as the pension fund publishes them: a close's figures by
region, and payouts by purpose and by authorised operator.

Small cells are hidden exactly as on the public page (`domain/disclosure.py`): what the
command prints may be passed on as it is.  `--show-small-cells` shows every figure, for
the operator's own staff; such output is not for publication.
"""

from __future__ import annotations

from typing import Annotated, Literal

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from urpaq.domain.money import CURRENCY, Money
from urpaq.domain.regions import REGIONS
from urpaq.entrypoints.cli._common import (
    DbOption,
    JsonOption,
    opened,
    out,
    parse_date_option,
    print_json,
    refuse,
    shown,
    today,
)
from urpaq.entrypoints.cli._reads import record_read
from urpaq.services.statistics import RegionStatistics, region_statistics
from urpaq.services.statistics_payouts import (
    HEIR_COLUMNS,
    TOTAL_COLUMNS,
    PayoutStatistics,
    payout_statistics,
)
from urpaq.services.statistics_tables import Cell, StatTable

app = typer.Typer(help="The published statistics.", no_args_is_help=True)

SmallCellsOption = Annotated[
    bool,
    typer.Option(
        "--show-small-cells",
        help="Show the figures of fewer than 10 people too (for staff, not for publication).",
    ),
]


@app.command("regions")
def statistics_regions(
    year: Annotated[str, typer.Option("--year", help="The closed reporting year.")],
    db: DbOption = None,
    show_small_cells: SmallCellsOption = False,
    as_json: JsonOption = False,
) -> None:
    """Per region: the participants of the close of a year, the cohort turning 18 at it,
    the per-child TR and the target savings credited there, and who matured late."""
    reporting_year = parse_year_option("--year", year)
    with opened(db) as uow:
        found = region_statistics(uow, year=reporting_year, hide_small_cells=not show_small_cells)
        if show_small_cells:  # a few people's figures: a read of personal data, recorded
            record_read(
                uow, None, action=f"statistics regions {found.reporting_year} --show-small-cells"
            )
    if as_json:
        print_json(regions_json(found))
    else:
        out.print(regions_table(found))
        hidden = _hidden_note(found.small_cells_hidden)
        out.print(f"per-child TR {found.per_child.grouped()} USD; {hidden}")


@app.command("payouts")
def statistics_payouts(
    until: Annotated[
        str | None,
        typer.Option("--until", help="Count payouts up to this day, inclusive (default: today)."),
    ] = None,
    db: DbOption = None,
    show_small_cells: SmallCellsOption = False,
    as_json: JsonOption = False,
) -> None:
    """Cumulative payouts and their amounts by purpose and by authorised operator, gross
    and net of returns; payouts to heirs beside them."""
    now = today()
    day = parse_date_option("--until", until) or now
    if day > now:
        refuse(f"--until {day} is after today ({now}): payouts after today are not known")
    with opened(db) as uow:
        found = payout_statistics(uow, until=day, hide_small_cells=not show_small_cells)
        if show_small_cells:
            record_read(uow, None, action=f"statistics payouts {day} --show-small-cells")
    if as_json:
        print_json(payouts_json(found))
    else:
        for table in payouts_tables(found):
            out.print(table)
        out.print(_hidden_note(found.small_cells_hidden))


def parse_year_option(name: str, text: str) -> int:
    """A year given as one to four digits; else a usage error naming the value."""
    if not (text.isascii() and text.isdigit() and 1 <= len(text) <= 4):
        raise typer.BadParameter(f"{text!r} is not a year (one to four digits)", param_hint=name)
    return int(text)


def regions_json(found: RegionStatistics) -> dict[str, object]:
    """`{"reporting_year", "regions": [{"region", "name", "participants", "turning_18",
    "accrued", "target_savings_credited", "matured_late"}], "total", "per_child",
    "small_cells", "currency"}`; a hidden figure is null, and so is the region of people
    who have none."""
    *rows, total = found.table.records()
    regions = [
        {
            "region": None if row["region"] == "unknown" else row["region"],
            "name": REGIONS.get(str(row["region"])),
            **{column: _json(cell) for column, cell in row.items() if column != "region"},
        }
        for row in rows
    ]
    return {
        "reporting_year": found.reporting_year,
        "regions": regions,
        "total": {column: _json(cell) for column, cell in total.items() if column != "region"},
        "per_child": str(found.per_child),
        "small_cells": "hidden" if found.small_cells_hidden else "shown",
        "currency": CURRENCY,
    }


def payouts_json(found: PayoutStatistics) -> dict[str, object]:
    """`{"until", "purposes": [...], "operators": [...], "total", "heirs", "small_cells",
    "currency"}`; a hidden figure is null."""
    return {
        "until": None if found.until is None else found.until.isoformat(),
        "purposes": [_json_record(row) for row in found.by_purpose.records()],
        "operators": [_json_record(row) for row in found.by_operator.records()],
        "total": _json_record(dict(zip(TOTAL_COLUMNS, found.total, strict=True))),
        "heirs": _json_record(dict(zip(HEIR_COLUMNS, found.heirs, strict=True))),
        "small_cells": "hidden" if found.small_cells_hidden else "shown",
        "currency": CURRENCY,
    }


def regions_table(found: RegionStatistics) -> Table:
    return _table(f"the close of {found.reporting_year} by region (USD)", found.table)


def payouts_tables(found: PayoutStatistics) -> list[Table]:
    until = "every payout" if found.until is None else f"payouts up to {found.until}"
    by_purpose = _table(f"{until}, by purpose (USD)", found.by_purpose)
    payouts, amount, *split = (_text(cell) for cell in found.total)
    by_purpose.add_row("total", payouts, amount, "", *split)
    by_operator = _table(f"{until}, by authorised operator (USD)", found.by_operator)
    by_operator.add_row("total", *(_text(cell) for cell in found.total))
    heirs = Table(title="to heirs (USD)", box=box.SIMPLE_HEAD, pad_edge=False)
    for column in HEIR_COLUMNS:
        heirs.add_column(column.replace("_", " "), justify="right", overflow="fold")
    heirs.add_row(*(_text(cell) for cell in found.heirs))
    return [by_purpose, by_operator, heirs]


def _table(title: str, source: StatTable) -> Table:
    # Eight columns of amounts are wider than a terminal of 80 characters: no lines
    # between them, headings in words, and a cell too wide for its column folded onto a
    # second line, never cut short (`1,234,5…` would be another amount).  The CSV and JSON
    # keep the names.
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)
    for index, column in enumerate(source.columns):
        justify: Literal["left", "right"] = "left" if index == 0 else "right"
        table.add_column(column.replace("_", " "), justify=justify, overflow="fold")
    for row in source.rows:
        table.add_row(*(_text(cell) for cell in row))
    return table


def _hidden_note(hidden: bool) -> str:
    if hidden:
        return "hidden: a figure of fewer than 10 people, or one that would give such a figure away"
    return "small cells shown: not for publication"


def _text(cell: Cell) -> str | Text:
    if cell is None:
        return "hidden"
    if isinstance(cell, Money):
        return cell.grouped()
    if isinstance(cell, int):
        return f"{cell:,}"
    return shown(cell)


def _json(cell: Cell) -> object:
    return str(cell) if isinstance(cell, Money) else cell


def _json_record(record: dict[str, Cell]) -> dict[str, object]:
    return {column: _json(cell) for column, cell in record.items()}

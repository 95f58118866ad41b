"""The statistics page's tables, charts and CSV files, and the cache of the published
figures."""

from __future__ import annotations

import asyncio
import csv
import io
import threading
import weakref
from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from urpaq.domain.money import Money
from urpaq.entrypoints.http.threads import in_thread
from urpaq.entrypoints.http.web import i18n
from urpaq.entrypoints.http.web.charts import bar_chart
from urpaq.entrypoints.http.web.render import money
from urpaq.services.ports.unit_of_work import UnitOfWork
from urpaq.services.statistics import (
    Cell,
    Statistics,
    StatTable,
    participant_statistics,
    region_statistics,
    statistics_version,
)
from urpaq.services.statistics import statistics as build_statistics

#: The tables drawn as a chart besides their table.
CHARTED_TABLES = frozenset({
    "participants_by_age", "participants_by_sex", "participants_by_region",
    "accruals_by_year", "cumulative_accruals", "target_savings_by_year",
    "payouts_by_purpose", "payouts_by_operator",
})  # fmt: skip


class StatisticsCache:
    """The published statistics, rebuilt only when a close or any ledger entry has
    changed them (the participants' counts themselves are kept in the database).  The
    table by region is of the last close unless another closed year is asked for; a
    close's figures by region are fixed by the close, so its table is kept until the
    closes change."""

    def __init__(self) -> None:
        self._key: tuple[object, ...] | None = None
        self._statistics: Statistics | None = None
        self._regions: dict[int, StatTable] = {}
        self._regions_closes: tuple[int, ...] = ()
        self._lock = threading.Lock()
        #: Visitors take turns in the event loop (one per server process's loop).
        self._turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    async def answer(self, uow: Callable[[], UnitOfWork], *, year: int | None) -> Statistics:
        """`get` in a worker thread, one visitor at a time: the others wait in the event
        loop, holding no thread.  The first visitor after a close counts the participants
        (seconds for a national register) and keeps the counts, which waits for the
        writer if an import holds it; visitors waiting in threads meanwhile would take
        every thread the lookups answer with."""
        turn = self._turns.setdefault(asyncio.get_running_loop(), asyncio.Lock())
        async with turn:
            return await in_thread(lambda: self.get(uow(), year=year))

    def get(self, uow: UnitOfWork, *, year: int | None = None) -> Statistics:
        """The statistics, with the table by region of `year` (default: the last close);
        raises `StatisticsRefused` for a year not closed."""
        key = statistics_version(uow)
        with self._lock:
            if key != self._key or self._statistics is None:
                closes = uow.closes.closed_years()
                closed = tuple(record.closed.year for record in closes)
                if closed != self._regions_closes:
                    self._regions, self._regions_closes = {}, closed
                regions = self._region_table(uow, closes[-1].closed.year) if closes else None
                participants = participant_statistics(uow)
                self._statistics = build_statistics(uow, participants=participants, regions=regions)
                self._key = key
            if year is None or year == self._statistics.last_closed_year:
                return self._statistics
            return self._statistics.with_table(self._region_table(uow, year))

    def _region_table(self, uow: UnitOfWork, year: int) -> StatTable:
        if year not in self._regions:
            self._regions[year] = region_statistics(uow, year=year).table
        return self._regions[year]


def sections(language: str, found: Statistics) -> list[dict[str, Any]]:
    """Every table of the page, in `language`, each with its chart if it has one."""
    return [section(language, table, chart=table.name in CHARTED_TABLES) for table in found.tables]


def _header(language: str, table: str, column: str) -> str:
    """A column's heading: the table's own words for it where it has them (an amount
    where another table counts under the same name), else the column's."""
    own = f"col_{table}_{column}"
    return i18n.text(language, own if own in i18n.MESSAGES else f"col_{column}")


def section(language: str, table: StatTable, *, chart: bool) -> dict[str, Any]:
    """One table as the page shows it: title, headers, cells as text, and a chart."""
    title = i18n.text(language, f"table_{table.name}", **_year_of(table))
    headers = [_header(language, table.name, column) for column in table.columns]
    rows = [
        [
            _cell_text(language, column, cell)
            for column, cell in zip(table.columns, row, strict=True)
        ]
        for row in table.rows
    ]
    drawn: Markup | None = None
    bars = [
        (
            _cell_text(language, table.columns[table.label_column], row[table.label_column]),
            _bar_value(row[table.value_column]),
            _cell_text(language, table.columns[table.value_column], row[table.value_column]),
        )
        for row in table.rows
        if row[table.label_column] != "total"
    ]
    if chart and bars:
        drawn = bar_chart(
            chart_id=f"chart-{table.name}",
            title=i18n.text(language, "chart_of", title=title),
            description=f"{headers[table.value_column]} / {headers[table.label_column]}",
            bars=bars,
        )
    textual = ("region", "sex", "purpose", "operator")
    return {
        "name": table.name,
        "title": title,
        "headers": headers,
        "rows": rows,
        "chart": drawn,
        "numeric": [column not in textual for column in table.columns],
        "year": table.year,
    }


def csv_of(table: StatTable) -> str:
    """The table as published: amounts with two decimals, hidden cells as `suppressed`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["suppressed" if cell is None else str(cell) for cell in row])
    return out.getvalue()


def _year_of(table: StatTable) -> dict[str, object]:
    """The year a table's title names, for a table of one close."""
    return {} if table.year is None else {"year": table.year}


def _cell_text(language: str, column: str, cell: Cell) -> str:
    if cell is None:
        return i18n.text(language, "suppressed")
    if isinstance(cell, Money):
        return money(cell, language)
    if isinstance(cell, int):
        return str(cell) if column in ("year", "age") else f"{cell:,}".replace(",", "\u202f")
    if column == "region" and cell.startswith("KZ-"):
        return i18n.region_name(language, cell)
    if f"value_{cell}" in i18n.MESSAGES:
        return i18n.text(language, f"value_{cell}")
    return cell


def _bar_value(cell: Cell) -> int | None:
    if isinstance(cell, Money):
        return cell.cents
    if isinstance(cell, int):
        return cell
    return None

"""The statistics page's tables, charts and CSV files, and the cache of the published
figures."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from markupsafe import Markup

from urpaq.domain.money import Money
from urpaq.entrypoints.http.edge import error_log
from urpaq.entrypoints.http.threads import in_thread
from urpaq.entrypoints.http.web import i18n
from urpaq.entrypoints.http.web.charts import bar_chart
from urpaq.entrypoints.http.web.render import money
from urpaq.services.ports.closes import ClosedRecord
from urpaq.services.ports.unit_of_work import UnitOfWork
from urpaq.services.statistics import (
    REGION_TABLE,
    Cell,
    NotCountedYet,
    Statistics,
    StatTable,
    participant_groups_of,
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

#: The tables of a close's participants, left out while they are being counted.
COUNTED_TABLES = frozenset({
    "participants_by_age", "participants_by_sex", "participants_by_region", REGION_TABLE,
})  # fmt: skip


#: How long a visitor waits for a close's participants to be counted before the page
#: says they are being counted (a small register's count takes milliseconds).
COUNT_WAIT_SECONDS = 2.0

T = TypeVar("T")


class ParticipantCounts:
    """Counts the participants of closes in a thread of its own, one close at a time, and
    keeps the counts in the database (`participant_groups_of`): a close's count is one
    pass over the register, a minute on a busy machine at national scale, which no
    visitor of the statistics waits for."""

    def __init__(self, open_unit_of_work: Callable[[], UnitOfWork]) -> None:
        self._open = open_unit_of_work
        #: The closes asked for and not counted yet (None: the last), and when each was.
        self._asked: dict[int | None, float] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def ask(self, year: int | None) -> None:
        """Count the close of `year` (None: the last close), unless it is asked already."""
        with self._lock:
            if year in self._asked:
                return
            self._asked[year] = time.monotonic()
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._count_asked, name="urpaq-counting", daemon=True
                )
                self._thread.start()

    def wait(self, year: int | None, *, seconds: float) -> None:
        """Wait for the count of `year` until `seconds` after it was asked for."""
        with self._lock:
            asked, thread = self._asked.get(year), self._thread
        if asked is not None and thread is not None:
            thread.join(max(0.0, asked + seconds - time.monotonic()))

    def join(self, timeout: float) -> None:
        """Wait up to `timeout` seconds for the counting under way (it holds a connection
        of its own until it ends)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _count_asked(self) -> None:
        while True:
            with self._lock:
                if not self._asked:
                    self._thread = None
                    return
                year = next(iter(self._asked))
            try:
                self._count(year)
            except Exception as error:  # asked again by the next visitor
                error_log.error(
                    "counting the participants of the close of %s failed: %s",
                    "the last year" if year is None else year,
                    type(error).__name__,
                )
            finally:
                with self._lock:
                    del self._asked[year]

    def _count(self, year: int | None) -> None:
        uow = self._open()
        try:
            closes = uow.closes.closed_years()
            found = [r for r in closes if year is None or r.closed.year == year]
            if found:
                participant_groups_of(uow, found[-1])
        finally:
            uow.close()


class StatisticsCache:
    """The published statistics, rebuilt only when a close or any ledger entry has
    changed them (the participants' counts themselves are kept in the database, counted
    by `ParticipantCounts`: a table of participants not counted yet is left out, the page
    saying it is being counted).  The table by region is of the last close unless another
    closed year is asked for; a close's figures by region are fixed by the close, so its
    table is kept until the closes change."""

    def __init__(self, counts: ParticipantCounts | None = None) -> None:
        self._key: tuple[object, ...] | None = None
        self._statistics: Statistics | None = None
        self._regions: dict[int, StatTable] = {}
        self._regions_closes: tuple[int, ...] = ()
        self._counts = counts
        self._lock = threading.Lock()
        #: Visitors take turns in the event loop (one per server process's loop).
        self._turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    async def answer(self, uow: Callable[[], UnitOfWork], *, year: int | None) -> Statistics:
        """`get` in a worker thread, one visitor at a time: the others wait in the event
        loop, holding no thread, or, while the statistics are rebuilt after a change (a
        second or two at national scale), are answered with the statistics before it."""
        turn = self._turns.setdefault(asyncio.get_running_loop(), asyncio.Lock())
        if turn.locked() and (before := self._kept(year)) is not None:
            return before
        async with turn:
            return await in_thread(lambda: self.get(uow(), year=year))

    def _kept(self, year: int | None) -> Statistics | None:
        """The statistics last built, if they hold the table by region of `year` (read
        without the lock, which the rebuild holds: each attribute is replaced whole)."""
        found = self._statistics
        if found is None or year is None or year == found.last_closed_year:
            return found
        table = self._regions.get(year)
        return None if table is None else found.with_table(table)

    def get(self, uow: UnitOfWork, *, year: int | None = None) -> Statistics:
        """The statistics, with the table by region of `year` (default: the last close);
        raises `StatisticsRefused` for a year not closed."""
        key = statistics_version(uow)
        with self._lock:
            if key != self._key or self._statistics is None or self._counted(uow):
                self._statistics = self._build(uow)
                self._key = key
            if year is None or year == self._statistics.last_closed_year:
                return self._statistics
            if year not in self._regions and year in self._statistics.closed_years:
                try:
                    self._regions[year] = self._counted_first(
                        year, lambda: self._region_table(uow, year)
                    )
                except NotCountedYet:
                    return self._statistics.while_counting(year)
            if year not in self._regions:  # refused: not a closed year
                region_statistics(uow, year=year, count=False)
            return self._statistics.with_table(self._regions[year])

    def _build(self, uow: UnitOfWork) -> Statistics:
        closes = uow.closes.closed_years()
        closed = tuple(record.closed.year for record in closes)
        if closed != self._regions_closes:
            self._regions, self._regions_closes = {}, closed
        try:
            return self._counted_first(None, lambda: self._build_counted(uow, closes))
        except NotCountedYet as counting:
            found = build_statistics(uow, participants=(), regions=None)
            return dataclasses.replace(found, counting=(counting.year,))

    def _build_counted(self, uow: UnitOfWork, closes: list[ClosedRecord]) -> Statistics:
        regions = self._region_table(uow, closes[-1].closed.year) if closes else None
        participants = participant_statistics(uow, count=False)
        return build_statistics(uow, participants=participants, regions=regions)

    def _counted_first(self, year: int | None, build: Callable[[], T]) -> T:
        """`build`; if a close it needs is not counted, once more after asking for the
        count and waiting for it up to `COUNT_WAIT_SECONDS` after it was first asked for (a
        small register's count takes less; at national scale one visitor waits that long,
        the next ones not at all), else `NotCountedYet`."""
        try:
            return build()
        except NotCountedYet:
            if self._counts is None:
                raise
            self._counts.ask(year)
            self._counts.wait(year, seconds=COUNT_WAIT_SECONDS)
        return build()

    def _counted(self, uow: UnitOfWork) -> bool:
        """Whether a close being counted when the statistics were built is counted now;
        one not counted is asked for again (a count that failed — the database away for
        a moment — is tried again by the next visitor, not never)."""
        assert self._statistics is not None
        counted = False
        for year in self._statistics.counting:
            if uow.reads.kept_participant_groups(year=year) is not None:
                counted = True
            elif self._counts is not None:
                self._counts.ask(year)
        return counted

    def _region_table(self, uow: UnitOfWork, year: int) -> StatTable:
        if year not in self._regions:
            self._regions[year] = region_statistics(uow, year=year, count=False).table
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

"""The public statistics: participants by age, sex and region; the figures of a close by
region; accruals, investment income and target savings by year; payouts by purpose and
operator; returns.

Every table is built from aggregates and then passes small-cell suppression
(`domain/disclosure.py`): a hidden cell is None, and the page and the CSV say why.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from urpaq.domain.disclosure import suppressed_cells
from urpaq.domain.ledger import EntryKind
from urpaq.domain.money import Money
from urpaq.domain.participation import AGE_SPAN_YEARS, is_maturing
from urpaq.domain.refusals import Refused
from urpaq.domain.regions import REGIONS
from urpaq.services.ports.closes import ClosedRecord
from urpaq.services.ports.reads import ParticipantGroup
from urpaq.services.ports.unit_of_work import UnitOfWork
from urpaq.services.statistics_payouts import heirs_returns_hidden, payout_statistics
from urpaq.services.statistics_tables import Cell, Key, StatTable, count_by

__all__ = [
    "Cell", "RegionStatistics", "StatTable", "Statistics", "StatisticsRefused",
    "participant_statistics", "region_statistics", "statistics", "statistics_version",
]  # fmt: skip

#: The regions in the order tables list them; "unknown" for people the register gives none.
REGION_ORDER = (*REGIONS, "unknown")
#: The ages of participants on 31 December of the year closed, as tables list them.
AGES = tuple(range(AGE_SPAN_YEARS + 1))


class StatisticsRefused(Refused):
    """Statistics asked of something that has none (`not_closed`: a year not closed)."""


@dataclass(frozen=True, slots=True)
class Statistics:
    last_closed_year: int | None
    tables: tuple[StatTable, ...]
    closed_years: tuple[int, ...] = ()
    #: The closes whose participants are being counted: their tables are not here yet.
    counting: tuple[int, ...] = ()

    def table(self, name: str) -> StatTable:
        return next(table for table in self.tables if table.name == name)

    def with_table(self, table: StatTable) -> Statistics:
        """The same statistics with `table` in place of the one of its name, or, where
        there is none (a table by region left out while the last close is counted), after
        the participants' tables."""
        if any(t.name == table.name for t in self.tables):
            tables = tuple(table if t.name == table.name else t for t in self.tables)
        else:
            counts = [t for t in self.tables if t.name.startswith("participants_by_")]
            rest = [t for t in self.tables if not t.name.startswith("participants_by_")]
            tables = (*counts, table, *rest)
        return dataclasses.replace(self, tables=tables)

    def while_counting(self, year: int) -> Statistics:
        """The same statistics without the table by region, whose close of `year` is
        being counted."""
        tables = tuple(t for t in self.tables if t.name != REGION_TABLE)
        return dataclasses.replace(self, tables=tables, counting=(*self.counting, year))


#: The name of the table by region of one close.
REGION_TABLE = "regions"


class NotCountedYet(Exception):
    """A close's participants are not counted yet, and the caller asked not to wait for
    the count (seconds, a minute on a busy machine, at national scale)."""

    def __init__(self, year: int) -> None:
        super().__init__(f"the participants of the close of {year} are not counted yet")
        self.year = year


@dataclass(frozen=True, slots=True)
class RegionStatistics:
    """The figures of the close of `reporting_year` by region: `table` ("regions") has a
    row per region and a last row "total"."""

    reporting_year: int
    per_child: Money
    table: StatTable
    small_cells_hidden: bool


def participant_groups_of(
    uow: UnitOfWork, record: ClosedRecord, *, count: bool = True
) -> list[ParticipantGroup]:
    """The participants of a close per birth year, sex and region.  Counting them is one
    pass over the register (seconds at national scale); a close's view never changes, so
    the counts are kept in the database the first time and read from there after.  With
    `count` false, raises `NotCountedYet` instead of counting."""
    year = record.closed.year
    groups = uow.reads.kept_participant_groups(year=year)
    if groups is None and not count:
        raise NotCountedYet(year)
    if groups is None:
        groups = uow.reads.participant_groups(year=year, view=record.closed.view)
        with uow:
            if uow.reads.kept_participant_groups(year=year) is None:  # not kept meanwhile
                uow.reads.keep_participant_groups(year=year, groups=groups)
                uow.commit()
    return groups


def participant_statistics(uow: UnitOfWork, *, count: bool = True) -> tuple[StatTable, ...]:
    """Participants of the last close by age, sex and region (`count`: as
    `participant_groups_of`)."""
    closes = uow.closes.closed_years()
    if not closes:
        return ()
    last = closes[-1].closed.year
    groups = participant_groups_of(uow, closes[-1], count=count)
    by_age = _by(groups, lambda group: last - group.birth_year)
    by_sex = _by(groups, lambda group: "male" if group.is_male else "female")
    by_region = _by(groups, _region_of)
    return (
        # Those 17 on 31 December are the cohort that matures at the close, whose count
        # the table by region's total publishes whole: known, it hides no other age.
        _count_table("participants_by_age", "age", by_age, order=AGES, known={AGE_SPAN_YEARS}),
        _count_table("participants_by_sex", "sex", by_sex, order=["female", "male"]),
        _count_table("participants_by_region", "region", by_region, order=REGION_ORDER),
    )


def region_statistics(
    uow: UnitOfWork, *, year: int, hide_small_cells: bool = True, count: bool = True
) -> RegionStatistics:
    """Per region, the participants of the close of `year`, the cohort that matures at it
    (turning 18 in the next year), the per-child TR credited to them, the target savings
    the close credited (to that cohort, and to whoever matured late at it), and how many
    matured late; refused (`not_closed`) for a year not closed (`count`: as
    `participant_groups_of`)."""
    closes = uow.closes.closed_years()
    record = next((r for r in closes if r.closed.year == year), None)
    if record is None:
        closed = ", ".join(str(r.closed.year) for r in closes) or "none yet"
        raise StatisticsRefused(
            "not_closed",
            f"reporting year {year} is not closed, so it has no statistics (closed: {closed})",
        )
    groups = participant_groups_of(uow, record, count=count)
    # Every region has its row, none or many in it: a row missing, or one there only for
    # whoever matured late, or an empty one shown where the others are hidden, would say
    # where the few are.
    participants = _every_region(_by(groups, _region_of))
    turning = _every_region(
        _by([g for g in groups if is_maturing(g.birth_year, year=year)], _region_of)
    )
    savings = {
        s.region or "unknown": s
        for s in uow.reads.savings_by_region(year=year, view=record.closed.view)
    }
    holders = _every_region({region: s.holders for region, s in savings.items()})
    # Whoever the close credited beyond the cohort matured late (`domain/late_maturity.py`).
    late = {r: n - turning[r] for r, n in holders.items() if n > turning[r]}
    nothing: frozenset[str] = frozenset()
    hidden = suppressed_cells(participants) if hide_small_cells else nothing
    hidden_turning = suppressed_cells(turning) if hide_small_cells else nothing
    hidden_savings = (
        _savings_hidden(holders, hidden_turning, late=bool(late)) if hide_small_cells else nothing
    )
    per_child = record.result.per_child
    rows: list[tuple[Cell, ...]] = []
    for region in REGION_ORDER:
        counted, cohort = participants[region], turning[region]
        credited = savings[region].amount if region in savings else Money(0)
        rows.append((
            region,
            None if region in hidden else counted,
            None if region in hidden_turning else cohort,
            None if region in hidden else per_child.times(counted),
            None if region in hidden_savings else credited,
            None if hide_small_cells and late else late.get(region, 0),
        ))  # fmt: skip
    total = sum(participants.values())
    all_savings = Money(sum(s.amount.cents for s in savings.values()))
    rows.append((
        "total", total, sum(turning.values()), per_child.times(total), all_savings,
        sum(late.values()),
    ))  # fmt: skip
    columns = ("region", "participants", "turning_18", "accrued", "target_savings_credited",
               "matured_late")  # fmt: skip
    table = StatTable(REGION_TABLE, columns, tuple(rows), value_column=3, year=year)
    return RegionStatistics(year, per_child, table, small_cells_hidden=hide_small_cells)


def _every_region(counts: Mapping[str, int]) -> dict[str, int]:
    return {region: counts.get(region, 0) for region in REGION_ORDER}


def _savings_hidden(
    holders: Mapping[str, int], hidden_turning: frozenset[str], *, late: bool
) -> frozenset[str]:
    """The regions whose target savings credited a published table hides: those of few
    holders, and those whose cohort is hidden, then more until the hidden regions' holders
    add up to 10 or more (`suppressed_cells`: never an empty region, which would hide
    nothing).  Whoever matured late is few, and published only as a total: where anyone
    did, every region's savings are hidden (a region's savings less its cohort's would be
    theirs, and which regions were hidden, however chosen, told where they live)."""
    if late:
        return frozenset(holders)
    return suppressed_cells(holders, hidden=hidden_turning)


def statistics(
    uow: UnitOfWork, *, participants: tuple[StatTable, ...], regions: StatTable | None = None
) -> Statistics:
    """Every table; `participants` from `participant_statistics` and `regions` from
    `region_statistics` (both cached by the caller)."""
    closes = uow.closes.closed_years()
    payouts = payout_statistics(uow, until=None)
    return Statistics(
        last_closed_year=closes[-1].closed.year if closes else None,
        closed_years=tuple(record.closed.year for record in closes),
        tables=(
            *participants,
            *((regions,) if regions is not None else ()),
            _accruals(uow),
            _cumulative(uow),
            _target_savings(uow),
            payouts.by_purpose,
            payouts.by_operator,
            _returns(uow),
        ),
    )


def _region_of(group: ParticipantGroup) -> str:
    return group.region or "unknown"


def _by(
    groups: Sequence[ParticipantGroup], key: Callable[[ParticipantGroup], Key]
) -> dict[Key, int]:
    return count_by(groups, key, lambda group: group.count)


def _count_table(
    name: str,
    column: str,
    counts: Mapping[Key, int],
    *,
    order: Sequence[Key],
    known: frozenset[Key] | set[Key] = frozenset(),
) -> StatTable:
    """A row for every key of `order`, none or many behind it (a row missing, or shown
    empty where the others are hidden, would say where the few are); `known` are shown
    whatever they hold, published whole elsewhere, and hide nothing of the others."""
    every = {key: counts.get(key, 0) for key in order}
    hidden = suppressed_cells({key: n for key, n in every.items() if key not in known})
    rows: list[tuple[Cell, ...]] = [(key, None if key in hidden else every[key]) for key in order]
    rows.append(("total", sum(counts.values())))
    return StatTable(name, (column, "participants"), tuple(rows))


def _accruals(uow: UnitOfWork) -> StatTable:
    rows: list[tuple[Cell, ...]] = []
    for record in uow.closes.closed_years():
        result = record.result
        rows.append((
            record.closed.year, result.participants, result.per_child, result.tr_total,
            result.investment_income, result.back_accruals, result.forfeited + result.annulled,
            result.residue,
        ))  # fmt: skip
    return StatTable(
        "accruals_by_year",
        ("year", "participants", "per_child", "tr_total", "investment_income",
         "back_accruals", "returned_to_pot", "residue"),
        tuple(rows), value_column=2,
    )  # fmt: skip


def _cumulative(uow: UnitOfWork) -> StatTable:
    rows: list[tuple[Cell, ...]] = []
    running = Money(0)
    for record in uow.closes.closed_years():
        result = record.result
        credited = result.per_child.times(result.participants) + result.investment_income
        running = running + credited
        rows.append((record.closed.year, credited, running))
    return StatTable(
        "cumulative_accruals", ("year", "credited", "cumulative"), tuple(rows), value_column=2
    )


def _target_savings(uow: UnitOfWork) -> StatTable:
    rows: list[tuple[Cell, ...]] = []
    # A close's own figures, national, published whole as the close's report and the
    # table by region's total give them (hidden here, they were given away there).
    for record in uow.closes.closed_years():
        result = record.result
        rows.append((record.closed.year, result.matured, result.target_savings_credited))
    return StatTable(
        "target_savings_by_year", ("year", "matured", "credited"), tuple(rows), value_column=2
    )


def _returns(uow: UnitOfWork) -> StatTable:
    """Per year: money back on target savings (returns), to pensions (expiry), to heirs."""
    flows: dict[int, dict[EntryKind, tuple[int, Money]]] = defaultdict(dict)
    for flow in uow.reads.savings_flows():
        flows[flow.year][flow.kind] = (flow.postings, flow.amount)
    kinds = (EntryKind.RETURN, EntryKind.EXPIRY, EntryKind.INHERITANCE)
    years = [year for year in sorted(flows) if flows[year].keys() & set(kinds)]
    # Each column's total over the years may be known (or become so): suppress per column.
    hidden = {
        kind: suppressed_cells({year: flows[year].get(kind, (0, Money(0)))[0] for year in years})
        for kind in kinds
    }
    if heirs_returns_hidden(uow):
        # The returns count heirs' payouts returned, the payouts' table (whose returns
        # it shows) does not: their difference would be the heirs' hidden returns.
        hidden[EntryKind.RETURN] = frozenset(years)
    rows: list[tuple[Cell, ...]] = []
    for year in years:
        row: list[Cell] = [year]
        for kind in kinds:
            count, amount = flows[year].get(kind, (0, Money(0)))
            shown = year not in hidden[kind]
            row += [count if shown else None, Money(abs(amount.cents)) if shown else None]
        rows.append(tuple(row))
    return StatTable(
        "returns_by_year",
        ("year", "returns", "returned", "expiries", "expired", "heir_payouts", "paid_to_heirs"),
        tuple(rows), value_column=2,
    )  # fmt: skip


def statistics_version(uow: UnitOfWork) -> tuple[object, ...]:
    """What the statistics depend on: the closes and the ledger.  Tables built for one
    version stay right until it changes."""
    return (tuple(r.closed.year for r in uow.closes.closed_years()), uow.ledger.version())

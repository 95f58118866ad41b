"""The public statistics: participants by age, sex and region; accruals, investment
income and target savings by year; payouts by purpose and operator; returns.

Every table is built from aggregates and then passes small-cell suppression
(`domain/disclosure.py`): a hidden cell is None, and the page and the CSV say why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from urpaq.domain.disclosure import suppressed_cells, suppressed_margins
from urpaq.domain.ledger import EntryKind
from urpaq.domain.money import Money
from urpaq.domain.payouts import PayoutStatus
from urpaq.domain.regions import REGIONS
from urpaq.services.ports.reads import ParticipantGroup
from urpaq.services.ports.unit_of_work import UnitOfWork

Cell = int | str | Money | None  # None: suppressed
Key = TypeVar("Key", int, str)


@dataclass(frozen=True, slots=True)
class StatTable:
    """One published table: `name` is stable (CSV file names, translations)."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    label_column: int = 0  # the column a chart labels its bars with
    value_column: int = 1  # the column a chart draws; None cells are not drawn


@dataclass(frozen=True, slots=True)
class Statistics:
    last_closed_year: int | None
    tables: tuple[StatTable, ...]

    def table(self, name: str) -> StatTable:
        return next(table for table in self.tables if table.name == name)


def participant_statistics(uow: UnitOfWork) -> tuple[StatTable, ...]:
    """Participants of the last close by age, sex and region.  Counting them is one pass
    over the register (seconds at national scale); a close's view never changes, so the
    counts are kept in the database the first time and read from there after."""
    closes = uow.closes.closed_years()
    if not closes:
        return ()
    last = closes[-1].closed
    groups = uow.reads.kept_participant_groups(year=last.year)
    if groups is None:
        groups = uow.reads.participant_groups(year=last.year, view=last.view)
        with uow:
            if uow.reads.kept_participant_groups(year=last.year) is None:  # not kept meanwhile
                uow.reads.keep_participant_groups(year=last.year, groups=groups)
                uow.commit()
    by_age = _by(groups, lambda group: last.year - group.birth_year)
    by_sex = _by(groups, lambda group: "male" if group.is_male else "female")
    by_region = _by(groups, lambda group: group.region or "unknown")
    region_order = [*REGIONS, "unknown"]
    return (
        _count_table("participants_by_age", "age", by_age, order=sorted(by_age)),
        _count_table("participants_by_sex", "sex", by_sex, order=["female", "male"]),
        _count_table("participants_by_region", "region", by_region, order=region_order),
    )


def statistics(uow: UnitOfWork, *, participants: tuple[StatTable, ...]) -> Statistics:
    """Every table; `participants` from `participant_statistics` (cached by the caller)."""
    closes = uow.closes.closed_years()
    return Statistics(
        last_closed_year=closes[-1].closed.year if closes else None,
        tables=(
            *participants,
            _accruals(uow),
            _cumulative(uow),
            _target_savings(uow),
            *_payouts(uow),
            _returns(uow),
        ),
    )


def _by(
    groups: Sequence[ParticipantGroup], key: Callable[[ParticipantGroup], Key]
) -> dict[Key, int]:
    counts: dict[Key, int] = defaultdict(int)
    for group in groups:
        counts[key(group)] += group.count
    return dict(counts)


def _count_table(
    name: str, column: str, counts: Mapping[Key, int], *, order: Sequence[Key]
) -> StatTable:
    hidden = suppressed_cells(counts)
    rows: list[tuple[Cell, ...]] = [
        (key, None if key in hidden else counts[key]) for key in order if key in counts
    ]
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
    closes = uow.closes.closed_years()
    hidden = suppressed_cells({r.closed.year: r.result.matured for r in closes})
    for record in closes:
        year, result = record.closed.year, record.result
        shown = year not in hidden
        rows.append((
            year, result.matured if shown else None,
            result.target_savings_credited if shown else None,
        ))  # fmt: skip
    return StatTable(
        "target_savings_by_year", ("year", "matured", "credited"), tuple(rows), value_column=2
    )


def _payouts(uow: UnitOfWork) -> tuple[StatTable, StatTable]:
    """Payouts by purpose and by operator: the two margins of one joint table, so their
    cells are hidden together (`suppressed_margins`)."""
    joint: dict[tuple[str, str], int] = defaultdict(int)
    cents: dict[str, int] = defaultdict(int)
    by_status: dict[PayoutStatus, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for group in uow.reads.payout_groups():
        purpose, operator = group.purpose.value, group.operator_name
        joint[purpose, operator] += group.count
        cents[f"purpose:{purpose}"] += group.amount.cents
        cents[f"operator:{operator}"] += group.amount.cents
        by_status[group.status][purpose] += group.count
    hidden_purposes, hidden_operators = suppressed_margins(joint)
    purposes: dict[str, int] = defaultdict(int)
    operators: dict[str, int] = defaultdict(int)
    for (purpose, operator), count in joint.items():
        purposes[purpose] += count
        operators[operator] += count
    # How many were confirmed and returned, per purpose: columns whose totals are known
    # (returns are published per year too), suppressed as tables of their own.
    status_columns = (PayoutStatus.CONFIRMED, PayoutStatus.RETURNED)
    hidden_status = {
        status: suppressed_cells(
            {p: by_status[status].get(p, 0) for p in purposes},
            hidden=frozenset(hidden_purposes),
        )
        for status in status_columns
    }
    purpose_rows: list[tuple[Cell, ...]] = []
    for purpose in sorted(purposes):
        shown = purpose not in hidden_purposes
        purpose_rows.append((
            purpose,
            purposes[purpose] if shown else None,
            Money(cents[f"purpose:{purpose}"]) if shown else None,
            *(None if purpose in hidden_status[status] else by_status[status].get(purpose, 0)
              for status in status_columns),
        ))  # fmt: skip
    operator_rows: list[tuple[Cell, ...]] = [
        (operator, None, None) if operator in hidden_operators
        else (operator, operators[operator], Money(cents[f"operator:{operator}"]))
        for operator in sorted(operators)
    ]  # fmt: skip
    return (
        StatTable(
            "payouts_by_purpose", ("purpose", "payouts", "amount", "confirmed", "returned"),
            tuple(purpose_rows), value_column=2,
        ),
        StatTable(
            "payouts_by_operator", ("operator", "payouts", "amount"),
            tuple(operator_rows), value_column=2,
        ),
    )  # fmt: skip


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

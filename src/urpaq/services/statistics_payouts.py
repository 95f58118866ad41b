"""Payouts as the pension fund publishes them: cumulative payouts (applications) and their
amounts up to a day, by purpose and by authorised operator, gross and net of returns;
the payouts to heirs beside them.

Small cells are hidden (`domain/disclosure.py`).  Payouts by purpose and by operator are
the two margins of one purpose × operator table (`suppressed_margins`), and so are the
returns and the payouts net of returns.  A row's payouts split into those returned and
those not, and, per purpose, into confirmed, returned and still open: when a part is a
small number, the row's whole split is hidden (its confirmed, returned and net figures),
since the row's payouts, published, would give the hidden part away.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from urpaq.domain.disclosure import is_small, suppressed_cells, suppressed_margins
from urpaq.domain.money import Money
from urpaq.services.ports.reads import PayoutTotal
from urpaq.services.ports.unit_of_work import UnitOfWork
from urpaq.services.statistics_tables import Cell, StatTable

PURPOSE_COLUMNS = (
    "purpose", "payouts", "amount", "confirmed", "returned", "returned_amount", "net_payouts",
    "net_amount",
)  # fmt: skip
OPERATOR_COLUMNS = (
    "operator", "payouts", "amount", "returned", "returned_amount", "net_payouts", "net_amount",
)  # fmt: skip
TOTAL_COLUMNS = OPERATOR_COLUMNS[1:]
HEIR_COLUMNS = TOTAL_COLUMNS


@dataclass(frozen=True, slots=True)
class PayoutStatistics:
    """Payouts up to `until` (None: every payout recorded).  `total` is housing and
    education together and `heirs` the payouts to heirs, each gross, returned and net of
    returns (`TOTAL_COLUMNS`)."""

    until: dt.date | None
    by_purpose: StatTable
    by_operator: StatTable
    total: tuple[Cell, ...]
    heirs: tuple[Cell, ...]
    small_cells_hidden: bool


@dataclass(frozen=True, slots=True)
class _Sums:
    payouts: int = 0
    cents: int = 0
    confirmed: int = 0
    returned: int = 0
    returned_cents: int = 0

    def plus(self, total: PayoutTotal) -> _Sums:
        return _Sums(
            self.payouts + total.count, self.cents + total.amount.cents,
            self.confirmed + total.confirmed, self.returned + total.returned,
            self.returned_cents + total.returned_amount.cents,
        )  # fmt: skip

    @property
    def open(self) -> int:
        return self.payouts - self.confirmed - self.returned

    def row(self, *, gross_shown: bool, split_shown: bool) -> tuple[Cell, ...]:
        """payouts, amount, returned, returned_amount, net_payouts, net_amount."""
        gross: tuple[Cell, ...] = (self.payouts, Money(self.cents))
        split: tuple[Cell, ...] = (
            self.returned, Money(self.returned_cents), self.payouts - self.returned,
            Money(self.cents - self.returned_cents),
        )  # fmt: skip
        return (
            *(gross if gross_shown else (None, None)),
            *(split if split_shown else (None,) * 4),
        )


def payout_statistics(
    uow: UnitOfWork, *, until: dt.date | None, hide_small_cells: bool = True
) -> PayoutStatistics:
    """Every payout requested on or before `until`, and the returns by then."""
    totals = uow.reads.payout_totals(until=until)
    purposes: dict[str, _Sums] = defaultdict(_Sums)
    operators: dict[str, _Sums] = defaultdict(_Sums)
    whole = _Sums()
    for total in totals:
        purposes[total.purpose.value] = purposes[total.purpose.value].plus(total)
        operators[total.operator_name] = operators[total.operator_name].plus(total)
        whole = whole.plus(total)
    hidden = _hidden(totals, purposes, operators) if hide_small_cells else _NOTHING_HIDDEN
    gross_p, gross_o, split_p, split_o = hidden
    purpose_rows = []
    for purpose in sorted(purposes):
        sums = purposes[purpose]
        payouts, amount, *split = sums.row(
            gross_shown=purpose not in gross_p, split_shown=purpose not in split_p
        )
        confirmed = None if purpose in split_p else sums.confirmed
        purpose_rows.append((purpose, payouts, amount, confirmed, *split))
    operator_rows = [
        (operator, *operators[operator].row(
            gross_shown=operator not in gross_o, split_shown=operator not in split_o))
        for operator in sorted(operators)
    ]  # fmt: skip
    small_total = hide_small_cells and is_small(whole.payouts)
    # The split shows the returned and the net of returns, which add up to the payouts:
    # never beside hidden payouts, and hidden when either figure is small (one confirmed
    # payout was shown as a net of 1 beside its hidden gross).
    small_split = small_total or (
        hide_small_cells and _any_small(whole.returned, whole.open, whole.payouts - whole.returned)
    )
    return PayoutStatistics(
        until=until,
        by_purpose=StatTable(
            "payouts_by_purpose", PURPOSE_COLUMNS, tuple(purpose_rows), value_column=2
        ),
        by_operator=StatTable(
            "payouts_by_operator", OPERATOR_COLUMNS, tuple(operator_rows), value_column=2
        ),
        total=whole.row(gross_shown=not small_total, split_shown=not small_split),
        heirs=_heirs(uow, until=until, hide_small_cells=hide_small_cells),
        small_cells_hidden=hide_small_cells,
    )


Hidden = tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]
_NOTHING_HIDDEN: Hidden = (frozenset(),) * 4


def _hidden(
    totals: list[PayoutTotal], purposes: dict[str, _Sums], operators: dict[str, _Sums]
) -> Hidden:
    """The purposes and operators whose payouts are hidden, and those whose split (what
    was confirmed, returned, and not returned) is hidden: at least those."""
    gross = {(t.purpose.value, t.operator_name): t.count for t in totals}
    returned = {(t.purpose.value, t.operator_name): t.returned for t in totals}
    net = {(t.purpose.value, t.operator_name): t.count - t.returned for t in totals}
    confirmed = {purpose: sums.confirmed for purpose, sums in purposes.items()}
    gross_p, gross_o = suppressed_margins(gross)
    split_p = gross_p | {
        p for p, sums in purposes.items() if _any_small(sums.confirmed, sums.returned, sums.open)
    }
    split_o = gross_o | {
        o
        for o, sums in operators.items()
        if _any_small(sums.returned, sums.payouts - sums.returned)
    }
    while True:  # each step only hides more: it ends
        more_p, more_o = suppressed_margins(returned, hidden_rows=split_p, hidden_columns=split_o)
        more_p, more_o = suppressed_margins(net, hidden_rows=more_p, hidden_columns=more_o)
        more_p = suppressed_cells(confirmed, hidden=more_p)
        if (more_p, more_o) == (split_p, split_o):
            return gross_p, gross_o, split_p, split_o
        split_p, split_o = more_p, more_o


def _any_small(*counts: int) -> bool:
    return any(is_small(count) for count in counts)


def _heirs(uow: UnitOfWork, *, until: dt.date | None, hide_small_cells: bool) -> tuple[Cell, ...]:
    """The payouts to heirs (`TOTAL_COLUMNS`): gross, returned and net of returns."""
    sums = _heir_sums(uow, until=until)
    return sums.row(
        gross_shown=not (hide_small_cells and is_small(sums.payouts)),
        split_shown=not (hide_small_cells and _any_small(sums.returned, sums.open)),
    )


def heirs_returns_hidden(uow: UnitOfWork) -> bool:
    """Whether heirs' payouts were returned and the published figures hide how many."""
    sums = _heir_sums(uow, until=None)
    return sums.returned > 0 and _any_small(sums.payouts, sums.returned, sums.open)


def _heir_sums(uow: UnitOfWork, *, until: dt.date | None) -> _Sums:
    paid = uow.reads.heir_payout_totals(until=until)
    return _Sums(
        payouts=sum(group.count for group in paid),
        cents=sum(group.amount.cents for group in paid),
        returned=sum(group.returned for group in paid),
        returned_cents=sum(group.returned_amount.cents for group in paid),
    )

"""How a TR balance grows: the per-child accrual and compounding investment income.

Everyone who entered the programme in the same year holds the same TR balance, so the
balances form at most eighteen *entry-year classes*.  The balance of class `e` after the
close of year `y` is

    B(e, y) = 0                                            for y < e
    B(e, y) = B(e, y−1) + half_up(B(e, y−1) × r(y)) + a(y)  for y ≥ e

where `a(y)` is the per-child TR and `r(y)` the investment-income rate of year `y`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from urpaq.domain.invariants import InvariantBroken, require
from urpaq.domain.money import Money, apply_rate_half_up
from urpaq.domain.participation import FIRST_REPORTING_YEAR


@dataclass(frozen=True, slots=True)
class ClosedYear:
    """What a past close fixed for every later one: its per-child TR and its II rate."""

    year: int
    per_child: Money
    ii_rate: Decimal


class Schedule:
    """Class balances after every closed year, from the closed years' figures."""

    def __init__(self, closed: Sequence[ClosedYear]) -> None:
        years = [c.year for c in closed]
        expected = list(range(FIRST_REPORTING_YEAR, FIRST_REPORTING_YEAR + len(closed)))
        require(years == expected, f"closed years must run from 2023 without gaps: {years}")
        self.closed = tuple(closed)
        self._balances: dict[tuple[int, int], Money] = {}
        for item in self.closed:
            for entry_year in range(FIRST_REPORTING_YEAR, item.year + 1):
                before = self.balance(entry_year, after_year=item.year - 1)
                income = apply_rate_half_up(before, rate=item.ii_rate)
                self._balances[(entry_year, item.year)] = before + income + item.per_child

    @property
    def last_year(self) -> int:
        return FIRST_REPORTING_YEAR + len(self.closed) - 1

    def balance(self, entry_year: int, *, after_year: int) -> Money:
        """B(entry_year, after_year): what one member of the class holds after that close."""
        if after_year < entry_year or after_year < FIRST_REPORTING_YEAR:
            return Money.zero()
        # Asked for every line of every close, so the message is built only on failure.
        if after_year > self.last_year:
            raise InvariantBroken(f"year {after_year} is not closed")
        return self._balances[(entry_year, after_year)]

    def investment_income(self, entry_year: int, *, year: int, rate: Decimal) -> Money:
        """The II of `year` for one member of the class: on the balance after `year − 1`."""
        return apply_rate_half_up(self.balance(entry_year, after_year=year - 1), rate=rate)

    def extended(self, item: ClosedYear) -> Schedule:
        return Schedule([*self.closed, item])

"""What a child may hold at 18: the balance carried forward, clearly an estimate.

Each future close adds investment income on the balance (half up, as the close does) and
one per-child accrual: the TR total split equally, floored to the cent.  Neither input is
known in advance — the National Bank publishes them year by year — so the estimate is a
range: the latest published inputs, and a low and a high case that move the rate and the
number of participants the way that lowers or raises the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from urpaq.domain.money import Money, apply_rate_half_up, split_floor
from urpaq.domain.participation import AGE_SPAN_YEARS

#: The cases around the latest published inputs (a named setting, documented).
LOW_RATE = Decimal("0.01")
HIGH_RATE = Decimal("0.05")
PARTICIPANTS_SPREAD = Decimal("0.10")  # ±10 % participants


@dataclass(frozen=True, slots=True)
class Assumption:
    ii_rate: Decimal
    participants: int
    tr_total: Money


@dataclass(frozen=True, slots=True)
class Projection:
    """The estimate at maturity: the close of `maturing_year` makes it target savings."""

    maturing_year: int
    closes_ahead: int
    low: Money
    central: Money
    high: Money
    low_case: Assumption
    central_case: Assumption
    high_case: Assumption


def carry_forward(balance: Money, *, closes_ahead: int, assumption: Assumption) -> Money:
    """The balance after `closes_ahead` more closes under one assumption."""
    per_child, _ = split_floor(assumption.tr_total, shares=assumption.participants)
    for _ in range(closes_ahead):
        balance = balance + apply_rate_half_up(balance, rate=assumption.ii_rate) + per_child
    return balance


def project(
    *,
    balance: Money,
    birth_year: int,
    last_closed_year: int,
    latest: Assumption,
) -> Projection:
    """The range of what a participant born in `birth_year` may hold when they mature."""
    maturing_year = birth_year + AGE_SPAN_YEARS
    closes_ahead = max(0, maturing_year - last_closed_year)
    spread = int(Decimal(latest.participants) * PARTICIPANTS_SPREAD)
    low_case = Assumption(
        min(LOW_RATE, latest.ii_rate), latest.participants + spread, latest.tr_total
    )
    high_case = Assumption(
        max(HIGH_RATE, latest.ii_rate), max(1, latest.participants - spread), latest.tr_total
    )
    return Projection(
        maturing_year=maturing_year,
        closes_ahead=closes_ahead,
        low=carry_forward(balance, closes_ahead=closes_ahead, assumption=low_case),
        central=carry_forward(balance, closes_ahead=closes_ahead, assumption=latest),
        high=carry_forward(balance, closes_ahead=closes_ahead, assumption=high_case),
        low_case=low_case,
        central_case=latest,
        high_case=high_case,
    )

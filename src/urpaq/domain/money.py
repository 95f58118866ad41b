"""Money in whole cents of US dollars, and the two roundings the programme uses.

Every amount in the programme is in USD.  Inside the system an amount is an integer
number of cents; a rate is a `Decimal` built from its published text.  No float is ever
near money.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from urpaq.domain.invariants import InvariantBroken, require
from urpaq.domain.refusals import quoted

#: The currency of every amount, as documents and answers name it (ISO 4217).
CURRENCY = "USD"

#: Dollars in ASCII digits, grouped by thousands with commas or underscores or not at
#: all, and at most two decimals after a point: "1,5" or "1808703,46" (a decimal comma)
#: is no amount, never 15.00 or 180870346.00.
_AMOUNT_PATTERN = re.compile(
    r"^(?P<sign>-?)(?P<whole>[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?:_[0-9]{3})+)"
    r"(?:\.(?P<fraction>[0-9]{1,2}))?$"
)


#: More dollars than any amount could hold (a TR total is at most 18 digits).
WHOLE_DIGITS_MAX = 30


class InvalidAmount(ValueError):
    """An amount written in a form that is not dollars with at most two decimals."""


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """An amount of US dollars as an integer number of cents."""

    cents: int

    def __post_init__(self) -> None:
        # A bool is an int in Python; an amount built from one is a bug.  Every amount
        # passes here, so the message is only built when the check fails.
        if type(self.cents) is not int:
            raise InvariantBroken(f"cents must be int, got {type(self.cents).__name__}")

    @classmethod
    def parse(cls, text: str) -> Money:
        """Read an amount such as ``"130.71"`` or ``"695519269"``; refuse anything else."""
        shown = quoted(text)
        match = _AMOUNT_PATTERN.match(text.strip())
        if match is None:
            raise InvalidAmount(
                f"amount {shown} is not dollars with at most two decimals (e.g. 130.71)"
            )
        fraction = (match["fraction"] or "").ljust(2, "0")
        whole = match["whole"].replace(",", "").replace("_", "")
        if len(whole.lstrip("0")) > WHOLE_DIGITS_MAX:  # Python reads at most 4,300 digits
            raise InvalidAmount(
                f"amount {shown} has more than {WHOLE_DIGITS_MAX} digits of dollars:"
                " no amount is that large"
            )
        cents = int(whole) * 100 + int(fraction)
        return cls(-cents if match["sign"] else cents)

    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    def __add__(self, other: Money) -> Money:
        return Money(self.cents + other.cents)

    def __sub__(self, other: Money) -> Money:
        return Money(self.cents - other.cents)

    def __neg__(self) -> Money:
        return Money(-self.cents)

    def times(self, count: int) -> Money:
        """This amount `count` times over (e.g. a per-child amount for a whole class)."""
        return Money(self.cents * count)

    def __str__(self) -> str:
        sign = "-" if self.cents < 0 else ""
        whole, fraction = divmod(abs(self.cents), 100)
        return f"{sign}{whole}.{fraction:02d}"

    def grouped(self) -> str:
        """The amount with thousands separators, for people to read."""
        sign = "-" if self.cents < 0 else ""
        whole, fraction = divmod(abs(self.cents), 100)
        return f"{sign}{whole:,}.{fraction:02d}"


def split_floor(pot: Money, *, shares: int) -> tuple[Money, Money]:
    """Split `pot` into `shares` equal amounts floored to the cent; return (share, residue).

    The programme's per-child amount is floored so that the split never exceeds the pot;
    the residue, always below one cent per share, is kept on a residue account.
    """
    require(shares > 0, "a split needs at least one share")
    require(pot.cents >= 0, "a negative pot cannot be split")
    share_cents, residue_cents = divmod(pot.cents, shares)
    return Money(share_cents), Money(residue_cents)


def apply_rate_half_up(amount: Money, *, rate: Decimal) -> Money:
    """`amount × rate`, rounded half up to the cent (the rule for investment income)."""
    exact = Decimal(amount.cents) * rate
    return Money(int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)))

"""Money: parsing, formatting and the two roundings the programme uses."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from urpaq.domain.invariants import InvariantBroken
from urpaq.domain.money import InvalidAmount, Money, apply_rate_half_up, split_floor


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("130.71", 13071),
        ("695519269", 69551926900),
        ("0.5", 50),
        ("1,000.00", 100000),
        ("1,234,567.89", 123456789),
        ("695_519_269", 69551926900),
        ("-3.04", -304),
    ],
)
def test_parse_reads_dollars_with_at_most_two_decimals(text: str, cents: int) -> None:
    """Amounts are read exactly into cents."""
    assert Money.parse(text) == Money(cents)


@pytest.mark.parametrize(
    "text",
    [
        "1.234", "12e3", "", "abc", "1.2.3", "NaN", "0x10", " . ",
        # A decimal comma, commas out of their places, digits of another script: read
        # as anything, each would be an amount other than the one meant.
        "1,5", "1808703,46", "1,0,0", "12,34.50", "1,000_000", "١٠٠", "１００",
    ],
)  # fmt: skip
def test_parse_refuses_anything_else_naming_the_value(text: str) -> None:
    """A malformed amount is refused and the message names it."""
    with pytest.raises(InvalidAmount, match=repr(text).replace(".", r"\.")):
        Money.parse(text)


def test_an_amount_of_more_digits_than_any_is_refused_not_failed() -> None:
    """60,000 nines: Python reads no integer of more than 4,300 digits, and the ValueError
    it raised instead was a 500 in the back office and a traceback on the command line."""
    with pytest.raises(InvalidAmount, match=r"\(60000 characters\) has more than 30 digits"):
        Money.parse("9" * 60_000)
    assert Money.parse("1" * 30).cents == int("1" * 30) * 100


def test_money_refuses_a_float() -> None:
    """A float near money is a bug and crashes."""
    with pytest.raises(InvariantBroken, match="cents must be int, got float"):
        Money(1.5)  # type: ignore[arg-type]


def test_format_has_two_decimals_and_a_sign() -> None:
    """Amounts print as strings with two decimals."""
    assert str(Money(13071)) == "130.71"
    assert str(Money(-5)) == "-0.05"
    assert Money(69551926900).grouped() == "695,519,269.00"


@given(
    pot=st.integers(min_value=0, max_value=10**14), shares=st.integers(min_value=1, max_value=10**7)
)
def test_split_never_exceeds_the_pot_and_leaves_less_than_a_cent_each(
    pot: int, shares: int
) -> None:
    """The split is floored: shares never exceed the pot, the residue is below a cent each."""
    share, residue = split_floor(Money(pot), shares=shares)
    assert share.times(shares) + residue == Money(pot)
    assert 0 <= residue.cents < shares


@given(
    cents=st.integers(min_value=0, max_value=10**12),
    rate=st.decimals(min_value=0, max_value=Decimal("0.5"), places=7),
)
def test_half_up_is_within_half_a_cent_of_the_exact_product(cents: int, rate: Decimal) -> None:
    """Investment income rounds half up: never more than half a cent from the exact amount."""
    income = apply_rate_half_up(Money(cents), rate=rate)
    exact = Decimal(cents) * rate
    assert -Decimal("0.5") < Decimal(income.cents) - exact <= Decimal("0.5")


def test_half_up_rounds_a_half_cent_up() -> None:
    """A product ending in exactly half a cent rounds up (232.94 × 0.0297 = 6.918318 → 6.92)."""
    assert apply_rate_half_up(Money(23294), rate=Decimal("0.0297")) == Money(692)
    assert apply_rate_half_up(Money(50), rate=Decimal("0.01")) == Money(1)  # 0.5 cent → 1 cent

"""The IIN: check digit, birth date and sex, and the numbers never issued."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from urpaq.domain.iin import Iin, InvalidIin, check_digit, compose


def test_the_published_examples_hold() -> None:
    """programme.md's examples: valid on the first pass, valid on the second pass."""
    first = Iin.parse("080315601232")
    second = Iin.parse("080315600704")
    assert first.birth_date == dt.date(2008, 3, 15)
    assert first.sex == "female"  # seventh digit 6: born in the 2000s, female
    assert second.birth_date == dt.date(2008, 3, 15)


@pytest.mark.parametrize("last", "0123456789")
def test_no_iin_begins_with_digits_whose_both_passes_give_ten(last: str) -> None:
    """No IIN begins 08031560073: both weightings give 10, so it is never issued."""
    with pytest.raises(InvalidIin, match="no IIN is issued"):
        Iin.parse(f"08031560073{last}")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("08031560123", "exactly 12 digits"),
        ("0803156012345", "exactly 12 digits"),
        ("08031560123a", "exactly 12 digits"),
        ("080315701232", "century-and-sex code"),
        ("081315601232", "not a valid birth date"),
        ("080315601233", "check digit is 3, expected 2"),
    ],
)
def test_invalid_iins_are_refused_with_the_reason(text: str, reason: str) -> None:
    """Each kind of invalid IIN is refused, naming the value and the problem."""
    with pytest.raises(InvalidIin, match=reason) as caught:
        Iin.parse(text)
    assert text in str(caught.value)


@given(
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)),
    is_male=st.booleans(),
    serial=st.integers(min_value=0, max_value=9999),
)
def test_composed_iins_parse_back_to_their_birth_date_and_sex(
    birth: dt.date, is_male: bool, serial: int
) -> None:
    """Any IIN that can be issued parses back to what it encodes."""
    iin = compose(birth_date=birth, is_male=is_male, serial=serial)
    if iin is None:
        return
    parsed = Iin.parse(iin.value)
    assert (parsed.birth_date, parsed.is_male) == (birth, is_male)


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_at_most_one_check_digit_is_accepted(text: str) -> None:
    """Of the ten possible check digits at most one is accepted for the same first eleven."""
    accepted = []
    for digit in "0123456789":
        try:
            Iin.parse(text[:11] + digit)
        except InvalidIin:
            continue
        accepted.append(digit)
    assert len(accepted) <= 1


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_check_digit_follows_the_published_two_pass_rule(first_eleven: str) -> None:
    """The check digit is the weighted sum mod 11 (weights 1…11, then 3…11,1,2), as published."""
    digits = [int(c) for c in first_eleven]
    first = sum(d * w for d, w in zip(digits, range(1, 12), strict=True)) % 11
    second = (
        sum(d * w for d, w in zip(digits, (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2), strict=True)) % 11
    )
    expected = first if first != 10 else (second if second != 10 else None)
    assert check_digit(first_eleven) == expected

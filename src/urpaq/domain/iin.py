"""The individual identification number (IIN) of Kazakhstan.

Twelve digits: ``YYMMDD`` (birth date), one digit for century and sex (1/2: 1800s,
3/4: 1900s, 5/6: 2000s; odd is male), a four-digit serial and a check digit.  The check
digit is the weighted sum of the first eleven digits modulo 11 with weights 1…11; if that
gives 10 the weights 3…11,1,2 are used instead; if that gives 10 again the number is
never issued.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_CENTURY_BY_DIGIT = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}


class InvalidIin(ValueError):
    """A text that is not a valid IIN; the message names the text and the reason."""

    def __init__(self, value: str, reason: str, problem: str = "format") -> None:
        super().__init__(f"IIN {value!r}: {reason}")
        self.value = value
        self.reason = reason
        # One of: format, century, birth_date, never_issued, check_digit.
        self.problem = problem


def check_digit(first_eleven: str) -> int | None:
    """The check digit for eleven digits, or None when no IIN can begin with them."""
    # Spelled out: the register feed checks millions of IINs, and this is its hot loop.
    d = [b - 48 for b in first_eleven.encode("ascii")]
    total = (
        d[0] + 2 * d[1] + 3 * d[2] + 4 * d[3] + 5 * d[4] + 6 * d[5]
        + 7 * d[6] + 8 * d[7] + 9 * d[8] + 10 * d[9] + 11 * d[10]
    ) % 11  # fmt: skip
    if total == 10:
        total = (
            3 * d[0] + 4 * d[1] + 5 * d[2] + 6 * d[3] + 7 * d[4] + 8 * d[5]
            + 9 * d[6] + 10 * d[7] + 11 * d[8] + d[9] + 2 * d[10]
        ) % 11  # fmt: skip
        if total == 10:
            return None
    return total


@dataclass(frozen=True, slots=True)
class Iin:
    """A valid IIN, with the birth date and sex it encodes."""

    value: str
    birth_date: dt.date
    is_male: bool

    @classmethod
    def parse(cls, text: str) -> Iin:
        """Read and check an IIN; raise `InvalidIin` naming the problem."""
        value = text.strip()
        if len(value) != 12 or not value.isascii() or not value.isdigit():
            raise InvalidIin(text, "must be exactly 12 digits", "format")
        century_digit = int(value[6])
        century = _CENTURY_BY_DIGIT.get(century_digit)
        if century is None:
            raise InvalidIin(
                text, f"7th digit {century_digit} is not a century-and-sex code 1-6", "century"
            )
        try:
            birth_date = dt.date(century + int(value[0:2]), int(value[2:4]), int(value[4:6]))
        except ValueError:
            raise InvalidIin(
                text, f"{value[0:6]} is not a valid birth date YYMMDD", "birth_date"
            ) from None
        expected = check_digit(value[:11])
        if expected is None:
            raise InvalidIin(text, "no IIN is issued with these first 11 digits", "never_issued")
        if expected != int(value[11]):
            raise InvalidIin(
                text, f"check digit is {value[11]}, expected {expected}", "check_digit"
            )
        return cls(value=value, birth_date=birth_date, is_male=century_digit % 2 == 1)

    @property
    def sex(self) -> str:
        return "male" if self.is_male else "female"

    def __str__(self) -> str:
        return self.value


def compose(*, birth_date: dt.date, is_male: bool, serial: int) -> Iin | None:
    """The IIN for a birth date, sex and serial, or None if that serial cannot be issued."""
    century_digit = {1800: 1, 1900: 3, 2000: 5}[birth_date.year // 100 * 100]
    if not is_male:
        century_digit += 1
    first_eleven = f"{birth_date:%y%m%d}{century_digit}{serial:04d}"
    digit = check_digit(first_eleven)
    if digit is None:
        return None
    return Iin(value=f"{first_eleven}{digit}", birth_date=birth_date, is_male=is_male)


#: What may stand between the digits of an IIN someone wrote: spaces of any width,
#: dots, dashes, underscores, zero-width spaces.
_GROUPING = re.compile(r"[\s._\-\u200b]+")
#: Twelve digits in a row, of any script (full-width, Arabic-Indic…: `\d` is Unicode's).
_TWELVE_DIGITS = re.compile(r"\d{12}")


def can_name_an_iin(text: str) -> bool:
    """Whether `text` could name an IIN: twelve digits in a row, of any script, perhaps
    grouped (`1506 1060 0015`).  For what must never repeat one (a page's links); it
    says nothing of whether the IIN is valid."""
    return _TWELVE_DIGITS.search(_GROUPING.sub("", text)) is not None

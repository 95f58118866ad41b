"""The National Bank's two inputs for a reporting year, with the source they came from;
and, in the back office, the inputs one staff member entered awaiting another's approval."""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass
from decimal import Decimal

from urpaq.domain.money import InvalidAmount, Money
from urpaq.domain.participation import FIRST_REPORTING_YEAR
from urpaq.domain.refusals import cut, quoted

RATE_MAX = Decimal("1")
#: The most decimal places a rate has as a fraction: the National Bank publishes four
#: or so; a rate of thousands of digits is a slip of the keyboard, not a rate.
RATE_PLACES_MAX = 12
#: A rate as a person writes it: ASCII digits, one decimal point (as the TR total).
_RATE_PATTERN = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
#: The last year a date can name.
YEAR_MAX = 9999
#: A TR total beyond any the programme could see, and well within what a database's
#: 64-bit integer of cents holds, summed over the years.
TR_TOTAL_MAX = Money(10**17)  # 1,000,000,000,000,000.00 USD
#: The longest reference to a letter or publication, in characters.
REFERENCE_LENGTH_MAX = 500


class InvalidParameters(ValueError):
    """Parameters that cannot be accepted; the message names the value and why."""


@dataclass(frozen=True, slots=True)
class YearParameters:
    """TR total and investment-income rate of a reporting year, and their reference."""

    year: int
    tr_total: Money
    ii_rate: Decimal
    reference: str

    def __post_init__(self) -> None:
        problems = year_problems(
            year=self.year, tr_total=self.tr_total, ii_rate=self.ii_rate, reference=self.reference
        )
        if problems:
            raise InvalidParameters(problems[0])


def year_problems(
    *,
    year: int | None = None,
    tr_total: Money | None = None,
    ii_rate: Decimal | None = None,
    reference: str | None = None,
) -> list[str]:
    """What is wrong with each of a year's inputs given (None: not checked here, as one
    that could not be read at all), each said on its own."""
    problems = []
    if year is not None and year < FIRST_REPORTING_YEAR:
        problems.append(
            f"year {year} is before the programme's first reporting year {FIRST_REPORTING_YEAR}"
        )
    if year is not None and year > YEAR_MAX:
        problems.append(f"year {year} is after {YEAR_MAX}")
    if tr_total is not None and tr_total.cents <= 0:
        problems.append(f"TR total {tr_total} must be positive")
    if tr_total is not None and tr_total.cents > TR_TOTAL_MAX.cents:
        problems.append(f"TR total {tr_total} must be at most {TR_TOTAL_MAX}")
    if ii_rate is not None and not (Decimal(0) <= ii_rate < RATE_MAX):
        problems.append(f"II rate {cut(str(ii_rate))} must be at least 0 and below 1")
    named = "" if year is None else f"year {year}: "
    if reference is not None and not reference.strip():
        problems.append(f"{named}a reference to the source is required")
    if reference is not None and not reference.isprintable():
        problems.append(f"{named}the reference {reference[:40]!r} holds control characters")
    return problems


def parse_rate(text: str) -> Decimal:
    """Read a rate written as a decimal fraction (``0.0297``) or percent (``2.97%``), in
    ASCII digits: another script's digits (``٠.٠٣``, ``０.０３``) are refused, as in the
    TR total, rather than read as what they might mean."""
    cleaned = text.strip()
    percent = cleaned.endswith("%")
    number = cleaned.removesuffix("%").strip()
    if not _RATE_PATTERN.fullmatch(number):
        raise InvalidParameters(
            f"II rate {quoted(text)} is not a decimal number in ASCII digits"
            " (a fraction such as 0.0297, or a percentage such as 2.97%)"
        )
    rate = Decimal(number) / 100 if percent else Decimal(number)
    if not rate:
        rate = abs(rate)  # `-0` is 0 (it was kept, and shown, as -0)
    if rate and -int(rate.normalize().as_tuple().exponent) > RATE_PLACES_MAX:
        # Checked as the rate is entered, not as it is read back: a rate stored before
        # this limit still closes its year.
        raise InvalidParameters(
            f"II rate {quoted(text)} has more than {RATE_PLACES_MAX} decimal places (as a fraction)"
        )
    return rate


def year_parameters(*, year: int, tr_total: str, ii_rate: str, reference: str) -> YearParameters:
    """The inputs of a year as a person writes them (`urpaq parameters set`, the back
    office's form): the TR total in USD with at most two decimals, the rate as a decimal
    fraction or a percentage; `InvalidParameters` names the value refused."""
    try:
        total = Money.parse(tr_total)
    except InvalidAmount as error:
        raise InvalidParameters(f"TR total: {error}") from None
    check_reference_length(reference)
    return YearParameters(
        year=year, tr_total=total, ii_rate=parse_rate(ii_rate), reference=reference
    )


def check_reference_length(reference: str) -> None:
    """A reference entered now is at most `REFERENCE_LENGTH_MAX` characters (those
    recorded before the limit are read as they are)."""
    if len(reference) > REFERENCE_LENGTH_MAX:
        raise InvalidParameters(
            f"the reference {reference[:40]!r}… is {len(reference)} characters long,"
            f" at most {REFERENCE_LENGTH_MAX}"
        )


class ProposalDecision(enum.StrEnum):
    """What became of inputs entered in the back office."""

    APPROVED = "approved"  # by another staff member: they are the year's parameters
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # newer inputs for the year were entered before a decision


@dataclass(frozen=True, slots=True)
class ParameterProposal:
    """The inputs of a year as one staff member entered them: they become the year's
    parameters only when another approves them (four eyes), and a close is refused while
    they await that."""

    proposal_id: int
    parameters: YearParameters
    entered_by: str  # the actor, `staff:USER`
    entered_at: dt.datetime  # UTC
    decision: ProposalDecision | None = None
    decided_by: str | None = None
    decided_at: dt.datetime | None = None

    @property
    def year(self) -> int:
        return self.parameters.year

    @property
    def awaiting(self) -> bool:
        return self.decision is None

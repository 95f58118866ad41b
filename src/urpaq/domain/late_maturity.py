"""People who *mature late*: their maturity close has passed, and only a later close sees
them a participant of their maturity year.

A person born in year b matures at the close of M = b + 17 (they turn 18 in M + 1).  A
death or loss recorded in error before that close and withdrawn after it, or a child
first recorded after it, leaves them holding nothing at M, and at every later close they
are out of age.  programme.md ("Corrections"; "a child recorded late gets the difference
as a back-accrual") asks that they be restored in full, so the first close of Y > M whose
view sees them a participant of M — when the view of the close of M did not, and the
ledger has never credited them target savings — pays them, from its pot, what their
entry-year class e held after the close of M, B(e, M), as a back-accrual, and credits
that amount to their target savings at once.  Maturity is final: someone credited
target savings before is never paid again.

The rule is written twice, as the participation rule is: here, person by person, for the
stores that hold the register in memory (the tests' `tests/fakes.py`), and in SQL,
set-based, for the close of both databases (`adapters/sql/standing.py:
late_maturities_sql`, `late_maturing_sql`): a change to one is a change to the other.
What the close pays them is `domain/close.py: late_maturity_lines`. A statement shows
the close's lines for them at the close whose maturity entry credited them
(`domain/statement.py`), as the ledger says: never at a close that did not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from urpaq.domain.invariants import require
from urpaq.domain.participation import (
    AGE_SPAN_YEARS,
    FIRST_REPORTING_YEAR,
    Fact,
    View,
    participation_in,
)


@dataclass(frozen=True, slots=True)
class LateMaturity:
    """`count` people who mature late at a close: participants of `maturity_year` in the
    class of `entry_year`, as that close sees the register."""

    entry_year: int
    maturity_year: int
    count: int

    def __post_init__(self) -> None:
        require(self.count > 0, "a late maturity names at least one person")
        require(
            FIRST_REPORTING_YEAR <= self.entry_year <= self.maturity_year,
            "a participant of the maturity year entered the programme by then",
        )


def late_maturity_years(*, year: int) -> range:
    """The maturity years M whose people the close of `year` may find maturing late:
    every closed year of the programme before `year`."""
    return range(FIRST_REPORTING_YEAR, year)


def matures_late(
    *,
    birth_date: dt.date,
    facts: Sequence[Fact],
    year: int,
    view: View,
    at_maturity: View | None,
    credited_before: bool,
) -> int | None:
    """The entry year of a person who matures late at the close of `year` (seeing the
    register through `view`; `at_maturity` is the view of the close of their maturity
    year, None if there was none), else None.

    `credited_before` says whether the person was ever credited target savings: maturity
    is final, so such a person never matures late.  It is the ledger, not an earlier
    close's view, that says whether they were paid: a close run before this rule saw
    such a person and paid nothing, and the next close pays them.
    """
    maturity_year = birth_date.year + AGE_SPAN_YEARS
    if credited_before or maturity_year not in late_maturity_years(year=year):
        return None
    now = participation_in(maturity_year, birth_date=birth_date, facts=facts, view=view)
    if not now.is_participant:
        return None
    if at_maturity is not None:  # who was a participant at their maturity close matured
        then = participation_in(maturity_year, birth_date=birth_date, facts=facts, view=at_maturity)
        if then.is_participant:
            return None
    return now.entry_year

"""The close calendar: when the close of a reporting year is due, and from when the
register may be seen for it.

The accrual of Y is made no later than 1 February of Y+1, or, when that is not a working
day, on the working day before it; the register snapshot is taken after 20 January of
Y+1.  Which days are working days is Kazakhstan's calendar, an outside fact: the caller
passes it in (`adapters/calendar.py: is_working_day`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from urpaq.domain.invariants import require

#: The accrual of Y is made no later than this day of Y+1 (month, day).
DUE_BY = (2, 1)
#: The register snapshot of the close of Y is taken after this day of Y+1 (month, day).
SNAPSHOT_AFTER = (1, 20)
#: A bound on the days walked back from 1 February: no calendar has a month off.
_DAYS_WALKED_BACK_MAX = 31

IsWorkingDay = Callable[[dt.date], bool]


@dataclass(frozen=True, slots=True)
class CloseCalendar:
    """The dates of the close of one reporting year."""

    year: int
    #: The last day on which the accrual may be made: 1 February of Y+1, or the working
    #: day before it.
    due_on: dt.date
    #: The register snapshot is taken after this day: an as-of date on or before it sees
    #: the register too early.
    snapshot_after: dt.date

    def on_time(self, as_of: dt.date) -> bool:
        """Whether a close dated `as_of` (its entries and its crediting carry that date)
        is made by its due date."""
        return as_of <= self.due_on

    def snapshot_too_early(self, as_of: dt.date) -> bool:
        """Whether a close seeing the register as of `as_of` takes it before the day
        after which the snapshot is taken."""
        return as_of <= self.snapshot_after


def close_calendar(year: int, *, is_working_day: IsWorkingDay) -> CloseCalendar:
    """The due date and the snapshot date of the close of reporting year `year`, on the
    working-day calendar `is_working_day`."""
    month, day = DUE_BY
    due = dt.date(year + 1, month, day)
    for _ in range(_DAYS_WALKED_BACK_MAX):
        if is_working_day(due):
            break
        due -= dt.timedelta(days=1)
    require(is_working_day(due), f"no working day in the month before 1 February {year + 1}")
    month, day = SNAPSHOT_AFTER
    return CloseCalendar(year=year, due_on=due, snapshot_after=dt.date(year + 1, month, day))

"""Kazakhstan's working-day calendar, from the `holidays` library: public holidays, days
off moved onto weekdays, and weekend days made working days by government decree."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

from urpaq.domain.payouts import RETURN_AFTER_WORKING_DAYS


@lru_cache(maxsize=1)
def _kazakhstan() -> holidays.HolidayBase:
    return holidays.country_holidays("KZ")


def is_working_day(day: dt.date) -> bool:
    """Whether `day` is a working day in Kazakhstan."""
    return bool(_kazakhstan().is_working_day(day))


@lru_cache(maxsize=4096)
def working_days_after(start: dt.date, count: int) -> dt.date:
    """The `count`-th working day after `start` in Kazakhstan.  Kept: every payout of a
    day asks the same, which the `holidays` library answers walking day by day."""
    return _kazakhstan().get_nth_working_day(start, count)


def return_due_on(credited_on: dt.date) -> dt.date:
    """The last day on which an authorised operator may confirm the use of a payout
    credited on `credited_on`; unconfirmed money returns after it."""
    return working_days_after(credited_on, RETURN_AFTER_WORKING_DAYS)

"""Kazakhstan's time: the programme's days are Kazakhstan's, whatever the machine's zone."""

from __future__ import annotations

import datetime as dt

#: Kazakhstan keeps one time zone, UTC+5, since 1 March 2024; "today" is Kazakhstan's.
KAZAKHSTAN = dt.timezone(dt.timedelta(hours=5), "Asia/Almaty")


def day_begins(day: dt.date) -> dt.datetime:
    """The moment a day in Kazakhstan begins, in UTC (the previous day at 19:00; for the
    first day there is, its own start)."""
    if day == dt.date.min:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    return dt.datetime.combine(day, dt.time(), tzinfo=KAZAKHSTAN).astimezone(dt.UTC)

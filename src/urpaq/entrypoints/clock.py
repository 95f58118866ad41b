"""The programme's clock: "today" is Kazakhstan's date, whatever the machine's time zone.

The clock is read here, at the edge, by the commands and the server alike, and passed down
as a date; the domain and the services never read it.
"""

from __future__ import annotations

import datetime as dt

from urpaq.domain.kazakhstan_time import KAZAKHSTAN


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def kazakhstan_date(moment: dt.datetime) -> dt.date:
    """The date in Kazakhstan at `moment` (an aware time)."""
    return moment.astimezone(KAZAKHSTAN).date()


def today() -> dt.date:
    """Today's date in Kazakhstan."""
    return kazakhstan_date(utc_now())

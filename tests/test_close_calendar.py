"""The close calendar: the due date on Kazakhstan's working days, and the snapshot date."""

from __future__ import annotations

import datetime as dt

import pytest

from urpaq.adapters.calendar import is_working_day
from urpaq.domain.close_calendar import close_calendar
from urpaq.domain.invariants import InvariantBroken


@pytest.mark.parametrize(
    ("year", "due_on"),
    [
        pytest.param(2023, "2024-02-01", id="1 Feb 2024 was a Thursday"),
        pytest.param(2024, "2025-01-31", id="1 Feb 2025 was a Saturday: the Friday before"),
        pytest.param(2025, "2026-01-30", id="1 Feb 2026 was a Sunday: the Friday before"),
        pytest.param(2026, "2027-02-01", id="1 Feb 2027 is a Monday"),
    ],
)
def test_the_close_is_due_on_1_february_or_the_working_day_before_it(
    year: int, due_on: str
) -> None:
    calendar = close_calendar(year, is_working_day=is_working_day)

    assert calendar.due_on == dt.date.fromisoformat(due_on)
    assert calendar.snapshot_after == dt.date(year + 1, 1, 20)


def test_the_due_date_walks_back_over_every_day_off() -> None:
    """A calendar passed in decides: here the whole last week of January is off."""
    days_off = {dt.date(2026, 2, 1)} | {dt.date(2026, 1, day) for day in range(24, 32)}

    calendar = close_calendar(2025, is_working_day=lambda day: day not in days_off)

    assert calendar.due_on == dt.date(2026, 1, 23)


def test_a_calendar_without_working_days_is_a_bug() -> None:
    with pytest.raises(InvariantBroken, match="no working day"):
        close_calendar(2025, is_working_day=lambda day: False)


def test_on_time_up_to_the_due_date_and_the_snapshot_only_after_20_january() -> None:
    calendar = close_calendar(2025, is_working_day=is_working_day)

    assert calendar.on_time(dt.date(2026, 1, 30))
    assert not calendar.on_time(dt.date(2026, 1, 31))
    assert calendar.snapshot_too_early(dt.date(2026, 1, 20))
    assert not calendar.snapshot_too_early(dt.date(2026, 1, 21))


@pytest.mark.parametrize(
    ("day", "working"),
    [
        pytest.param("2025-01-03", False, id="Fri 3 Jan 2025: the day off moved from Sunday"),
        pytest.param("2025-01-05", True, id="Sun 5 Jan 2025: made a working day"),
        pytest.param("2025-03-21", False, id="Nauryz"),
        pytest.param("2025-12-16", False, id="Independence Day"),
        pytest.param("2025-12-15", True, id="an ordinary Monday"),
    ],
)
def test_the_days_moved_by_decree_are_the_calendar_s(day: str, working: bool) -> None:
    """A payout's return date is its 45th working day: a `holidays` release that knew
    fewer decrees (0.58 knew neither 2025 move) gave other dates, hence its lower bound."""
    assert is_working_day(dt.date.fromisoformat(day)) is working

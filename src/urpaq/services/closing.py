"""The annual close of a reporting year.

The story: in a read-only snapshot, check the year may be closed, fix what the close sees
of the register and count the movements of people set-based; let the domain compute every
amount; then, holding the writer only for that, check nothing it depends on changed and
write it all in one unit of work.  Closing a closed year again returns what it returned
the first time.  A preview does all of it and then discards what it wrote.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from urpaq.domain.accrual import Schedule
from urpaq.domain.close import ClosedView, CloseResult, check_close_allowed, plan_close
from urpaq.domain.close_calendar import CloseCalendar, IsWorkingDay, close_calendar
from urpaq.domain.movements import Movement, Outcome, born_citizen_movement
from urpaq.domain.participation import View
from urpaq.services.ports.closes import BirthCount, ClosedRecord, StandingCount
from urpaq.services.ports.unit_of_work import UnitOfWork

Progress = Callable[[str], None]

#: How often a close counts again when other writes overtook it between counting and
#: writing (another close, new parameters); each time is a few seconds at national scale.
CLOSE_ATTEMPTS_MAX = 3


class CloseContended(RuntimeError):
    """Other writes kept changing what the close depends on while it counted."""


@dataclass(frozen=True, slots=True)
class CloseReport:
    """What `urpaq close` prints: the published figures, the as-of date of the close (a
    closed year's own, whatever was asked) and its calendar."""

    result: CloseResult
    as_of: dt.date
    calendar: CloseCalendar

    @property
    def on_time(self) -> bool:
        return self.calendar.on_time(self.as_of)

    @property
    def snapshot_too_early(self) -> bool:
        return self.calendar.snapshot_too_early(self.as_of)

    def as_json(self) -> dict[str, object]:
        """The published figures, then the dates of the close."""
        return {
            **self.result.as_json(),
            "as_of": self.as_of.isoformat(),
            "due_on": self.calendar.due_on.isoformat(),
            "on_time": self.on_time,
            "snapshot_after": self.calendar.snapshot_after.isoformat(),
        }


def closes(uow: UnitOfWork, *, is_working_day: IsWorkingDay) -> list[CloseReport]:
    """Every close made, in order of reporting year, as it was reported, with its dates."""
    return [
        CloseReport(
            result=record.result,
            as_of=record.closed.view.as_of,
            calendar=close_calendar(record.closed.year, is_working_day=is_working_day),
        )
        for record in uow.closes.closed_years()
    ]


def close_year(
    uow: UnitOfWork,
    *,
    year: int,
    as_of: dt.date,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> CloseResult:
    """Close reporting year `year` seeing the register as recorded by `as_of`.

    Raises `CloseRefused` (with its code) when the year cannot be closed
    (`domain/close.py: check_close_allowed`).  With `today`, an as-of date after it is
    refused: nobody can know what the register will record.
    """
    result, _ = _close(uow, year=year, as_of=as_of, today=today, progress=progress)
    return result


def close_report(
    uow: UnitOfWork,
    *,
    year: int,
    as_of: dt.date,
    is_working_day: IsWorkingDay,
    today: dt.date | None = None,
    preview: bool = False,
    progress: Progress | None = None,
) -> CloseReport:
    """The close of `year` as `close_year` runs it, with its dates on the working-day
    calendar `is_working_day`.

    With `preview` the whole close is computed, written and checked as a close is, then
    discarded (`UnitOfWork.discard`): nothing is kept, and what it reports is what the
    close would report.  A closed year is reported as it was closed, as closing it again
    does; a close that would be refused is refused.
    """
    result, closed_as_of = _close(
        uow, year=year, as_of=as_of, today=today, progress=progress, preview=preview
    )
    calendar = close_calendar(year, is_working_day=is_working_day)
    return CloseReport(result=result, as_of=closed_as_of, calendar=calendar)


def _close(
    uow: UnitOfWork,
    *,
    year: int,
    as_of: dt.date,
    today: dt.date | None,
    progress: Progress | None,
    preview: bool = False,
) -> tuple[CloseResult, dt.date]:
    """The close of `year` and the as-of date it was made as of."""
    step = progress or (lambda _: None)
    for _ in range(CLOSE_ATTEMPTS_MAX):
        with uow.snapshot():  # counting takes seconds; the writer is not held meanwhile
            closed = uow.closes.closed_years()
            done = _done(closed, year)
            if done is not None:
                return done
            previous = closed[-1].closed if closed else None
            parameters = check_close_allowed(
                year=year,
                as_of=as_of,
                today=today,
                previous=previous,
                parameters=uow.parameters.parameters_for(year),
                awaiting=uow.proposals.awaiting(year),
            )
            view = View(as_of=as_of, watermark=uow.register.watermark())
            step("counting participants")
            before = previous.view if previous else None
            standings, births = uow.closes.standing_counts(year=year, view=view, previous=before)
            late = uow.closes.late_maturities(year=year, view=view)
        step("computing amounts")
        schedule = Schedule([record.closed.as_closed_year() for record in closed])
        plan = plan_close(
            parameters=parameters,
            schedule=schedule,
            movements=movements_of(standings, births, year=year),
            late=late,
        )
        with uow:  # the writer, only while the close is written
            # The view fixes what the register shows the close, whatever was imported
            # since; another close, new parameters or inputs entered for approval
            # meanwhile mean counting again (and asking again whether it may run).
            now_closed = uow.closes.closed_years()
            done = _done(now_closed, year)
            if done is not None:
                return done
            if (
                now_closed != closed
                or uow.parameters.parameters_for(year) != parameters
                or uow.proposals.awaiting(year) is not None
            ):
                continue
            step("writing the ledger")
            uow.closes.save_close(
                result=plan.result,
                closed=ClosedView(year, view, plan.closed_year.per_child, plan.closed_year.ii_rate),
                entries=plan.entries,
                maturity=plan.maturity,
            )
            if preview:
                step("checking, and writing nothing")
                uow.discard()
            else:
                step("committing")
                uow.commit()
            return plan.result, as_of
    raise CloseContended(
        f"the close of {year} was overtaken {CLOSE_ATTEMPTS_MAX} times by other writes"
    )


def _done(closed: list[ClosedRecord], year: int) -> tuple[CloseResult, dt.date] | None:
    """What the close of `year` printed and its as-of date, if it ran: closing it again
    is a no-op."""
    for record in closed:
        if record.closed.year == year:
            return record.result, record.closed.view.as_of
    return None


def movements_of(
    standings: list[StandingCount], births: list[BirthCount], *, year: int
) -> list[Movement]:
    """The counts of the register as the domain's movements: people with events as
    counted, people with only a birth record by the domain's rule for their birth year."""
    counts: dict[tuple[int | None, Outcome, int | None, bool], int] = {}
    moves = [Movement(s.held_class, s.outcome, s.entry_year, s.matures, s.count) for s in standings]
    for birth in births:
        for seen_before, count in ((True, birth.seen_before), (False, birth.seen_now_only)):
            if count == 0:
                continue
            move = born_citizen_movement(
                birth_year=birth.birth_year, seen_before=seen_before, year=year, count=count
            )
            if move is not None:
                moves.append(move)
    for move in moves:
        key = (move.held_class, move.outcome, move.entry_year, move.matures)
        counts[key] = counts.get(key, 0) + move.count
    return [
        Movement(held_class=held, outcome=outcome, entry_year=entry, matures=matures, count=n)
        for (held, outcome, entry, matures), n in sorted(counts.items(), key=str)
    ]

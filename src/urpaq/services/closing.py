"""The annual close of a reporting year.

The story: check the year may be closed, fix what the close sees of the register, count
the movements of people set-based, let the domain compute every amount, write it all in
one unit of work.  Closing a closed year again returns what it returned the first time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from urpaq.domain.accrual import Schedule
from urpaq.domain.close import (
    CloseRefused,
    CloseResult,
    Movement,
    Outcome,
    born_citizen_movement,
    plan_close,
)
from urpaq.domain.participation import FIRST_REPORTING_YEAR, View
from urpaq.domain.statement import ClosedView
from urpaq.services.ports.closes import BirthCount, StandingCount
from urpaq.services.ports.unit_of_work import UnitOfWork

Progress = Callable[[str], None]


def close_year(
    uow: UnitOfWork,
    *,
    year: int,
    as_of: dt.date,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> CloseResult:
    """Close reporting year `year` seeing the register as recorded by `as_of`.

    Raises `CloseRefused` (with its code) when the year cannot be closed.  With `today`,
    an as-of date after it is refused: nobody can know what the register will record.
    """
    step = progress or (lambda _: None)
    with uow:
        closed = uow.closes.closed_years()
        for record in closed:
            if record.closed.year == year:
                return record.result
        previous = closed[-1].closed if closed else None
        if year < FIRST_REPORTING_YEAR:
            raise CloseRefused(
                "before_programme",
                f"reporting year {year} is before the programme's first year "
                f"{FIRST_REPORTING_YEAR}",
            )
        last_closed = previous.year if previous else FIRST_REPORTING_YEAR - 1
        if year != last_closed + 1:
            raise CloseRefused(
                "out_of_order",
                f"reporting year {year} cannot be closed before {last_closed + 1}",
            )
        if as_of <= dt.date(year, 12, 31):
            raise CloseRefused(
                "year_not_over",
                f"as-of date {as_of} is not after the end of reporting year {year}",
            )
        if today is not None and as_of > today:
            raise CloseRefused("as_of_in_future", f"as-of date {as_of} is after today ({today})")
        if previous is not None and as_of < previous.view.as_of:
            raise CloseRefused(
                "as_of_before_previous",
                f"as-of date {as_of} is before the as-of date {previous.view.as_of} "
                f"of the close of {previous.year}",
            )
        parameters = uow.parameters.parameters_for(year)
        if parameters is None:
            raise CloseRefused(
                "no_parameters",
                f"no National Bank parameters for {year}: run `urpaq parameters set {year}`",
            )
        view = View(as_of=as_of, watermark=uow.register.watermark())
        step("counting participants")
        standings, births = uow.closes.standing_counts(
            year=year, view=view, previous=previous.view if previous else None
        )
        movements = movements_of(standings, births, year=year)
        schedule = Schedule([record.closed.as_closed_year() for record in closed])
        step("computing amounts")
        plan = plan_close(parameters=parameters, schedule=schedule, movements=movements)
        step("writing the ledger")
        uow.closes.save_close(
            result=plan.result,
            closed=ClosedView(year, view, plan.closed_year.per_child, plan.closed_year.ii_rate),
            entries=plan.entries,
            maturity=plan.maturity,
        )
        step("committing")
        uow.commit()
    return plan.result


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

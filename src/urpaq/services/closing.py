"""The annual close of a reporting year.

The story: check the year may be closed, fix what the close sees of the register, count
the movements of people set-based, let the domain compute every amount, write it all in
one unit of work.  Closing a closed year again returns what it returned the first time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from urpaq.domain.accrual import Schedule
from urpaq.domain.close import ClosedView, CloseResult, check_close_allowed, plan_close
from urpaq.domain.movements import Movement, Outcome, born_citizen_movement
from urpaq.domain.participation import View
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

    Raises `CloseRefused` (with its code) when the year cannot be closed
    (`domain/close.py: check_close_allowed`).  With `today`, an as-of date after it is
    refused: nobody can know what the register will record.
    """
    step = progress or (lambda _: None)
    with uow:
        closed = uow.closes.closed_years()
        for record in closed:
            if record.closed.year == year:
                return record.result
        previous = closed[-1].closed if closed else None
        parameters = check_close_allowed(
            year=year,
            as_of=as_of,
            today=today,
            previous=previous,
            parameters=uow.parameters.parameters_for(year),
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

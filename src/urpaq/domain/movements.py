"""How people move at a close: from the class they held after the previous close to
their outcome now.

The close sees every person in two standings — what they held after the previous close
(their entry-year class then, or nothing) and their standing now — and people with the
same pair of standings move alike.  A *movement* is such a group with its count; the
close computes money per movement (`domain/close.py`), never per child.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from urpaq.domain.invariants import require
from urpaq.domain.participation import (
    AGE_SPAN_YEARS,
    Fact,
    Participation,
    Status,
    View,
    is_maturing,
    participation_in,
)
from urpaq.domain.register import RecordKind

SEES_ALL = View(as_of=dt.date.max, watermark=2**62)


class Outcome(enum.StrEnum):
    """What the close does with a person: keep them in a class, or take their balance."""

    PARTICIPATES = "participates"
    # Lost citizenship during the year and regained it: the old participation ended
    # (its balance forfeited) and a new one began from zero.
    RESTARTS = "restarts"
    FORFEITS = "forfeits"
    ANNULLED = "annulled"

    @property
    def is_participant(self) -> bool:
        return self in (Outcome.PARTICIPATES, Outcome.RESTARTS)


def outcome_of(participation: Participation, *, year: int) -> Outcome:
    """The outcome at the close of `year` for a person with this standing."""
    if participation.is_participant:
        last_loss = participation.last_loss
        if last_loss is not None and last_loss.year == year:
            return Outcome.RESTARTS
        return Outcome.PARTICIPATES
    if participation.status is Status.ANNULLED:
        return Outcome.ANNULLED
    # Policy default: a participant who dies under 18 forfeits, like loss of citizenship.
    return Outcome.FORFEITS


@dataclass(frozen=True, slots=True)
class Movement:
    """`count` people who held `held_class` and now have `outcome` (in `entry_year`)."""

    held_class: int | None
    outcome: Outcome
    entry_year: int | None
    matures: bool
    count: int

    def __post_init__(self) -> None:
        require(self.count > 0, "a movement names at least one person")
        require(
            self.outcome.is_participant == (self.entry_year is not None),
            "a participant has an entry year and nobody else has one",
        )
        require(not self.matures or self.outcome.is_participant, "only a participant matures")


def movement_of(
    *, before: Participation | None, now: Participation, birth_year: int, year: int, count: int = 1
) -> Movement | None:
    """How `count` people with these standings at the closes of `year − 1` and `year` move,
    or None when the close of `year` has nothing to do with them."""
    held_class = None
    # Someone who matured at the previous close (born in year − 18) holds no TR any more.
    if before is not None and before.is_participant and birth_year >= year - AGE_SPAN_YEARS:
        held_class = before.entry_year
    outcome = outcome_of(now, year=year)
    if held_class is None and not outcome.is_participant:
        return None
    return Movement(
        held_class=held_class,
        outcome=outcome,
        entry_year=now.entry_year if outcome.is_participant else None,
        matures=outcome.is_participant and is_maturing(birth_year, year=year),
        count=count,
    )


def born_citizen_movement(
    *, birth_year: int, seen_before: bool, year: int, count: int
) -> Movement | None:
    """How people move whose only record is citizenship by birth, in a birth year of the
    programme, seen by the close of `year` and (or not) by the previous close."""
    birth_date = dt.date(birth_year, 1, 1)
    record = [Fact(RecordKind.BORN_CITIZEN, birth_date, birth_date, 0)]
    before = participation_in(
        year - 1, birth_date=birth_date, facts=record if seen_before else [], view=SEES_ALL
    )
    now = participation_in(year, birth_date=birth_date, facts=record, view=SEES_ALL)
    return movement_of(before=before, now=now, birth_year=birth_year, year=year, count=count)

"""Who takes part in the programme in a reporting year, as the register knows it.

A participant of year Y is a person who, by the register records a close can see, is a
citizen, alive and born in Y−17 … Y at the end of 31 December Y.  The *entry year* is
the later of the programme's first reporting year and the year the person's current
uninterrupted citizenship began (birth, or acquisition after birth).

This module is the rule.  The database adapters compute the same thing set-based for
millions of people at once; a property test holds the two to agreement.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from urpaq.domain.register import DEATHS, GAINS, LOSSES, RecordKind

FIRST_REPORTING_YEAR = 2023
AGE_SPAN_YEARS = 17  # born in Y−17 … Y: under 18 at the end of 31 December Y


@dataclass(frozen=True, slots=True)
class Fact:
    """A stored register record, reduced to what participation depends on."""

    kind: RecordKind
    effective_date: dt.date
    recorded_on: dt.date
    sequence: int  # the order in which the system imported it


@dataclass(frozen=True, slots=True)
class View:
    """What one close sees of the register: recorded by `as_of`, imported by `watermark`.

    The watermark makes an old close repeatable: a record imported after the close ran,
    even one recorded long ago, is an adjustment for the next close, never a change to
    what this close saw.
    """

    as_of: dt.date
    watermark: int

    def sees(self, fact: Fact) -> bool:
        return fact.recorded_on <= self.as_of and fact.sequence <= self.watermark


class Status(enum.StrEnum):
    PARTICIPANT = "participant"
    ANNULLED = "annulled"
    DECEASED = "deceased"
    NOT_CITIZEN = "not_citizen"
    OUT_OF_AGE = "out_of_age"


@dataclass(frozen=True, slots=True)
class Participation:
    """A person's standing in one reporting year."""

    status: Status
    entry_year: int | None = None
    last_loss: dt.date | None = None  # for a participant: the loss before the current citizenship

    @property
    def is_participant(self) -> bool:
        return self.status is Status.PARTICIPANT


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def is_birth_year_in_programme(birth_year: int, *, year: int) -> bool:
    """True when a person born in `birth_year` is under 18 at the end of `year`."""
    return year - AGE_SPAN_YEARS <= birth_year <= year


def participation_in(
    year: int, *, birth_date: dt.date, facts: Iterable[Fact], view: View
) -> Participation:
    """The person's standing at the end of 31 December `year`, as `view` sees the register."""
    end = year_end(year)
    annulled = False
    deceased = False
    gains: list[dt.date] = []
    losses: list[dt.date] = []
    for fact in facts:
        if not view.sees(fact):
            continue
        if fact.kind is RecordKind.RECORD_ANNULLED:
            # An annulment says the person never had the right: it reaches back to the
            # beginning, whatever date it took effect.
            annulled = True
        elif fact.effective_date > end:
            continue
        elif fact.kind in DEATHS:
            deceased = True
        elif fact.kind in GAINS:
            gains.append(fact.effective_date)
        elif fact.kind in LOSSES:
            losses.append(fact.effective_date)
    if annulled:
        return Participation(Status.ANNULLED)
    if deceased:
        return Participation(Status.DECEASED)
    last_loss = max(losses, default=None)
    # A loss and a gain on the same day end the citizenship: the gain must come after.
    current = [gain for gain in gains if last_loss is None or gain > last_loss]
    if not current:
        return Participation(Status.NOT_CITIZEN)
    if not is_birth_year_in_programme(birth_date.year, year=year):
        return Participation(Status.OUT_OF_AGE)
    entry_year = max(FIRST_REPORTING_YEAR, min(current).year)
    return Participation(Status.PARTICIPANT, entry_year=entry_year, last_loss=last_loss)


def is_maturing(birth_year: int, *, year: int) -> bool:
    """True when a participant of `year` turns 18 in the next year and so matures at its close."""
    return birth_year == year - AGE_SPAN_YEARS

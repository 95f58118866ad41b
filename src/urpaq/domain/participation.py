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

from urpaq.domain.register import DEATHS, GAINS, LOSSES, NOT_BEARING, RecordKind

FIRST_REPORTING_YEAR = 2023
#: A watermark above every record's sequence number: a view of all that was imported.
WHOLE_REGISTER = 2**62
AGE_SPAN_YEARS = 17  # born in Y−17 … Y: under 18 at the end of 31 December Y


@dataclass(frozen=True, slots=True)
class Fact:
    """A stored register record, reduced to what participation depends on."""

    kind: RecordKind
    effective_date: dt.date
    recorded_on: dt.date
    sequence: int  # the order in which the system imported it
    #: When the register withdrew it (programme.md, "Corrections"): the withdrawal's
    #: recorded_on and sequence; None while no withdrawal names it.
    withdrawn_on: dt.date | None = None
    withdrawn_sequence: int | None = None


@dataclass(frozen=True, slots=True)
class View:
    """What one close sees of the register: recorded by `as_of`, imported by `watermark`.

    The watermark makes an old close repeatable: a record imported after the close ran,
    even one recorded long ago, is an adjustment for the next close, never a change to
    what this close saw.
    """

    as_of: dt.date
    watermark: int

    def records(self, fact: Fact) -> bool:
        """Whether the register had recorded the fact, as this view sees it."""
        return fact.recorded_on <= self.as_of and fact.sequence <= self.watermark

    def withdraws(self, fact: Fact) -> bool:
        """Whether this view sees the fact recorded and then withdrawn."""
        return (
            self.records(fact)
            and fact.withdrawn_on is not None
            and fact.withdrawn_sequence is not None
            and fact.withdrawn_on <= self.as_of
            and fact.withdrawn_sequence <= self.watermark
        )

    def sees(self, fact: Fact) -> bool:
        """Whether the fact counts in this view: recorded, and not withdrawn."""
        return self.records(fact) and not self.withdraws(fact)


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """A person's register record as stored: its fact, its id and what it withdraws."""

    record_id: str
    fact: Fact
    retracts: str | None = None


def with_withdrawals(records: Iterable[StoredRecord]) -> list[Fact]:
    """One person's facts, each marked with the withdrawal that names it, if any (a
    withdrawal always names a record of the same person)."""
    listed = list(records)
    withdrawals = {r.retracts: r.fact for r in listed if r.retracts is not None}
    facts = []
    for record in listed:
        withdrawal = withdrawals.get(record.record_id)
        fact = record.fact
        if withdrawal is not None:
            fact = Fact(
                fact.kind,
                fact.effective_date,
                fact.recorded_on,
                fact.sequence,
                withdrawn_on=withdrawal.recorded_on,
                withdrawn_sequence=withdrawal.sequence,
            )
        facts.append(fact)
    return facts


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
    withdrew = False
    remains = False
    gains: list[dt.date] = []
    losses: list[dt.date] = []
    for fact in facts:
        if view.withdraws(fact):
            withdrew = True
        if not view.sees(fact):
            continue
        remains = remains or fact.kind not in NOT_BEARING
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
    if annulled or (withdrew and not remains):
        # A person none of whose records remains never had the right: annulled.
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

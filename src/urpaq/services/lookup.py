"""The public participant lookup: from which reporting year a child participates and how
much has been credited — nothing else about the person."""

from __future__ import annotations

from dataclasses import dataclass

from urpaq.domain.iin import Iin
from urpaq.domain.money import Money
from urpaq.domain.projection import Assumption, Projection, project
from urpaq.domain.statement import StatementStatus
from urpaq.services.ports.unit_of_work import UnitOfWork
from urpaq.services.statements import statement_in_snapshot


@dataclass(frozen=True, slots=True)
class LookupAnswer:
    participant_since: int
    total_credited: Money  # target requirements, investment income included
    last_closed_year: int
    projection: Projection


def look_up_participant(uow: UnitOfWork, *, iin: Iin) -> LookupAnswer | None:
    """The answer for a current participant; None for anyone else (unknown to the
    register, never or no longer a participant, or adult), who all look the same."""
    with uow.snapshot():  # the statement and the last close, as of one moment
        closes = uow.closes.closed_years()
        statement = statement_in_snapshot(uow, iin=iin, records=closes)
    if statement.status is not StatementStatus.PARTICIPANT or statement.participant_since is None:
        return None
    last = closes[-1]
    latest = Assumption(
        ii_rate=last.closed.ii_rate,
        participants=last.result.participants,
        tr_total=last.result.tr_total,
    )
    return LookupAnswer(
        participant_since=statement.participant_since,
        total_credited=statement.target_requirements,
        last_closed_year=last.closed.year,
        projection=project(
            balance=statement.target_requirements,
            birth_year=iin.birth_date.year,
            last_closed_year=last.closed.year,
            latest=latest,
        ),
    )

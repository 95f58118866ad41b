"""Record the National Bank's inputs for a reporting year: at once from the command line
(the administrator's path), or in the back office entered by one staff member and
approved by another (four eyes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from urpaq.domain.parameters import (
    ParameterProposal,
    ProposalDecision,
    YearParameters,
)
from urpaq.domain.participation import FIRST_REPORTING_YEAR
from urpaq.domain.refusals import Refused
from urpaq.domain.staff import same_person
from urpaq.services.ports.unit_of_work import UnitOfWork


class ParametersRefused(Refused):
    """Parameters that cannot be recorded; `code` names the reason."""


def set_parameters(
    uow: UnitOfWork,
    *,
    parameters: Sequence[YearParameters],
    today: dt.date,
    audit: Callable[[], None] | None = None,
) -> None:
    """Record the inputs of each year, all or none; a closed year's inputs are final
    (recording them again unchanged is a no-op).  `audit` records who made the change,
    durably, before it commits: if it cannot, nothing is recorded."""
    with uow:
        closed = _closed_years(uow)
        _refuse_changes_to_closed(uow, parameters, closed)
        for item in parameters:
            if item.year not in closed:
                uow.parameters.save(item, today=today)
        if audit is not None:
            audit()
        uow.commit()


def propose_parameters(
    uow: UnitOfWork, *, parameters: YearParameters, by: str, at: dt.datetime
) -> ParameterProposal:
    """Record inputs entered by `by` (an actor, `staff:USER`), awaiting another's approval;
    inputs of the year awaiting approval until now are superseded.  A closed year's inputs
    are final.  The same inputs entered again by the same member while they await (a
    form sent twice, a page reloaded) are the same proposal: nothing changes."""
    with uow:
        if parameters.year in _closed_years(uow):
            raise ParametersRefused("year_closed", _closed_message([parameters.year]))
        awaiting = uow.proposals.awaiting(parameters.year)
        if (
            awaiting is not None
            and awaiting.parameters == parameters
            and same_person(awaiting.entered_by, by)
        ):
            return awaiting
        proposal = uow.proposals.propose(parameters, by=by, at=at)
        uow.commit()
    return proposal


def approve_parameters(
    uow: UnitOfWork, *, year: int, proposal_id: int, by: str, at: dt.datetime, today: dt.date
) -> ParameterProposal:
    """Make the inputs awaiting approval (`proposal_id`, the ones the approver saw) the
    year's parameters.  Refused when `by` entered them (`same_person`), when they are no
    longer the ones awaiting (`proposal_changed`), or when the year is closed since and
    they differ from its parameters (`year_closed`)."""
    with uow:
        proposal = _awaiting(uow, year, proposal_id)
        if same_person(proposal.entered_by, by):
            raise ParametersRefused(
                "same_person",
                f"the parameters for {year} were entered by {proposal.entered_by}: another "
                "staff member approves them",
            )
        closed = _closed_years(uow)
        _refuse_changes_to_closed(uow, [proposal.parameters], closed)
        if year not in closed:  # a closed year's inputs are final (the same, approved)
            uow.parameters.save(proposal.parameters, today=today)
        uow.proposals.decide(proposal_id, decision=ProposalDecision.APPROVED, by=by, at=at)
        uow.commit()
    return proposal


def reject_parameters(
    uow: UnitOfWork, *, year: int, proposal_id: int, by: str, at: dt.datetime
) -> ParameterProposal:
    """Set aside the inputs awaiting approval: the year keeps the parameters it had, and
    its close may run again.  Anyone who may approve may reject, the one who entered them
    too (nothing moves)."""
    with uow:
        proposal = _awaiting(uow, year, proposal_id)
        uow.proposals.decide(proposal_id, decision=ProposalDecision.REJECTED, by=by, at=at)
        uow.commit()
    return proposal


@dataclass(frozen=True, slots=True)
class ParameterYear:
    """What the back office shows of one reporting year's inputs."""

    year: int
    parameters: YearParameters | None  # the year's parameters, if any
    set_on: dt.date | None
    closed: bool
    #: The approval that made `parameters`, when they were approved in the back office
    #: (None when they were set from the command line).
    approved: ParameterProposal | None
    awaiting: ParameterProposal | None
    history: tuple[ParameterProposal, ...]  # newest first


def parameter_years(uow: UnitOfWork) -> list[ParameterYear]:
    """Every year with parameters, proposals or a close, and the year after the last of
    them; by year."""
    with uow.snapshot():
        closed = _closed_years(uow)
        recorded = {r.parameters.year: r for r in uow.parameters.recorded()}
        proposals = uow.proposals.proposals()
    years = closed | set(recorded) | {p.year for p in proposals}
    years.add(max(years, default=FIRST_REPORTING_YEAR - 1) + 1)
    found = []
    for year in sorted(years):
        kept = recorded.get(year)
        found.append(
            _year(
                year,
                kept.parameters if kept else None,
                kept.set_on if kept else None,
                closed=year in closed,
                history=[p for p in proposals if p.year == year],
            )
        )
    return found


def parameter_year(uow: UnitOfWork, *, year: int) -> ParameterYear:
    """The inputs of one year, its proposals and their decisions."""
    with uow.snapshot():
        closed = year in _closed_years(uow)
        recorded = {r.parameters.year: r for r in uow.parameters.recorded()}.get(year)
        history = uow.proposals.proposals(year=year)
    return _year(
        year,
        recorded.parameters if recorded else None,
        recorded.set_on if recorded else None,
        closed=closed,
        history=history,
    )


def _year(
    year: int,
    parameters: YearParameters | None,
    set_on: dt.date | None,
    *,
    closed: bool,
    history: list[ParameterProposal],
) -> ParameterYear:
    latest_approval = next((p for p in history if p.decision is ProposalDecision.APPROVED), None)
    approved = (
        latest_approval
        if latest_approval is not None and latest_approval.parameters == parameters
        else None
    )
    awaiting = next((p for p in history if p.awaiting), None)
    return ParameterYear(year, parameters, set_on, closed, approved, awaiting, tuple(history))


def _awaiting(uow: UnitOfWork, year: int, proposal_id: int) -> ParameterProposal:
    proposal = uow.proposals.awaiting(year)
    if proposal is None:
        raise ParametersRefused("nothing_awaiting", f"no parameters for {year} await approval")
    if proposal.proposal_id != proposal_id:
        raise ParametersRefused(
            "proposal_changed",
            f"the parameters for {year} awaiting approval changed since they were shown "
            f"(now those entered by {proposal.entered_by}): look at them again",
        )
    return proposal


def _closed_years(uow: UnitOfWork) -> set[int]:
    return {c.closed.year for c in uow.closes.closed_years()}


def _refuse_changes_to_closed(
    uow: UnitOfWork, parameters: Sequence[YearParameters], closed: set[int]
) -> None:
    refused = [
        p.year
        for p in parameters
        if p.year in closed and uow.parameters.parameters_for(p.year) != p
    ]
    if refused:
        raise ParametersRefused("year_closed", _closed_message(refused))


def _closed_message(years: list[int]) -> str:
    return f"reporting year {', '.join(str(y) for y in years)} is closed; its inputs are final"

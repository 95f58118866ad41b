"""The parameters port: the National Bank's two inputs per reporting year; and the
proposals port: inputs entered in the back office, awaiting a second person's approval."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from urpaq.domain.parameters import ParameterProposal, ProposalDecision, YearParameters


@dataclass(frozen=True, slots=True)
class RecordedParameters:
    """A year's inputs as recorded, and the day they were."""

    parameters: YearParameters
    set_on: dt.date


class ParametersPort(Protocol):
    def parameters_for(self, year: int) -> YearParameters | None: ...

    def save(self, parameters: YearParameters, *, today: dt.date) -> None:
        """Record (or replace) the inputs of one year."""
        ...

    def recorded(self) -> list[RecordedParameters]:
        """Every year's inputs, by year."""
        ...


class ProposalsPort(Protocol):
    def propose(self, parameters: YearParameters, *, by: str, at: dt.datetime) -> ParameterProposal:
        """Record inputs entered by `by`, awaiting approval; inputs of the same year that
        were awaiting it are superseded (decided by `by`, at `at`)."""
        ...

    def awaiting(self, year: int) -> ParameterProposal | None:
        """The inputs of `year` awaiting approval (at most one), if any."""
        ...

    def proposals(self, *, year: int | None = None) -> list[ParameterProposal]:
        """Every proposal (of `year`, if given), newest first."""
        ...

    def decide(
        self, proposal_id: int, *, decision: ProposalDecision, by: str, at: dt.datetime
    ) -> None:
        """Record the decision on a proposal awaiting one."""
        ...

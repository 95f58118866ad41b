"""The parameters and proposals ports in SQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from urpaq.adapters.sql.connection import SqlConnection
from urpaq.domain.money import Money
from urpaq.domain.parameters import ParameterProposal, ProposalDecision, YearParameters
from urpaq.services.ports.parameters import RecordedParameters


class SqlParameters:
    def __init__(self, db: SqlConnection) -> None:
        self.db = db

    def parameters_for(self, year: int) -> YearParameters | None:
        row = self.db.execute(
            "SELECT tr_total_cents, ii_rate, reference FROM year_parameters WHERE year = ?",
            (year,),
        ).fetchone()
        if row is None:
            return None
        return YearParameters(year, Money(int(row[0])), Decimal(row[1]), row[2])

    def save(self, parameters: YearParameters, *, today: dt.date) -> None:
        self.db.execute(
            "INSERT INTO year_parameters (year, tr_total_cents, ii_rate, reference, set_on)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (year) DO UPDATE SET"
            " tr_total_cents = excluded.tr_total_cents, ii_rate = excluded.ii_rate,"
            " reference = excluded.reference, set_on = excluded.set_on",
            (
                parameters.year,
                parameters.tr_total.cents,
                str(parameters.ii_rate),
                parameters.reference,
                today.isoformat(),
            ),
        )

    def recorded(self) -> list[RecordedParameters]:
        rows = self.db.execute(
            "SELECT year, tr_total_cents, ii_rate, reference, set_on FROM year_parameters"
            " ORDER BY year"
        ).fetchall()
        return [
            RecordedParameters(
                YearParameters(year, Money(int(cents)), Decimal(rate), reference),
                dt.date.fromisoformat(set_on),
            )
            for year, cents, rate, reference, set_on in rows
        ]


_PROPOSAL = (
    "SELECT proposal_id, year, tr_total_cents, ii_rate, reference, entered_by, entered_at,"
    " decision, decided_by, decided_at FROM parameter_proposal"
)


class SqlProposals:
    """The proposals port in SQL: table `parameter_proposal` (migration 0013)."""

    def __init__(self, db: SqlConnection) -> None:
        self.db = db

    def propose(self, parameters: YearParameters, *, by: str, at: dt.datetime) -> ParameterProposal:
        awaiting = self.awaiting(parameters.year)
        if awaiting is not None:
            self.decide(awaiting.proposal_id, decision=ProposalDecision.SUPERSEDED, by=by, at=at)
        row = self.db.execute(
            "INSERT INTO parameter_proposal (year, tr_total_cents, ii_rate, reference,"
            " entered_by, entered_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING proposal_id",
            (
                parameters.year, parameters.tr_total.cents, str(parameters.ii_rate),
                parameters.reference, by, at.isoformat(),
            ),
        ).fetchone()  # fmt: skip
        return ParameterProposal(int(row[0]), parameters, entered_by=by, entered_at=at)

    def awaiting(self, year: int) -> ParameterProposal | None:
        row = self.db.execute(
            f"{_PROPOSAL} WHERE year = ? AND decision IS NULL", (year,)
        ).fetchone()
        return None if row is None else _proposal(row)

    def proposals(self, *, year: int | None = None) -> list[ParameterProposal]:
        if year is None:
            rows = self.db.execute(f"{_PROPOSAL} ORDER BY proposal_id DESC").fetchall()
        else:
            rows = self.db.execute(
                f"{_PROPOSAL} WHERE year = ? ORDER BY proposal_id DESC", (year,)
            ).fetchall()
        return [_proposal(row) for row in rows]

    def decide(
        self, proposal_id: int, *, decision: ProposalDecision, by: str, at: dt.datetime
    ) -> None:
        self.db.execute(
            "UPDATE parameter_proposal SET decision = ?, decided_by = ?, decided_at = ?"
            " WHERE proposal_id = ? AND decision IS NULL",
            (decision.value, by, at.isoformat(), proposal_id),
        )


def _proposal(row: tuple[Any, ...]) -> ParameterProposal:
    proposal_id, year, cents, rate, reference, entered_by, entered_at, decision, by, at = row
    return ParameterProposal(
        proposal_id=int(proposal_id),
        parameters=YearParameters(int(year), Money(int(cents)), Decimal(rate), reference),
        entered_by=entered_by,
        entered_at=dt.datetime.fromisoformat(entered_at),
        decision=None if decision is None else ProposalDecision(decision),
        decided_by=by,
        decided_at=None if at is None else dt.datetime.fromisoformat(at),
    )

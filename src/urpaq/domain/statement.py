"""One person's statement: every cent of their TR, year by year, and their target savings.

TR balances are kept per entry-year class, so a person's TR lines are derived: the close
rules applied to a movement of one person, for every closed year, from the register as
each close saw it.  Target savings are real per-person accounts; their lines come from
the ledger.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from urpaq.domain.accrual import Schedule

# `ClosedView` is defined with the close, whose refusals check a new close against the
# last one.  The services and adapters import it from this module, so it is exported here.
from urpaq.domain.close import ClosedView as ClosedView
from urpaq.domain.close import adjustment_lines, credit_lines, movement_of
from urpaq.domain.invariants import require
from urpaq.domain.ledger import EntryKind
from urpaq.domain.money import Money
from urpaq.domain.participation import (
    Fact,
    Participation,
    Status,
    participation_in,
)

TR = "target_requirements"
TS = "target_savings"


@dataclass(frozen=True, slots=True)
class StatementLine:
    reporting_year: int
    kind: str
    amount: Money
    account: str = TR

    def as_json(self) -> dict[str, object]:
        return {
            "reporting_year": self.reporting_year,
            "kind": self.kind,
            "amount": str(self.amount),
            "account": self.account,
        }


@dataclass(frozen=True, slots=True)
class Statement:
    iin: str
    status: str
    participant_since: int | None
    target_requirements: Money
    target_savings: Money
    lines: tuple[StatementLine, ...] = field(default=())

    def as_json(self) -> dict[str, object]:
        return {
            "iin": self.iin,
            "status": self.status,
            "participant_since": self.participant_since,
            "target_requirements": str(self.target_requirements),
            "target_savings": str(self.target_savings),
            "currency": "USD",
            "entries": [line.as_json() for line in self.lines],
        }


def unknown_statement(iin: str) -> Statement:
    return Statement(iin, "unknown", None, Money.zero(), Money.zero())


def tr_lines(
    *, birth_date: dt.date, facts: Sequence[Fact], closes: Sequence[ClosedView]
) -> tuple[list[StatementLine], Participation | None, bool]:
    """A person's TR lines over every close; also their last standing and whether they matured."""
    lines: list[StatementLine] = []
    schedule = Schedule([])
    previous: Participation | None = None
    matured = False
    for close in closes:
        year = close.year
        standing = participation_in(year, birth_date=birth_date, facts=facts, view=close.view)
        move = movement_of(before=previous, now=standing, birth_year=birth_date.year, year=year)
        if move is not None:
            moves = adjustment_lines(
                held_class=move.held_class,
                outcome=move.outcome,
                entry_year=move.entry_year,
                year=year,
                schedule=schedule,
            )
            if move.entry_year is not None:
                moves += credit_lines(
                    entry_year=move.entry_year,
                    matures=move.matures,
                    year=year,
                    schedule=schedule,
                    ii_rate=close.ii_rate,
                    per_child=close.per_child,
                )
            matured = matured or move.matures
            for line in moves:
                if line.kind is EntryKind.RECLASSIFICATION:
                    continue  # a move between classes leaves the person's balance as it was
                lines.append(StatementLine(year, line.kind.value, line.effect))
        schedule = schedule.extended(close.as_closed_year())
        previous = standing
    return lines, previous, matured


def build_statement(
    *,
    iin: str,
    birth_date: dt.date,
    facts: Sequence[Fact],
    closes: Sequence[ClosedView],
    savings_lines: Sequence[StatementLine],
) -> Statement:
    """The statement of a person known to the register."""
    lines, last, matured = tr_lines(birth_date=birth_date, facts=facts, closes=closes)
    tr_balance = Money(sum(line.amount.cents for line in lines))
    ts_balance = Money(sum(line.amount.cents for line in savings_lines))
    require(tr_balance.cents >= 0, f"a TR balance cannot be negative: {tr_balance}")
    ever_held = any(line.amount.cents > 0 for line in lines)
    if matured:
        status = "matured"
    elif last is None:
        status = "unknown"
    elif last.is_participant:
        status = "participant"
    elif not ever_held:
        status = "unknown"
    else:
        status = {
            Status.ANNULLED: "annulled",
            Status.DECEASED: "deceased",
        }.get(last.status, "forfeited")
    since = last.entry_year if last is not None and last.is_participant else None
    return Statement(
        iin=iin,
        status=status,
        participant_since=since,
        target_requirements=tr_balance,
        target_savings=ts_balance,
        lines=tuple(lines) + tuple(savings_lines),
    )

"""One person's statement: every cent of their TR, year by year, and their target savings.

TR balances are kept per entry-year class, so a person's TR lines are derived: the close
rules applied to a movement of one person, for every closed year, from the register as
each close saw it.  Target savings are real per-person accounts; their lines come from
the ledger.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

from urpaq.domain import ledger
from urpaq.domain.accrual import Schedule
from urpaq.domain.close import ClosedView, adjustment_lines, credit_lines
from urpaq.domain.invariants import require
from urpaq.domain.ledger import EntryKind
from urpaq.domain.money import CURRENCY, Money
from urpaq.domain.movements import movement_of
from urpaq.domain.participation import (
    Fact,
    Participation,
    Status,
    participation_in,
)


class StatementStatus(enum.StrEnum):
    """Where a person stands in the programme, as their statement says it."""

    PARTICIPANT = "participant"
    MATURED = "matured"
    FORFEITED = "forfeited"
    DECEASED = "deceased"
    ANNULLED = "annulled"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One amount on a person's statement: what one entry of `reporting_year` did to
    their TR (`account` is `target_requirements`) or to their target savings."""

    reporting_year: int
    kind: EntryKind
    amount: Money
    account: str = ledger.TARGET_REQUIREMENTS

    def as_json(self) -> dict[str, object]:
        return {
            "reporting_year": self.reporting_year,
            "kind": self.kind.value,
            "amount": str(self.amount),
            "account": self.account,
        }


@dataclass(frozen=True, slots=True)
class Statement:
    """A person's TR and target savings, with every line that made them."""

    iin: str
    status: StatementStatus
    participant_since: int | None
    target_requirements: Money
    target_savings: Money
    lines: tuple[StatementLine, ...] = field(default=())

    def as_json(self) -> dict[str, object]:
        return {
            "iin": self.iin,
            "status": self.status.value,
            "participant_since": self.participant_since,
            "target_requirements": str(self.target_requirements),
            "target_savings": str(self.target_savings),
            "currency": CURRENCY,
            "entries": [line.as_json() for line in self.lines],
        }


def unknown_statement(iin: str) -> Statement:
    return Statement(iin, StatementStatus.UNKNOWN, None, Money.zero(), Money.zero())


def tr_lines(
    *, birth_date: dt.date, facts: Sequence[Fact], closes: Sequence[ClosedView]
) -> tuple[list[StatementLine], Participation | None, bool]:
    """A person's TR lines over every close; also their last standing and whether they matured."""
    lines: list[StatementLine] = []
    schedule = Schedule([])
    previous: Participation | None = None
    previous_close: ClosedView | None = None
    matured = False
    for close in closes:
        year = close.year
        restores = _newly_withdrawn(facts, now=close, before=previous_close)
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
                kind = line.kind
                if restores and kind is EntryKind.BACK_ACCRUAL:
                    kind = EntryKind.RESTORATION
                lines.append(StatementLine(year, kind, line.effect))
        schedule = schedule.extended(close.as_closed_year())
        previous, previous_close = standing, close
    return lines, previous, matured


def _newly_withdrawn(facts: Sequence[Fact], *, now: ClosedView, before: ClosedView | None) -> bool:
    """Whether this close is the first to see the register withdraw one of the facts."""
    return any(
        now.view.withdraws(fact) and (before is None or not before.view.withdraws(fact))
        for fact in facts
    )


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
        status = StatementStatus.MATURED
    elif last is None:
        status = StatementStatus.UNKNOWN
    elif last.is_participant:
        status = StatementStatus.PARTICIPANT
    elif not ever_held:
        status = StatementStatus.UNKNOWN
    else:
        status = {
            Status.ANNULLED: StatementStatus.ANNULLED,
            Status.DECEASED: StatementStatus.DECEASED,
        }.get(last.status, StatementStatus.FORFEITED)
    since = last.entry_year if last is not None and last.is_participant else None
    return Statement(
        iin=iin,
        status=status,
        participant_since=since,
        target_requirements=tr_balance,
        target_savings=ts_balance,
        lines=tuple(lines) + tuple(savings_lines),
    )

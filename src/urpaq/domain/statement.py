"""One person's statement: every cent of their TR, year by year, and their target savings.

TR balances are kept per entry-year class, so a person's TR lines are derived: the close
rules applied to a movement of one person, for every closed year, from the register as
each close saw it.  Target savings are real per-person accounts; their lines come from
the ledger.

Every line carries its date, the rule that produced it with the values it applied
(`domain/explanation.py`) and the running balance of its account after it; the last
running balance of each account is the statement's balance of it.  A TR line is dated
the day its close credited it, which is the close's as-of date: every entry of a close is
posted on it (`adapters/sql/closes.py: save_close`) and the close reports it as its date
(`domain/close_calendar.py: CloseCalendar.on_time`).  A target-savings line is dated its
journal entry's `posted_on`.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from urpaq.domain import ledger
from urpaq.domain.accrual import Schedule
from urpaq.domain.close import (
    ClosedView,
    CloseResult,
    Line,
    adjustment_lines,
    credit_lines,
    late_maturity_lines,
)
from urpaq.domain.explanation import (
    CloseContext,
    Explanation,
    Rule,
    SavingsPosting,
    late_explanation,
    savings_explanations,
    tr_explanation,
)
from urpaq.domain.inheritance import HeirPayout
from urpaq.domain.invariants import InvariantBroken, require
from urpaq.domain.ledger import EntryKind
from urpaq.domain.money import CURRENCY, Money
from urpaq.domain.movements import Movement, movement_of
from urpaq.domain.participation import (
    AGE_SPAN_YEARS,
    Fact,
    Participation,
    Status,
    participation_in,
)
from urpaq.domain.payouts import (
    Freeze,
    Payout,
    freeze_shown,
    freezes,
    unused_too_long,
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
    their TR (`account` is `target_requirements`) or to their target savings.

    `date` is the day it was credited or posted, `explanation` the rule that produced it
    with its values, and `balance` what the account holds after it (set by
    `build_statement`, which checks that the last one is the account's balance)."""

    reporting_year: int
    kind: EntryKind
    amount: Money
    account: str = ledger.TARGET_REQUIREMENTS
    date: dt.date | None = None
    explanation: Explanation | None = None
    balance: Money | None = None

    @property
    def of_a_reporting_year(self) -> bool:
        """Whether a close made the line (TR, and target savings credited at maturity):
        a payout, a return, an expiry or an heir's payout belongs to no reporting year,
        whatever `reporting_year` (the year it was posted in) says."""
        return self.account != ledger.TARGET_SAVINGS or self.kind is EntryKind.MATURITY

    def as_json(self) -> dict[str, object]:
        document: dict[str, object] = {
            "reporting_year": self.reporting_year,
            "kind": self.kind.value,
            "amount": str(self.amount),
            "account": self.account,
        }
        if self.date is not None:
            document["date"] = self.date.isoformat()
        if self.explanation is not None:
            document["rule"] = self.explanation.rule.value
            document["values"] = self.explanation.as_json()
        if self.balance is not None:
            document["balance"] = str(self.balance)
        return document


@dataclass(frozen=True, slots=True)
class Statement:
    """A person's TR and target savings, with every line that made them."""

    iin: str
    status: StatementStatus
    participant_since: int | None
    target_requirements: Money
    target_savings: Money
    lines: tuple[StatementLine, ...] = field(default=())
    #: Why the target savings are paid to no purpose (`domain/payouts.py: Freeze`);
    #: None for anyone whose savings can be paid, or who has none.
    savings_frozen: Freeze | None = None

    def savings_expired(self, today: dt.date) -> bool:
        """Whether their savings, not frozen, went unused for the expiry period by `today`:
        spendable no more, due to the pension account (`SavingsHolder.expired`'s rule)."""
        credited_on = min(
            (
                line.date
                for line in self.lines
                if line.account == ledger.TARGET_SAVINGS
                and line.kind is EntryKind.MATURITY
                and line.date is not None
            ),
            default=None,
        )
        return self.savings_frozen is None and unused_too_long(credited_on, today)

    def as_json(self) -> dict[str, object]:
        return {
            "iin": self.iin,
            "status": self.status.value,
            "participant_since": self.participant_since,
            "target_requirements": str(self.target_requirements),
            "target_savings": str(self.target_savings),
            "savings_frozen": None if self.savings_frozen is None else self.savings_frozen.value,
            "currency": CURRENCY,
            "entries": [line.as_json() for line in self.lines],
        }


def unknown_statement(iin: str) -> Statement:
    return Statement(iin, StatementStatus.UNKNOWN, None, Money.zero(), Money.zero())


def tr_lines(
    *,
    birth_date: dt.date,
    facts: Sequence[Fact],
    closes: Sequence[ClosedView],
    figures: Mapping[int, CloseResult] | None = None,
    credited_in: int | None = None,
) -> tuple[list[StatementLine], Participation | None, Participation | None]:
    """A person's TR lines over every close, each dated and explained (`figures` are the
    closes' published figures by reporting year, which explain the per-child accrual);
    also their last standing, and their standing at the close they matured at (None if
    they have not).  `credited_in` is the reporting year of the close whose maturity
    entry credited them target savings, as the ledger says (None if none did): someone
    who did not mature on time matured late at that close, and only there."""
    lines: list[StatementLine] = []
    schedule = Schedule([])
    previous: Participation | None = None
    previous_close: ClosedView | None = None
    matured: Participation | None = None
    held = Money.zero()  # the running balance
    for close in closes:
        year = close.year
        withdrawn = _newly_withdrawn(facts, now=close, before=previous_close)
        standing = participation_in(year, birth_date=birth_date, facts=facts, view=close.view)
        move = movement_of(before=previous, now=standing, birth_year=birth_date.year, year=year)
        if move is not None:
            moves = _moves_of(move, close=close, schedule=schedule)
            if move.matures:
                matured = standing
            context = CloseContext(
                year=year,
                result=(figures or {}).get(year),
                ii_rate=close.ii_rate,
                schedule=schedule,
                view=close.view,
                facts=facts,
                withdrawn=withdrawn,
            )
            for line in moves:
                if line.kind is EntryKind.RECLASSIFICATION:
                    continue  # a move between classes leaves the person's balance as it was
                kind = line.kind
                if withdrawn and kind is EntryKind.BACK_ACCRUAL:
                    kind = EntryKind.RESTORATION
                held += line.effect
                lines.append(
                    StatementLine(
                        year,
                        kind,
                        line.effect,
                        date=close.view.as_of,
                        explanation=tr_explanation(line, move, context),
                        balance=held,
                    )
                )
        if matured is None and credited_in == year:
            late = _late_lines(
                birth_date=birth_date, facts=facts, close=close,
                schedule=schedule, withdrawn=withdrawn, figures=figures, held=held,
            )  # fmt: skip
            if late is not None:
                matured, late_lines = late
                lines += late_lines
        schedule = schedule.extended(close.as_closed_year())
        previous, previous_close = standing, close
    return lines, previous, matured


def _late_lines(
    *,
    birth_date: dt.date,
    facts: Sequence[Fact],
    close: ClosedView,
    schedule: Schedule,
    withdrawn: Sequence[Fact],
    figures: Mapping[int, CloseResult] | None,
    held: Money,
) -> tuple[Participation, list[StatementLine]] | None:
    """For a person the close's maturity entry credited who did not mature on time (they
    matured late, `domain/late_maturity.py`): their standing in their maturity year as
    the close saw it, and the close's two lines for them — the back-accrual (a
    restoration when the close is the first to see a record withdrawn) and the maturity;
    None if the close did not see them a participant of that year."""
    maturity_year = birth_date.year + AGE_SPAN_YEARS
    standing = participation_in(maturity_year, birth_date=birth_date, facts=facts, view=close.view)
    entry_year = standing.entry_year
    if not standing.is_participant or entry_year is None or maturity_year >= close.year:
        return None
    context = CloseContext(
        year=close.year, result=(figures or {}).get(close.year), ii_rate=close.ii_rate,
        schedule=schedule, view=close.view, facts=facts, withdrawn=withdrawn,
    )  # fmt: skip
    lines = []
    for line in late_maturity_lines(
        entry_year=entry_year, maturity_year=maturity_year, year=close.year, schedule=schedule
    ):
        kind = line.kind
        if withdrawn and kind is EntryKind.BACK_ACCRUAL:
            kind = EntryKind.RESTORATION
        held += line.effect
        explanation = late_explanation(
            line, entry_year=entry_year, maturity_year=maturity_year, context=context
        )
        lines.append(
            StatementLine(
                close.year,
                kind,
                line.effect,
                date=close.view.as_of,
                explanation=explanation,
                balance=held,
            )
        )
    return standing, lines


def _moves_of(move: Movement, *, close: ClosedView, schedule: Schedule) -> list[Line]:
    """What the close moved for one person: the adjustments, then II, accrual, maturity."""
    moves = adjustment_lines(
        held_class=move.held_class,
        outcome=move.outcome,
        entry_year=move.entry_year,
        year=close.year,
        schedule=schedule,
    )
    if move.entry_year is not None:
        moves += credit_lines(
            entry_year=move.entry_year,
            matures=move.matures,
            year=close.year,
            schedule=schedule,
            ii_rate=close.ii_rate,
            per_child=close.per_child,
        )
    return moves


def _newly_withdrawn(
    facts: Sequence[Fact], *, now: ClosedView, before: ClosedView | None
) -> list[Fact]:
    """The facts this close is the first to see the register withdraw."""
    return [
        fact
        for fact in facts
        if now.view.withdraws(fact) and (before is None or not before.view.withdraws(fact))
    ]


def savings_lines_of(
    postings: Sequence[SavingsPosting],
    *,
    payouts: Iterable[Payout] = (),
    heir_payouts: Iterable[HeirPayout] = (),
) -> list[StatementLine]:
    """A person's target-savings lines from their postings, oldest first, each dated and
    explained by the payout or heir's payout it belongs to."""
    explanations = savings_explanations(postings, payouts=payouts, heir_payouts=heir_payouts)
    lines = []
    held = Money.zero()  # the running balance
    for posting, explanation in zip(postings, explanations, strict=True):
        held += posting.amount
        lines.append(
            StatementLine(
                posting.reporting_year,
                posting.kind,
                posting.amount,
                account=ledger.TARGET_SAVINGS,
                date=posting.posted_on,
                explanation=explanation,
                balance=held,
            )
        )
    return lines


def with_running_balances(lines: Sequence[StatementLine]) -> list[StatementLine]:
    """The lines, each with what its account holds after it (accounts kept apart); the
    lines are given back as they are when each already says so."""
    held: dict[str, int] = {}
    running = []
    for line in lines:
        held[line.account] = held.get(line.account, 0) + line.amount.cents
        balance = Money(held[line.account])
        running.append(line if line.balance == balance else replace(line, balance=balance))
    return running


def build_statement(
    *,
    iin: str,
    birth_date: dt.date,
    facts: Sequence[Fact],
    closes: Sequence[ClosedView],
    savings_lines: Sequence[StatementLine],
    figures: Mapping[int, CloseResult] | None = None,
) -> Statement:
    """The statement of a person known to the register."""
    credited_in = next(
        (line.reporting_year for line in savings_lines if line.kind is EntryKind.MATURITY), None
    )
    lines, last, matured = tr_lines(
        birth_date=birth_date, facts=facts, closes=closes, figures=figures,
        credited_in=credited_in,
    )  # fmt: skip
    tr_balance = Money(sum(line.amount.cents for line in lines))
    ts_balance = Money(sum(line.amount.cents for line in savings_lines))
    require(tr_balance.cents >= 0, f"a TR balance cannot be negative: {tr_balance}")
    ever_held = any(line.amount.cents > 0 for line in lines)
    if matured is not None:
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
    # The year their participation began: kept once they matured, whatever later closes
    # find (a matured person is no participant of any later year).
    since = (
        matured.entry_year
        if matured is not None
        else last.entry_year
        if last is not None and last.is_participant
        else None
    )
    if matured is not None and credited_in is not None:
        savings_lines = _said_late(savings_lines, matured_in=birth_date.year + AGE_SPAN_YEARS)
    every = with_running_balances([*lines, *savings_lines])
    for account, balance in ((ledger.TARGET_REQUIREMENTS, tr_balance),
                             (ledger.TARGET_SAVINGS, ts_balance)):  # fmt: skip
        last_line = next((line for line in reversed(every) if line.account == account), None)
        ends_at = Money.zero() if last_line is None else last_line.balance
        if ends_at != balance:  # every cent: the running balance ends at the balance
            raise InvariantBroken(f"the {account} lines end at {ends_at}, not {balance}")
    return Statement(
        iin=iin,
        status=status,
        participant_since=since,
        target_requirements=tr_balance,
        target_savings=ts_balance,
        lines=tuple(every),
        savings_frozen=freeze_shown(freezes(facts)) if matured else None,
    )


def _said_late(lines: Sequence[StatementLine], *, matured_in: int) -> list[StatementLine]:
    """The savings lines, their credit saying the maturity year it was due after when a
    later close credited it (the person matured late); unchanged when it was on time."""
    return [
        replace(
            line,
            explanation=Explanation.of(
                Rule.SAVINGS_CREDITED,
                year=line.reporting_year,
                balance=line.amount,
                matured_in=matured_in,
            ),
        )
        if line.kind is EntryKind.MATURITY and line.reporting_year > matured_in
        else line
        for line in lines
    ]

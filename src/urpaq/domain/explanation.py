"""Why a line of a statement is there: the rule that produced it and the values it used.

An explanation is structured — a `Rule` and named values (amounts as `Money`, rates as
`Decimal`, dates, counts, codes) — never words: the entry points put it in words, per
language (`entrypoints/http/web/explain.py`).  The values are those the rule applied:

- `investment_income`: `year`, `rate` (r(Y)), `balance` (what it applied to: B(e, Y−1));
- `accrual`: `year`, `tr_total`, `returned` (forfeited + annulled), `back_accruals`,
  `pot`, `participants`, `per_child`, `residue`;
- `back_accrual`, `restoration`: `year`, `since` (the entry year), `previous` (Y−1),
  `due` (what a participant since then holds after Y−1), `held` (what the person held);
  a restoration also `withdrawn_kind`, `withdrawn_effective` and `withdrawn_on`;
- `forfeiture`: `year`, `cause` (a record kind, or `not_citizen`), `on`, `balance`, and
  `restarted` when citizenship came back within the year;
- `annulment`: `year`, `cause` (`record_annulled`, or `record_retracted` when every
  record was withdrawn), `on`, `balance`;
- `reversal`: `year`, `since`, `previous`, `due`, `held` — a balance above what the
  entry year gives, taken back;
- for a person who *matures late* (`domain/late_maturity.py`), the `back_accrual` or
  `restoration` has `matured_in` (the maturity year M) in place of `previous`, and
  `due` is their class's balance after the close of M; the `maturity` has `matured_in`;
- `maturity`: `year`, `balance` — the whole TR balance after the close leaves the TR;
- `savings_credited`: `year`, `balance` — … and arrives on target savings;
- `payout`: `payout_id`, `operator`, `purpose`, `sub_purpose`, `status`, `return_due_on`;
- `return`, `return_unused`: the payout's values; `return_unused` when it came back
  after its last working day;
- `inheritance`, `heir_return`: `payout_id`, `operator`, `certificate`; the
  `inheritance` has `status` too (`returned` once the operator gave it back);
- `expiry`: `credited_on`, `years`;
- `entry`: `kind` — a line no other rule describes.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from urpaq.domain.accrual import Schedule
from urpaq.domain.close import CloseResult, Line
from urpaq.domain.inheritance import HeirPayout, heir_payout_entry, heir_return_entry
from urpaq.domain.ledger import EntryKind
from urpaq.domain.money import Money
from urpaq.domain.movements import Movement, Outcome
from urpaq.domain.participation import Fact, View, year_end
from urpaq.domain.payouts import EXPIRY_YEARS, Payout, payout_entry, return_entry
from urpaq.domain.register import DEATHS, LOSSES, RecordKind

#: A value an explanation names: an amount, a rate, a date, a count or year, or a code.
Value = Money | Decimal | dt.date | int | str


class Rule(enum.StrEnum):
    """The rule that produced a statement line (the module's table gives its values)."""

    INVESTMENT_INCOME = "investment_income"
    ACCRUAL = "accrual"
    BACK_ACCRUAL = "back_accrual"
    RESTORATION = "restoration"
    FORFEITURE = "forfeiture"
    ANNULMENT = "annulment"
    REVERSAL = "reversal"
    MATURITY = "maturity"
    SAVINGS_CREDITED = "savings_credited"
    PAYOUT = "payout"
    RETURN = "return"
    RETURN_UNUSED = "return_unused"
    INHERITANCE = "inheritance"
    HEIR_RETURN = "heir_return"
    EXPIRY = "expiry"
    ENTRY = "entry"


#: Why a participation ended without a death or a loss on record: no citizenship at the
#: end of the year by the records the close saw.
NOT_CITIZEN = "not_citizen"


@dataclass(frozen=True, slots=True)
class Explanation:
    """A rule and the values it applied, in a fixed order."""

    rule: Rule
    values: tuple[tuple[str, Value], ...] = ()

    @classmethod
    def of(cls, rule: Rule, **values: Value | None) -> Explanation:
        """The explanation with the values given; a None is left out."""
        return cls(rule, tuple((name, v) for name, v in values.items() if v is not None))

    def get(self, name: str) -> Value | None:
        return next((value for key, value in self.values if key == name), None)

    def as_json(self) -> dict[str, object]:
        """The values as JSON: amounts as strings with two decimals, rates as their
        decimal text, dates as YYYY-MM-DD, counts as integers."""
        return {name: _json_value(value) for name, value in self.values}


def _json_value(value: Value) -> object:
    if isinstance(value, int | str):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True, slots=True)
class CloseContext:
    """What explains the lines one close made for one person: the close's figures and
    rate, the balances of the classes before it, the person's records as it saw them,
    and whether it is the first close to see the register withdraw one of them."""

    year: int
    result: CloseResult | None
    ii_rate: Decimal
    schedule: Schedule
    view: View
    facts: Sequence[Fact]
    withdrawn: Sequence[Fact]


def tr_explanation(line: Line, move: Movement, context: CloseContext) -> Explanation:
    """Why the close of `context.year` moved `line` for a person who moved as `move`."""
    year, schedule = context.year, context.schedule
    if line.kind is EntryKind.ACCRUAL:  # the same for every participant of the year
        return _accrual(context.result, year=year, per_child=line.amount)
    if line.kind is EntryKind.MATURITY:
        return Explanation.of(Rule.MATURITY, year=year, balance=line.amount)
    entry_year = move.entry_year
    due = Money.zero() if entry_year is None else schedule.balance(entry_year, after_year=year - 1)
    if line.kind is EntryKind.INVESTMENT_INCOME:
        return Explanation.of(Rule.INVESTMENT_INCOME, year=year, rate=context.ii_rate, balance=due)
    held_class = move.held_class
    held = Money.zero() if held_class is None else schedule.balance(held_class, after_year=year - 1)
    gap: dict[str, Value | None] = {
        "year": year,
        "since": entry_year,
        "previous": year - 1,
        "due": due,
        "held": held,
    }
    if line.kind is EntryKind.BACK_ACCRUAL:
        return _gap_filled(gap, context)
    if line.kind is EntryKind.ANNULMENT and move.outcome.is_participant:
        return Explanation.of(Rule.REVERSAL, **gap)
    if line.kind is EntryKind.ANNULMENT:
        cause, on = _annulled(context)
        return Explanation.of(Rule.ANNULMENT, year=year, cause=cause, on=on, balance=line.amount)
    if line.kind is EntryKind.FORFEITURE:
        cause, on = _ended(context)
        restarted = year if move.outcome is Outcome.RESTARTS else None
        return Explanation.of(
            Rule.FORFEITURE, year=year, cause=cause, on=on, balance=line.amount,
            restarted=restarted,
        )  # fmt: skip
    return Explanation.of(Rule.ENTRY, kind=line.kind.value)


def late_explanation(
    line: Line, *, entry_year: int, maturity_year: int, context: CloseContext
) -> Explanation:
    """Why the close of `context.year` moved `line` for a person who matures late
    (`domain/late_maturity.py`): restored or back-accrued what their class held after the
    close of their maturity year, then moved it all to target savings."""
    if line.kind is EntryKind.MATURITY:
        return Explanation.of(
            Rule.MATURITY, year=context.year, balance=line.amount, matured_in=maturity_year
        )
    gap: dict[str, Value | None] = {
        "year": context.year, "since": entry_year, "matured_in": maturity_year,
        "due": line.amount, "held": Money.zero(),
    }  # fmt: skip
    return _gap_filled(gap, context)


def _gap_filled(gap: dict[str, Value | None], context: CloseContext) -> Explanation:
    """A back-accrual of `gap`, or a restoration naming the first record the close is the
    first to see withdrawn."""
    if context.withdrawn:
        first = min(context.withdrawn, key=lambda fact: fact.sequence)
        return Explanation.of(
            Rule.RESTORATION, **gap, withdrawn_kind=first.kind.value,
            withdrawn_effective=first.effective_date, withdrawn_on=first.withdrawn_on,
        )  # fmt: skip
    return Explanation.of(Rule.BACK_ACCRUAL, **gap)


@functools.lru_cache(maxsize=64)
def _accrual(result: CloseResult | None, *, year: int, per_child: Money) -> Explanation:
    if result is None:  # a close always has its figures; a bare line says what it can
        return Explanation.of(Rule.ACCRUAL, year=year, per_child=per_child)
    returned = result.forfeited + result.annulled
    return Explanation.of(
        Rule.ACCRUAL, year=year, tr_total=result.tr_total, returned=returned,
        back_accruals=result.back_accruals,
        pot=result.tr_total + returned - result.back_accruals,
        participants=result.participants, per_child=per_child, residue=result.residue,
    )  # fmt: skip


def _seen(context: CloseContext) -> list[Fact]:
    end = year_end(context.year)
    return [f for f in context.facts if context.view.sees(f) and f.effective_date <= end]


def _ended(context: CloseContext) -> tuple[str, dt.date]:
    """What ended a participation at this close: the death, else the last loss of
    citizenship, the close saw; else no citizenship at the end of the year."""
    seen = _seen(context)
    deaths = sorted((f for f in seen if f.kind in DEATHS), key=lambda f: f.effective_date)
    if deaths:
        return deaths[0].kind.value, deaths[0].effective_date
    losses = sorted((f for f in seen if f.kind in LOSSES), key=lambda f: f.effective_date)
    if losses:
        return losses[-1].kind.value, losses[-1].effective_date
    return NOT_CITIZEN, year_end(context.year)


def _annulled(context: CloseContext) -> tuple[str, dt.date | None]:
    """The annulment the close saw, or, when every record was withdrawn, the last
    withdrawal."""
    annulments = [
        f for f in context.facts if f.kind is RecordKind.RECORD_ANNULLED and context.view.sees(f)
    ]
    if annulments:
        return RecordKind.RECORD_ANNULLED.value, min(f.effective_date for f in annulments)
    withdrawn = [f.withdrawn_on for f in context.facts if context.view.withdraws(f)]
    return RecordKind.RECORD_RETRACTED.value, max(
        (on for on in withdrawn if on is not None), default=None
    )


@dataclass(frozen=True, slots=True)
class SavingsPosting:
    """One posting to a person's target savings, with its journal entry's key, kind,
    reporting year and date: what the ledger gives a statement."""

    key: str
    reporting_year: int
    kind: EntryKind
    amount: Money
    posted_on: dt.date


def savings_explanations(
    postings: Sequence[SavingsPosting],
    *,
    payouts: Iterable[Payout] = (),
    heir_payouts: Iterable[HeirPayout] = (),
) -> list[Explanation]:
    """Why each posting to a person's target savings was made, in the same order: the
    payout or heir's payout its entry belongs to, found by the entry's key."""
    by_key: dict[str, Payout | HeirPayout] = {}
    for payout in payouts:  # the keys as the payout's own entries are written
        by_key[payout_entry(payout, year=0).key] = payout
        by_key[return_entry(payout, year=0).key] = payout
    for heir in heir_payouts:
        by_key[heir_payout_entry(heir, year=0).key] = heir
        by_key[heir_return_entry(heir, year=0).key] = heir
    explained: list[Explanation] = []
    credited_on: dt.date | None = None
    for posting in postings:
        if posting.kind is EntryKind.MATURITY:
            credited_on = posting.posted_on
            explanation = Explanation.of(
                Rule.SAVINGS_CREDITED, year=posting.reporting_year, balance=posting.amount
            )
        elif posting.kind is EntryKind.EXPIRY:
            explanation = Explanation.of(Rule.EXPIRY, credited_on=credited_on, years=EXPIRY_YEARS)
        else:
            explanation = _paid(posting, by_key.get(posting.key))
        explained.append(explanation)
    return explained


def _paid(posting: SavingsPosting, paid: Payout | HeirPayout | None) -> Explanation:
    """A payout, an heir's payout, or the return of either."""
    if isinstance(paid, Payout):
        values: dict[str, Value | None] = {
            "payout_id": paid.payout_id, "operator": paid.operator_name,
            "purpose": paid.purpose.value, "sub_purpose": paid.sub_purpose,
            "status": paid.status.value, "return_due_on": paid.return_due_on,
        }  # fmt: skip
        if posting.kind is EntryKind.PAYOUT:
            return Explanation.of(Rule.PAYOUT, **values)
        late = posting.posted_on > paid.return_due_on
        return Explanation.of(Rule.RETURN_UNUSED if late else Rule.RETURN, **values)
    if isinstance(paid, HeirPayout):
        if posting.kind is EntryKind.INHERITANCE:
            return Explanation.of(
                Rule.INHERITANCE, payout_id=paid.payout_id, operator=paid.operator_name,
                certificate=paid.notary_certificate, status=paid.status.value,
            )  # fmt: skip
        return Explanation.of(
            Rule.HEIR_RETURN, payout_id=paid.payout_id, operator=paid.operator_name,
            certificate=paid.notary_certificate,
        )  # fmt: skip
    return Explanation.of(Rule.ENTRY, kind=posting.kind.value)

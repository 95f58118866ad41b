"""Payouts of target savings through authorised operators.

The person (or a legal representative) applies at an authorised operator, stating amount
and purpose; the operator pays the authorised operator, which checks the documents and
pays the purpose.  Money not confirmed as used within 45 working days of crediting
(Kazakhstan's working-day calendar) returns to the person's target savings.

Refusals are checked in a fixed order and each has a code; the first that applies wins.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from urpaq.domain import ledger
from urpaq.domain.ledger import EntryKind, JournalEntry, Posting
from urpaq.domain.money import CURRENCY, Money
from urpaq.domain.operators import AuthorisedOperator, Purpose
from urpaq.domain.participation import WHOLE_REGISTER, Fact, View
from urpaq.domain.refusals import Refused
from urpaq.domain.register import DEATHS, GAINS, RecordKind

#: Working days an authorised operator has to confirm the use of a payout.
RETURN_AFTER_WORKING_DAYS = 45

#: Years after crediting after which unused target savings go to the pension account
#: (policy default: counted from the date the savings were credited).
EXPIRY_YEARS = 10


def latest_unexpired_crediting(as_of: dt.date) -> dt.date:
    """Savings credited before this day have been unused for the whole expiry period on
    `as_of`; savings credited on it or later have not."""
    year = as_of.year - EXPIRY_YEARS
    if year < dt.MINYEAR:  # before the calendar's tenth year nothing can have expired
        return dt.date.min
    if as_of.month == 2 and as_of.day == 29:
        # Ten years before a 29 February is never a leap year: its 28 February is more
        # than ten years back, and 1 March the first day that is not.
        return dt.date(year, 3, 1)
    return as_of.replace(year=year)


def unused_too_long(credited_on: dt.date | None, today: dt.date) -> bool:
    """Whether savings first credited on `credited_on` went unused for the whole expiry
    period by `today` (due to the pension account, as `payouts settle` moves them)."""
    return credited_on is not None and credited_on < latest_unexpired_crediting(today)


class Freeze(enum.StrEnum):
    """Why a holder's target savings are paid to no purpose: `deceased` (the register
    records their death: only heirs are paid) or `unvouched` (it annulled their record,
    or withdrew every record of their citizenship: nobody is paid until the operator's
    staff have settled the case)."""

    DECEASED = "deceased"
    UNVOUCHED = "unvouched"


def freezes(facts: Iterable[Fact], *, today: dt.date | None = None) -> frozenset[Freeze]:
    """What freezes a holder's savings, from their register records as known `today`
    (the whole register when None): a death, or a register that no longer vouches for
    them; a record recorded and then withdrawn counts no more."""
    known = View(as_of=today or dt.date.max, watermark=WHOLE_REGISTER)
    seen = [fact for fact in facts if known.sees(fact)]
    found = set()
    if any(fact.kind in DEATHS for fact in seen):
        found.add(Freeze.DECEASED)
    if any(fact.kind is RecordKind.RECORD_ANNULLED for fact in seen) or not any(
        fact.kind in GAINS for fact in seen
    ):
        found.add(Freeze.UNVOUCHED)
    return frozenset(found)


def freeze_shown(found: frozenset[Freeze]) -> Freeze | None:
    """The one reason a statement gives: a register that no longer vouches for the
    holder before a death (heirs are paid nothing either then)."""
    for reason in (Freeze.UNVOUCHED, Freeze.DECEASED):
        if reason in found:
            return reason
    return None


class PayoutStatus(enum.StrEnum):
    PAID = "paid"  # with the authorised operator, use not yet confirmed
    CONFIRMED = "confirmed"  # used for its purpose
    RETURNED = "returned"  # back on the person's target savings


class PayoutRefused(Refused):
    """A payout request or step the rules do not allow; `code` names the reason."""


def no_target_savings() -> PayoutRefused:
    """The one answer about anyone without target savings — a minor, a deceased child, an
    IIN the register has never seen — so that no answer tells them apart: the balance and
    every payout give it word for word."""
    return PayoutRefused("no_target_savings", "no target savings for this IIN")


@dataclass(frozen=True, slots=True)
class SavingsHolder:
    """What a payout needs to know of the person."""

    person_id: int
    deceased: bool
    available: Money
    #: The register no longer vouches for the person: it annulled their record (they
    #: never had the right), or withdrew every record that made them a citizen.  Their
    #: target savings stay as credited (maturity is final, docs/decisions/0003) but are
    #: paid to nobody until the operator's staff have settled the case.
    unvouched: bool = False
    #: The day their savings were first credited at maturity (None if never).
    credited_on: dt.date | None = None

    @property
    def credited(self) -> bool:
        """Whether they have a target savings account (they matured)."""
        return self.credited_on is not None

    @property
    def frozen(self) -> bool:
        return self.deceased or self.unvouched

    def expired(self, today: dt.date) -> bool:
        """Whether their savings went unused for the whole expiry period by `today`: due
        to the pension account, as the daily settlement moves them (frozen savings stay:
        `payouts settle` passes them by)."""
        return not self.frozen and unused_too_long(self.credited_on, today)

    def available_on(self, today: dt.date) -> Money:
        """What may be paid from their savings `today`: nothing once they expired."""
        return Money(0) if self.expired(today) else self.available


def unvouched_annulled() -> PayoutRefused:
    return PayoutRefused(
        "unvouched",
        "the register no longer vouches for this holder (a record annulled, or every record"
        " of their citizenship withdrawn): their savings are frozen",
    )


@dataclass(frozen=True, slots=True)
class Payout:
    """Target savings of one person paid to an authorised operator for one purpose.

    `payout_id` names the payout to the operator and in the keys of its entries.
    `sub_purpose` says what within the purpose the money pays (e.g. tuition), `account`
    is the person's USD account at the operator, and `status` says where the money is now.
    `return_due_on` is the last working day on which its use can be confirmed; the money
    is due back the day after.
    """

    payout_id: str
    person_id: int
    operator_name: str
    amount: Money
    purpose: Purpose
    sub_purpose: str
    account: str
    status: PayoutStatus
    return_due_on: dt.date

    def as_json(self) -> dict[str, object]:
        return {
            "payout_id": self.payout_id,
            "status": self.status.value,
            "amount": str(self.amount),
            "currency": CURRENCY,
            "purpose": self.purpose.value,
        }


def check_request(
    *,
    holder: SavingsHolder | None,
    operator: AuthorisedOperator,
    amount: Money,
    purpose: Purpose,
    today: dt.date,
) -> SavingsHolder:
    """The holder the payout may be made from; else raise `PayoutRefused` with the first
    reason that applies, in a fixed order."""
    if amount.cents <= 0:
        raise PayoutRefused("invalid_amount", f"amount {amount} must be positive")
    if not operator.serves(purpose):
        raise PayoutRefused(
            "purpose_not_served", f"operator {operator.name!r} does not serve {purpose.value}"
        )
    if holder is None or not holder.credited:
        raise no_target_savings()
    if holder.unvouched:
        raise unvouched_annulled()
    if holder.deceased:
        # The savings of a deceased holder are frozen until heirs are paid.
        raise PayoutRefused("deceased", "the savings of a deceased holder are frozen")
    if holder.expired(today):
        raise PayoutRefused(
            "savings_expired",
            f"the target savings credited on {holder.credited_on} went unused for"
            f" {EXPIRY_YEARS} years: they are due to the holder's pension account",
        )
    if amount > holder.available:
        raise PayoutRefused(
            "insufficient_savings",
            f"amount {amount} exceeds the available target savings {holder.available}",
        )
    return holder


def check_open(payout: Payout) -> None:
    """Raise `PayoutRefused` unless the money is still with the operator: a payout is
    confirmed or returned once."""
    if payout.status is not PayoutStatus.PAID:
        raise PayoutRefused(
            "payout_closed", f"payout {payout.payout_id!r} is already {payout.status.value}"
        )


def check_confirmation(payout: Payout, *, today: dt.date) -> None:
    """Raise `PayoutRefused` unless the payout's use can be confirmed today: it is still
    with the operator (`check_open`), and its last working day has not passed.  After
    that day the money is due back to the person, whether or not the daily settlement has
    returned it yet."""
    check_open(payout)
    if today > payout.return_due_on:
        raise PayoutRefused(
            "deadline_passed",
            f"payout {payout.payout_id!r} could be confirmed until {payout.return_due_on};"
            " its money is due back to the person's target savings",
        )


def check_settlement_day(as_of: dt.date, *, today: dt.date) -> None:
    """Raise `PayoutRefused` for a daily settlement dated after today: it would return
    payouts before their last working day and move savings to pension accounts before
    their ten years, and the journal keeps what it posts for good."""
    if as_of > today:
        raise PayoutRefused("as_of_in_future", f"as-of date {as_of} is after today ({today})")


def operator_account(operator_name: str) -> str:
    """Money paid to an authorised operator whose use is not yet confirmed."""
    return f"at_authorised_operator:{operator_name}"


def spent_account(purpose: Purpose) -> str:
    return f"spent:{purpose.value}"


def payout_entry(payout: Payout, *, year: int) -> JournalEntry:
    """Target savings to the authorised operator."""
    return person_move(
        f"payout:{payout.payout_id}", EntryKind.PAYOUT, year, payout,
        source=ledger.TARGET_SAVINGS, target=operator_account(payout.operator_name),
    )  # fmt: skip


def confirmation_entry(payout: Payout, *, year: int) -> JournalEntry:
    """The authorised operator used the money for its purpose."""
    return person_move(
        f"payout:{payout.payout_id}:confirmed", EntryKind.CONFIRMATION, year, payout,
        source=operator_account(payout.operator_name), target=spent_account(payout.purpose),
    )  # fmt: skip


def return_entry(payout: Payout, *, year: int) -> JournalEntry:
    """Unused money back from the authorised operator to the person's target savings."""
    return person_move(
        f"payout:{payout.payout_id}:returned", EntryKind.RETURN, year, payout,
        source=operator_account(payout.operator_name), target=ledger.TARGET_SAVINGS,
    )  # fmt: skip


class MovedForPerson(Protocol):
    """What moves one person's money: a payout, or an heir's payout."""

    @property
    def person_id(self) -> int: ...

    @property
    def amount(self) -> Money: ...


def person_move(
    key: str, kind: EntryKind, year: int, moved: MovedForPerson, *, source: str, target: str
) -> JournalEntry:
    """The entry moving `moved.amount` of one person's money from `source` to `target`."""
    person = moved.person_id
    return JournalEntry(
        key=key,
        kind=kind,
        reporting_year=year,
        postings=(
            Posting(source, -moved.amount, person),
            Posting(target, moved.amount, person),
        ),
    )

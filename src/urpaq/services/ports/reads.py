"""The reads port: aggregates for the published statistics and for reconcile's recount."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from urpaq.domain.inheritance import HeirPayout
from urpaq.domain.ledger import EntryKind
from urpaq.domain.money import Money
from urpaq.domain.operators import Purpose
from urpaq.domain.participation import Fact, View
from urpaq.domain.payouts import Payout

#: A posting as reconcile compares them: the account, the signed amount, the person.
Moved = tuple[str, Money, int | None]


@dataclass(frozen=True, slots=True)
class ParticipantGroup:
    birth_year: int
    is_male: bool
    region: str | None  # ISO 3166-2:KZ code; None when the register names none
    count: int


@dataclass(frozen=True, slots=True)
class SavingsFlow:
    """What entries of one kind moved to (+) or from (−) target savings in a year."""

    year: int
    kind: EntryKind
    postings: int  # one per person and entry
    amount: Money


@dataclass(frozen=True, slots=True)
class PayoutTotal:
    """The payouts of one purpose through one authorised operator requested up to a day,
    and of them, how many were confirmed as used and returned by that day."""

    purpose: Purpose
    operator_name: str
    count: int
    amount: Money
    confirmed: int
    returned: int
    returned_amount: Money


@dataclass(frozen=True, slots=True)
class HeirPayoutTotal:
    """The payouts to heirs through one authorised operator up to a day, and of them,
    how many were returned (the operator could not pay them) by that day."""

    operator_name: str
    count: int
    amount: Money
    returned: int
    returned_amount: Money


@dataclass(frozen=True, slots=True)
class RegionSavings:
    """The target savings a close credited to the people of one region (their region as
    the register now records it; None when it names none)."""

    region: str | None
    holders: int
    amount: Money


@dataclass(frozen=True, slots=True)
class BirthGroup:
    """`count` people whose only record bearing on participation is citizenship by birth
    on `birth_date`, and whom `view` sees (`seen`) or not yet."""

    birth_date: dt.date
    seen: bool
    count: int


@dataclass(frozen=True, slots=True)
class MoneyMoves:
    """Every payout and heir's payout as its row says it is, and the postings of every
    entry that moves a person's savings to or from an operator or an heir (payouts,
    confirmations, returns, inheritances), by the entry's key."""

    payouts: list[Payout]
    heir_payouts: list[HeirPayout]
    postings: dict[str, list[Moved]]


class ReadsPort(Protocol):
    def participant_groups(self, *, year: int, view: View) -> list[ParticipantGroup]:
        """The participants a close counted, per birth year, sex and region."""
        ...

    def kept_participant_groups(self, *, year: int) -> list[ParticipantGroup] | None:
        """The participant groups kept for a close, or None if not computed yet."""
        ...

    def keep_participant_groups(self, *, year: int, groups: Sequence[ParticipantGroup]) -> None: ...

    def savings_flows(self) -> list[SavingsFlow]:
        """Per reporting year and entry kind: postings to or from target savings."""
        ...

    def payout_totals(self, *, until: dt.date | None) -> list[PayoutTotal]:
        """Payouts per purpose and operator requested on or before `until` (None: all),
        with those confirmed and returned on or before it."""
        ...

    def heir_payout_totals(self, *, until: dt.date | None) -> list[HeirPayoutTotal]:
        """Payouts to heirs per operator paid on or before `until` (None: all), with
        those returned on or before it."""
        ...

    def savings_by_region(self, *, year: int, view: View) -> list[RegionSavings]:
        """The target savings credited at the close of `year`, per holder's region as
        that close's `view` saw it."""
        ...

    def birth_groups(self, *, view: View) -> list[BirthGroup]:
        """Everyone with only a birth record, grouped by birth date and whether `view`
        sees the record — reconcile's recount, independent of the close's own query."""
        ...

    def facts_by_person(self) -> Iterator[tuple[dt.date, list[Fact]]]:
        """The birth date and records of everyone else (more than a birth record), one
        person at a time — reconcile's recount applies the domain rule to each."""
        ...

    def summaries_disagreeing(self, *, shown: int) -> tuple[int, list[int]]:
        """How many people the register's summary of each person (whether their only
        record bearing on participation is a birth record, which one, recorded when)
        describes otherwise than their records do, and the ids of the first `shown` —
        what makes `birth_groups` and the close's count by birth year trustworthy."""
        ...

    def money_moves(self) -> MoneyMoves:
        """Every payout, heir's payout and entry moving a person's money to or from them."""
        ...

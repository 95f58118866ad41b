"""The double-entry ledger: accounts, postings and entries that must balance.

Every posting adds a signed amount to one account; an entry's postings sum to zero, so
money only moves.  Sources of money (the National Fund) run negative; what the programme
owes or holds runs positive.  Entries are never changed: a correction is a new entry
that names the one it corrects.
"""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass

from urpaq.domain.invariants import InvariantBroken
from urpaq.domain.money import Money

NATIONAL_FUND_TR = "national_fund:target_requirements"
NATIONAL_FUND_II = "national_fund:investment_income"
RESIDUE = "residue"
# The TR owed to all participants.  Postings go to its entry-year classes
# (`class_account`), never to it directly; a statement names its TR lines by it.
TARGET_REQUIREMENTS = "target_requirements"
TARGET_SAVINGS = "target_savings"  # one account per person: postings carry the person
PENSION = "pension:voluntary_contributions"  # per person too: where unused savings go
PAID_TO_HEIRS = "paid_to_heirs"  # per person: a deceased holder's savings paid to heirs
# The National Bank's side (`domain/funding.py`, decision 0013): memorandum accounts that
# mirror the TR obligation, moved only by each close's `target_assets` entry.
NATIONAL_BANK_TARGET_ASSETS = "national_bank:target_assets"  # the running balance
NATIONAL_BANK_ACCRUED = "national_bank:accrued"  # minus every TR total accrued
NATIONAL_BANK_II = "national_bank:investment_income"  # minus every year's II
NATIONAL_BANK_TRANSFERRED = "national_bank:transferred_to_savings"  # what matured
NATIONAL_BANK_RESIDUE = "national_bank:residue"  # the residues, kept by the National Fund


def pot_account(year: int) -> str:
    """The pot of a reporting year: TR total plus returns, less back-accruals, to be split."""
    return f"pot:{year}"


def class_account(entry_year: int) -> str:
    """TR owed to all current participants who entered the programme in `entry_year`."""
    return f"{TARGET_REQUIREMENTS}:{entry_year}"


def is_class_account(account: str) -> bool:
    return account.startswith(f"{TARGET_REQUIREMENTS}:")


class EntryKind(enum.StrEnum):
    TR_FUNDING = "tr_funding"
    FORFEITURE = "forfeiture"
    ANNULMENT = "annulment"
    RECLASSIFICATION = "reclassification"
    BACK_ACCRUAL = "back_accrual"
    INVESTMENT_INCOME = "investment_income"
    ACCRUAL = "accrual"
    RESIDUE = "residue"
    MATURITY = "maturity"
    PAYOUT = "payout"
    CONFIRMATION = "confirmation"
    RETURN = "return"
    EXPIRY = "expiry"
    INHERITANCE = "inheritance"
    TARGET_ASSETS = "target_assets"
    #: A back-accrual that restores a person after the register withdrew a record: on
    #: statements only (the close posts it with the back-accruals of its year).
    RESTORATION = "restoration"


class UnbalancedEntry(InvariantBroken):
    """An entry whose postings do not sum to zero: a bug, never a business outcome."""


@dataclass(frozen=True, slots=True)
class Posting:
    """A signed amount added to one account: positive adds to what the account holds or
    owes, negative takes away.

    `person_id` names the person whose money moves: on target savings and wherever they
    go (an authorised operator, a purpose, the pension, heirs).  Postings to a class, a
    pot, the residue or a National Fund account carry none.
    """

    account: str
    amount: Money
    person_id: int | None = None


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """A balanced set of postings, written once under its idempotency key."""

    key: str
    kind: EntryKind
    reporting_year: int
    postings: tuple[Posting, ...]
    corrects: str | None = None

    def __post_init__(self) -> None:
        if len(self.postings) < 2:
            raise UnbalancedEntry(f"entry {self.key} has fewer than two postings")
        total = sum(p.amount.cents for p in self.postings)
        if total != 0:
            raise UnbalancedEntry(f"entry {self.key} is off balance by {Money(total)}")

    def content_hash(self) -> str:
        """A digest of what the entry says, bound to its key for idempotent writes."""
        body = {
            "kind": self.kind.value,
            "year": self.reporting_year,
            "corrects": self.corrects,
            "postings": [[p.account, p.person_id, p.amount.cents] for p in self.postings],
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def entry_from_amounts(
    *, key: str, kind: EntryKind, reporting_year: int, amounts: dict[str, Money]
) -> JournalEntry | None:
    """An entry moving the given signed amounts per account, or None if all are zero."""
    postings = tuple(
        Posting(account, amount) for account, amount in sorted(amounts.items()) if amount.cents
    )
    if not postings:
        return None
    return JournalEntry(key=key, kind=kind, reporting_year=reporting_year, postings=postings)

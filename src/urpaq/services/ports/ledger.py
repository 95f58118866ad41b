"""The ledger port: posting balanced entries and reading balances."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from urpaq.domain.ledger import EntryKind, JournalEntry
from urpaq.domain.money import Money
from urpaq.domain.statement import StatementLine


@dataclass(frozen=True, slots=True)
class AccountBalance:
    account: str
    balance: Money


class IdempotencyConflict(Exception):
    """The same entry key was posted before with different content."""

    def __init__(self, key: str) -> None:
        super().__init__(f"key {key!r} was used before for different content")
        self.key = key


class LedgerPort(Protocol):
    def post(self, entry: JournalEntry, *, posted_on: dt.date) -> None:
        """Write a balanced entry once; a repeat of the same key and content is a no-op,
        other content under the key raises `IdempotencyConflict`."""
        ...

    def balances(self) -> list[AccountBalance]: ...

    def unbalanced_entries(self) -> list[str]:
        """Keys of entries whose postings do not sum to zero (none, unless corrupted)."""
        ...

    def amounts_not_whole(self) -> list[str]:
        """The postings and payouts whose amount is no whole number of cents (text, a
        fraction), named, at most ten: none, unless changed by hand in a database whose
        columns take any value (SQLite's)."""
        ...

    def entry_totals(self, *, year: int) -> dict[EntryKind, dict[str, Money]]:
        """For the entries of a reporting year: per kind, the net amount per account."""
        ...

    def version(self) -> int:
        """Grows with every journal entry: what figures built on the ledger depend on."""
        ...

    def savings_lines(self, person_id: int) -> list[StatementLine]:
        """A person's postings to and from target savings, oldest first."""
        ...

    def target_savings(self, person_id: int) -> tuple[dt.date | None, Money]:
        """The day the person's target savings were first credited at maturity (None if
        never), and what they hold now (one read)."""
        ...

    def negative_savings_accounts(self) -> int: ...

    def maturity_credits(self) -> dict[int, dict[tuple[int, Money], int]]:
        """Per reporting year, how many target savings accounts its close credited at
        maturity with each amount, by the holders' maturity year (their birth year + 17:
        the reporting year itself, or an earlier one for those who matured late)."""
        ...

    def expire_savings(self, *, credited_before: dt.date, as_of: dt.date) -> tuple[int, Money]:
        """One `expiry` entry for the day: each holder's whole target savings credited
        before `credited_before`, to their pension account; frozen savings excepted
        (`domain/payouts.py: freezes`, by the register as it stands on `as_of`)."""
        ...

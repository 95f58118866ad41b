"""What reconcile's checks share: a check's outcome, and the books several checks read."""

from __future__ import annotations

from dataclasses import dataclass

from urpaq.domain.ledger import EntryKind
from urpaq.domain.money import Money
from urpaq.services.ports.closes import ClosedRecord


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    holds: bool
    detail: str

    def as_json(self) -> dict[str, object]:
        return {"check": self.name, "holds": self.holds, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Books:
    """What several checks read: every account's balance, every close, and what each
    closed year's entries moved (per kind, the net amount per account)."""

    balances: dict[str, Money]
    closed: list[ClosedRecord]
    totals: dict[int, dict[EntryKind, dict[str, Money]]]

    def balance(self, account: str) -> Money:
        return self.balances.get(account, Money(0))


def compare(name: str, found: Money, expected: Money) -> Check:
    if found == expected:
        return Check(name, True, f"{found.grouped()} USD")
    return Check(name, False, f"ledger {found.grouped()} USD, expected {expected.grouped()} USD")

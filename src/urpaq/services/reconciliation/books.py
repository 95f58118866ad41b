"""What reconcile's checks share: a check's outcome, and the books several checks read."""

from __future__ import annotations

from dataclasses import dataclass

from urpaq.domain.ledger import EntryKind
from urpaq.domain.money import Money
from urpaq.services.ports.closes import ClosedRecord


@dataclass(frozen=True, slots=True)
class Check:
    """One identity and whether it holds, in words (`detail`); a check of an amount also
    gives the ledger's (`found`) and, where it does not hold, the one expected."""

    name: str
    holds: bool
    detail: str
    found: Money | None = None
    expected: Money | None = None

    def as_json(self) -> dict[str, object]:
        answer: dict[str, object] = {"check": self.name, "holds": self.holds, "detail": self.detail}
        if self.found is not None:
            answer["amount"] = str(self.found)
            if self.expected is not None:
                answer["expected"] = str(self.expected)
            answer["currency"] = "USD"
        return answer


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
        return Check(name, True, f"{found.grouped()} USD", found=found)
    return Check(
        name, False, f"ledger {found.grouped()} USD, expected {expected.grouped()} USD",
        found=found, expected=expected,
    )  # fmt: skip

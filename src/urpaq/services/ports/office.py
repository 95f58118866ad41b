"""What the back office's work queues and a person's file read: import batches and their
rejected rows, and payouts as staff follow them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, Protocol

from urpaq.domain.money import Money


@dataclass(frozen=True, slots=True)
class BatchSummary:
    batch_id: int
    source: str
    imported_on: dt.date
    accepted: int
    unchanged: int
    rejected: int


@dataclass(frozen=True, slots=True)
class RejectedRow:
    batch_id: int
    line: int
    record_id: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class PayoutRow:
    """A payout as staff follow it: to whom, through which operator, for what, and when
    it must be confirmed.  `purpose` is `inheritance` for an heir's payout."""

    payout_id: str
    iin: str
    operator: str
    amount: Money
    purpose: str
    sub_purpose: str
    requested_on: dt.date
    return_due_on: dt.date | None
    status: str
    closed_on: dt.date | None


@dataclass(frozen=True, slots=True)
class PayoutCount:
    """One operator's payouts in some states: how many, their amount, the first day one
    of them is due (None for heirs' payouts and returned ones) and how many are overdue."""

    operator: str
    count: int
    amount: Money
    first_due: dt.date | None
    overdue: int


#: The orders payouts are listed in: by operator then due day, by due day, newest first.
PayoutOrder = Literal["operator", "due", "newest"]


class OfficeReadsPort(Protocol):
    def batches(self, *, limit: int) -> list[BatchSummary]:
        """The latest import batches, newest first."""
        ...

    def rejected_rows(self, *, batch_id: int, limit: int) -> list[RejectedRow]:
        """A batch's rejected rows in the order of the file."""
        ...

    def payouts(
        self, *, statuses: frozenset[str], limit: int, order: PayoutOrder = "operator"
    ) -> list[PayoutRow]:
        """Payouts in these states, the first `limit` in `order` (`operator`: by operator
        and then by the day they are due; `due`: by that day; `newest`: the last closed
        first)."""
        ...

    def payout_counts(self, *, statuses: frozenset[str], today: dt.date) -> list[PayoutCount]:
        """Per operator, its payouts in these states (all of them), by operator."""
        ...

    def payouts_of_person(self, person_id: int) -> list[PayoutRow]:
        """A person's payouts and heirs' payouts, oldest first."""
        ...

    def payouts_of_operator(
        self, operator: str, *, day: dt.date, after: str | None, limit: int
    ) -> list[PayoutRow]:
        """An operator's payouts and heirs' payouts made on `day`, in the order of their
        ids, the first `limit` after the id `after` (None: from the first)."""
        ...

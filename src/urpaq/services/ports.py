"""What the services need from a store; each database adapter provides all of it.

A store is a unit of work: `transaction()` opens one, and everything written inside it
is committed together or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from urpaq.domain.audit import AuditEvent
from urpaq.domain.close import CloseResult, MaturityPlan, Movement
from urpaq.domain.iin import Iin
from urpaq.domain.ledger import JournalEntry
from urpaq.domain.money import Money
from urpaq.domain.operators import AuthorisedOperator, Purpose
from urpaq.domain.parameters import YearParameters
from urpaq.domain.participation import Fact, View
from urpaq.domain.payouts import HeirPayout, Payout, PayoutStatus
from urpaq.domain.register import RegisterRecord
from urpaq.domain.statement import ClosedView, StatementLine


@dataclass(frozen=True, slots=True)
class FeedRow:
    """One row of a register feed as read: its fields, or why it could not be read."""

    line: int
    fields: dict[str, str]
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class StagedRow:
    """One feed row: a record that passed its own checks, or the reason it did not."""

    line: int
    record: RegisterRecord | None
    record_id: str | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class Rejection:
    line: int
    record_id: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class ImportSummary:
    batch_id: int
    source: str
    accepted: int
    unchanged: int
    rejections: tuple[Rejection, ...]
    repeated_file: bool = False

    @property
    def rejected(self) -> int:
        return len(self.rejections)


@dataclass(frozen=True, slots=True)
class ClosedRecord:
    """A close as stored: what it saw, what it fixed and what it printed."""

    closed: ClosedView
    result: CloseResult


@dataclass(frozen=True, slots=True)
class PersonRecord:
    person_id: int
    iin: str
    birth_date: dt.date


@dataclass(frozen=True, slots=True)
class AccountBalance:
    account: str
    balance: Money


@dataclass(frozen=True, slots=True)
class KeptAnswer:
    """The answer given to a write, kept under its idempotency key."""

    fingerprint: str  # digest of the request it answered
    status: int  # the HTTP status
    body: str  # the JSON document


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
    kind: str
    postings: int  # one per person and entry
    amount: Money


@dataclass(frozen=True, slots=True)
class PayoutGroup:
    purpose: Purpose
    operator_name: str
    status: PayoutStatus
    count: int
    amount: Money


# Who is signing in.  In production the identity provider is the government's identity
# service (eGov), which this system cannot reach from here; `adapters/identity.py` has a
# development provider that writes a one-time code to the server log (docs/identity.md).


@dataclass(frozen=True, slots=True)
class Challenge:
    """A sign-in under way: the provider has asked the person to prove who they are."""

    challenge_id: str
    expires_at: dt.datetime


class IdentityProvider(Protocol):
    name: str

    def begin(self, *, iin: Iin, now: dt.datetime) -> Challenge:
        """Start proving that the person at the keyboard holds `iin`.  The answer must
        not depend on whether the register knows the IIN."""
        ...

    def complete(self, *, challenge_id: str, response: str, now: dt.datetime) -> Iin | None:
        """The proven IIN, or None (wrong, expired, used, or too many tries)."""
        ...


class Store(Protocol):
    def transaction(self) -> AbstractContextManager[None]: ...

    # The register.
    def import_summary_of_file(self, sha256: str) -> ImportSummary | None: ...
    def stage_rows(self, rows: Sequence[StagedRow]) -> None: ...
    def finish_import(self, *, source: str, sha256: str, today: dt.date) -> ImportSummary: ...
    def register_watermark(self) -> int: ...
    def tidy_after_import(self) -> None: ...
    def person_by_iin(self, iin: str) -> PersonRecord | None: ...
    def iin_of_person(self, person_id: int) -> str: ...
    def facts_of(self, person_id: int) -> list[Fact]: ...

    # The National Bank's inputs.
    def parameters_for(self, year: int) -> YearParameters | None: ...
    def save_parameters(self, parameters: YearParameters, *, today: dt.date) -> None: ...

    # Closes.
    def closed_years(self) -> list[ClosedRecord]: ...
    def movements(self, *, year: int, view: View, previous: View | None) -> list[Movement]: ...
    def save_close(
        self,
        *,
        result: CloseResult,
        closed: ClosedView,
        entries: Sequence[JournalEntry],
        maturity: MaturityPlan,
    ) -> None: ...

    # The ledger.
    def post(self, entry: JournalEntry, *, posted_on: dt.date) -> None: ...
    def balances(self) -> list[AccountBalance]: ...
    def unbalanced_entries(self) -> list[str]: ...
    def entry_totals(self, *, year: int) -> dict[str, dict[str, Money]]: ...
    def savings_lines(self, person_id: int) -> list[StatementLine]: ...
    def negative_savings_accounts(self) -> int: ...

    # Authorised operators.
    def operator_named(self, name: str) -> AuthorisedOperator | None: ...
    def operator_with_digest(self, digest: str) -> AuthorisedOperator | None: ...
    def operators(self) -> list[AuthorisedOperator]: ...
    def save_operator(
        self, *, name: str, purposes: frozenset[Purpose], digest: str, today: dt.date
    ) -> None: ...
    def replace_credential(self, *, name: str, digest: str, today: dt.date) -> None: ...
    def revoke_operator(self, *, name: str, today: dt.date) -> None: ...

    # Payouts.
    def has_target_savings(self, person_id: int) -> bool: ...
    def target_savings_of(self, person_id: int) -> Money: ...
    def save_payout(
        self, payout: Payout, *, requested_on: dt.date, return_due_on: dt.date
    ) -> None: ...
    def payout(self, payout_id: str) -> Payout | None: ...
    def close_payout(
        self, payout_id: str, *, status: PayoutStatus, today: dt.date, documents: str | None
    ) -> None: ...
    def payouts_due(self, *, before: dt.date) -> list[Payout]: ...
    def money_at_operators(self) -> tuple[Money, Money]: ...
    def expire_savings(self, *, credited_before: dt.date, as_of: dt.date) -> tuple[int, Money]: ...
    def class_members(self, *, year: int, view: View, previous: View | None) -> dict[int, int]: ...
    def save_heir_payout(self, payout: HeirPayout, *, today: dt.date) -> None: ...

    # Statistics.
    def participant_groups(self, *, year: int, view: View) -> list[ParticipantGroup]: ...
    def kept_participant_groups(self, *, year: int) -> list[ParticipantGroup] | None: ...
    def keep_participant_groups(self, *, year: int, groups: Sequence[ParticipantGroup]) -> None: ...
    def ledger_version(self) -> int: ...
    def savings_flows(self) -> list[SavingsFlow]: ...
    def payout_groups(self) -> list[PayoutGroup]: ...

    # The HTTP edge: exactly-once writes and the audit log.
    def kept_answer(self, *, scope: str, key: str) -> KeptAnswer | None: ...
    def keep_answer(
        self, *, scope: str, key: str, answer: KeptAnswer, now: dt.datetime
    ) -> None: ...
    def append_audit_event(self, event: AuditEvent) -> None: ...
    def audit_events(
        self, *, iin: str | None, since: dt.date | None, limit: int
    ) -> list[AuditEvent]: ...


def chunked(rows: Iterator[StagedRow], size: int) -> Iterator[list[StagedRow]]:
    """Rows in lists of at most `size`, so memory stays bounded on any file."""
    chunk: list[StagedRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk

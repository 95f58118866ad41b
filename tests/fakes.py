"""An in-memory unit of work built on the real ports: the services' rules tested without a
database, in milliseconds.

Each fake keeps plain Python data and answers every port method the way the SQL adapters
do; a transaction is a snapshot taken on `__enter__` and put back unless `commit()` ran.
The register is filled directly (`add_record`) rather than imported — the import's
cross-row checks are set-based SQL and stay contract tests on both databases — and the
close's counts come from the domain's participation rule applied to each person, so
`close_year` runs on the fakes too.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self, TypeVar

from urpaq.domain import ledger
from urpaq.domain.audit import AuditEvent
from urpaq.domain.close import ClosedView, CloseResult, MaturityPlan
from urpaq.domain.explanation import SavingsPosting
from urpaq.domain.iin import Iin
from urpaq.domain.inheritance import (
    HeirPayout,
    HeirPayoutStatus,
    NotaryCertificate,
    RecordedCertificate,
)
from urpaq.domain.kazakhstan_time import day_begins
from urpaq.domain.late_maturity import LateMaturity, matures_late
from urpaq.domain.ledger import EntryKind, JournalEntry, Posting
from urpaq.domain.money import Money
from urpaq.domain.movements import movement_of
from urpaq.domain.operators import AuthorisedOperator, Purpose
from urpaq.domain.parameters import (
    ParameterProposal,
    ProposalDecision,
    YearParameters,
)
from urpaq.domain.participation import AGE_SPAN_YEARS, Fact, View, participation_in
from urpaq.domain.payouts import Payout, PayoutStatus, freezes
from urpaq.domain.register import RecordKind
from urpaq.domain.staff import same_person
from urpaq.domain.statement import StatementLine, savings_lines_of
from urpaq.services.ports.closes import BirthCount, ClosedRecord, StandingCount
from urpaq.services.ports.edge import KeptAnswer
from urpaq.services.ports.ledger import AccountBalance, IdempotencyConflict
from urpaq.services.ports.office import (
    BatchSummary,
    PayoutCount,
    PayoutOrder,
    PayoutRow,
    RejectedRow,
)
from urpaq.services.ports.parameters import RecordedParameters
from urpaq.services.ports.reads import (
    BirthGroup,
    HeirPayoutTotal,
    MoneyMoves,
    Moved,
    ParticipantGroup,
    PayoutTotal,
    RegionSavings,
    SavingsFlow,
)
from urpaq.services.ports.register import (
    ImportSummary,
    PersonRecord,
    RegisterEntry,
    Rejection,
    StagedRow,
)
from urpaq.services.ports.serving import PendingChallenge
from urpaq.services.ports.staff import PendingSignIn, StaffSession
from urpaq.services.ports.unit_of_work import TransactionError

T = TypeVar("T")


@dataclass
class Person:
    person_id: int
    iin: Iin
    facts: list[Fact] = field(default_factory=list)


@dataclass
class Entry:
    entry_id: int
    entry: JournalEntry
    content_hash: str
    posted_on: dt.date


@dataclass
class StoredPayout:
    payout: Payout
    requested_on: dt.date
    closed_on: dt.date | None = None


@dataclass
class StoredOperator:
    purposes: frozenset[Purpose]
    pays_heirs: bool
    digest: str
    revoked_on: dt.date | None = None


@dataclass
class State:
    """Everything the fakes hold; a transaction snapshots and restores it whole."""

    persons: dict[str, Person] = field(default_factory=dict)
    sequence: int = 0
    parameters: dict[int, YearParameters] = field(default_factory=dict)
    parameters_set_on: dict[int, dt.date] = field(default_factory=dict)
    proposals: list[ParameterProposal] = field(default_factory=list)
    closes: list[ClosedRecord] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    payouts: dict[str, StoredPayout] = field(default_factory=dict)
    heir_payouts: dict[str, HeirPayout] = field(default_factory=dict)
    heir_payout_days: dict[str, tuple[dt.date, dt.date | None]] = field(default_factory=dict)
    certificates: dict[str, RecordedCertificate] = field(default_factory=dict)
    operators: dict[str, StoredOperator] = field(default_factory=dict)
    participant_counts: dict[int, list[ParticipantGroup]] = field(default_factory=dict)
    kept_answers: dict[tuple[str, str], KeptAnswer] = field(default_factory=dict)
    audit: list[AuditEvent] = field(default_factory=list)


class FakeRegister:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    @property
    def state(self) -> State:
        return self.uow.state

    def add_record(self, iin: Iin, kind: RecordKind, effective: dt.date, recorded: dt.date) -> None:
        """Record one fact about a person, as an import that accepted it would."""
        person = self.state.persons.get(iin.value)
        if person is None:
            person = Person(len(self.state.persons) + 1, iin)
            self.state.persons[iin.value] = person
        self.state.sequence += 1
        person.facts.append(Fact(kind, effective, recorded, self.state.sequence))

    def withdraw(self, iin: Iin, *, index: int, recorded: dt.date) -> None:
        """Record the register's withdrawal of the person's `index`-th record, as an
        import that accepted a `record_retracted` naming it would."""
        person = self.state.persons[iin.value]
        self.state.sequence += 1
        person.facts[index] = dataclasses.replace(
            person.facts[index], withdrawn_on=recorded, withdrawn_sequence=self.state.sequence
        )
        person.facts.append(
            Fact(RecordKind.RECORD_RETRACTED, recorded, recorded, self.state.sequence)
        )

    def summary_of_file(self, sha256: str) -> ImportSummary | None:
        return None

    def stage(self, rows: Sequence[StagedRow]) -> None:
        raise NotImplementedError("imports are tested on the databases (tests/test_import.py)")

    def check_staged(self) -> None:
        raise NotImplementedError("imports are tested on the databases (tests/test_import.py)")

    def apply_staged(self, *, source: str, sha256: str, today: dt.date) -> ImportSummary:
        raise NotImplementedError("imports are tested on the databases (tests/test_import.py)")

    def discard_staged(self) -> None:
        return None

    def tidy_after_import(self) -> None:
        return None

    def watermark(self) -> int:
        return self.state.sequence

    def has_batch(self, batch_id: int) -> bool:
        return False

    def rejections_in(self, batch_id: int) -> list[Rejection]:
        return []

    def person_by_iin(self, iin: str) -> PersonRecord | None:
        person = self.state.persons.get(iin)
        if person is None:
            return None
        return PersonRecord(person.person_id, iin, person.iin.birth_date)

    def iin_of_person(self, person_id: int) -> str:
        return self._person(person_id).iin.value

    def facts_of(self, person_id: int) -> list[Fact]:
        return list(self._person(person_id).facts)

    def records_of(self, person_id: int) -> list[RegisterEntry]:
        return [
            RegisterEntry(
                f"F{fact.sequence}",
                fact.kind,
                fact.effective_date,
                fact.recorded_on,
                None,
                None,
                fact.sequence,
                1,
            )
            for fact in self._person(person_id).facts
        ]

    def _person(self, person_id: int) -> Person:
        return next(p for p in self.state.persons.values() if p.person_id == person_id)


class FakeParameters:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    def parameters_for(self, year: int) -> YearParameters | None:
        return self.uow.state.parameters.get(year)

    def save(self, parameters: YearParameters, *, today: dt.date) -> None:
        self.uow.state.parameters[parameters.year] = parameters
        self.uow.state.parameters_set_on[parameters.year] = today

    def recorded(self) -> list[RecordedParameters]:
        state = self.uow.state
        return [
            RecordedParameters(
                state.parameters[year], state.parameters_set_on.get(year, dt.date.min)
            )
            for year in sorted(state.parameters)
        ]


class FakeProposals:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    def propose(self, parameters: YearParameters, *, by: str, at: dt.datetime) -> ParameterProposal:
        awaiting = self.awaiting(parameters.year)
        if awaiting is not None:
            self.decide(awaiting.proposal_id, decision=ProposalDecision.SUPERSEDED, by=by, at=at)
        proposal = ParameterProposal(len(self.uow.state.proposals) + 1, parameters, by, at)
        self.uow.state.proposals.append(proposal)
        return proposal

    def awaiting(self, year: int) -> ParameterProposal | None:
        return next((p for p in self.proposals(year=year) if p.awaiting), None)

    def proposals(self, *, year: int | None = None) -> list[ParameterProposal]:
        found = [p for p in self.uow.state.proposals if year is None or p.year == year]
        return found[::-1]

    def decide(
        self, proposal_id: int, *, decision: ProposalDecision, by: str, at: dt.datetime
    ) -> None:
        kept = self.uow.state.proposals
        index = proposal_id - 1
        if kept[index].awaiting:
            kept[index] = dataclasses.replace(
                kept[index], decision=decision, decided_by=by, decided_at=at
            )


def _moves(
    state: State, *, year: int, view: View, previous: View | None
) -> Iterator[tuple[Person, StandingCount]]:
    """Each person's movement at the close of `year`, by the domain's rule."""
    for person in state.persons.values():
        birth_date = person.iin.birth_date
        now = participation_in(year, birth_date=birth_date, facts=person.facts, view=view)
        before = (
            None
            if previous is None
            else participation_in(
                year - 1, birth_date=birth_date, facts=person.facts, view=previous
            )
        )
        move = movement_of(before=before, now=now, birth_year=birth_date.year, year=year)
        if move is not None:
            yield (
                person,
                StandingCount(
                    move.held_class, move.outcome, move.entry_year, move.matures, move.count
                ),
            )


def _late(state: State, *, year: int, view: View) -> Iterator[tuple[Person, LateMaturity]]:
    """Each person who matures late at the close of `year`, by the domain's rule."""
    views = {kept.closed.year: kept.closed.view for kept in state.closes}
    credited = {
        posting.person_id
        for kept in state.entries
        for posting in kept.entry.postings
        if posting.account == ledger.TARGET_SAVINGS and posting.person_id is not None
    }
    for person in state.persons.values():
        birth_date = person.iin.birth_date
        entry_year = matures_late(
            birth_date=birth_date, facts=person.facts, year=year, view=view,
            at_maturity=views.get(birth_date.year + AGE_SPAN_YEARS),
            credited_before=person.person_id in credited,
        )  # fmt: skip
        if entry_year is not None:
            yield person, LateMaturity(entry_year, birth_date.year + AGE_SPAN_YEARS, 1)


class FakeCloses:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    def late_maturities(self, *, year: int, view: View) -> list[LateMaturity]:
        counts: Counter[tuple[int, int]] = Counter()
        for _, late in _late(self.uow.state, year=year, view=view):
            counts[(late.entry_year, late.maturity_year)] += 1
        return [LateMaturity(e, m, n) for (e, m), n in sorted(counts.items())]

    def closed_years(self) -> list[ClosedRecord]:
        return list(self.uow.state.closes)

    def standing_counts(
        self, *, year: int, view: View, previous: View | None
    ) -> tuple[list[StandingCount], list[BirthCount]]:
        counts: Counter[StandingCount] = Counter()
        for _, move in _moves(self.uow.state, year=year, view=view, previous=previous):
            counts[move] += 1
        standings = [
            StandingCount(m.held_class, m.outcome, m.entry_year, m.matures, n)
            for m, n in counts.items()
        ]
        return standings, []

    def save_close(
        self,
        *,
        result: CloseResult,
        closed: ClosedView,
        entries: Sequence[JournalEntry],
        maturity: MaturityPlan,
    ) -> None:
        state = self.uow.state
        for entry in entries:
            self.uow.ledger.post(entry, posted_on=closed.view.as_of)
        previous = state.closes[-1].closed.view if state.closes else None
        matured = [
            Posting(ledger.TARGET_SAVINGS, maturity.amount_by_class[move.entry_year], p.person_id)
            for p, move in _moves(state, year=closed.year, view=closed.view, previous=previous)
            if move.matures and move.entry_year is not None
        ]
        matured += [
            Posting(ledger.TARGET_SAVINGS, maturity.late_amount[key], p.person_id)
            for p, late in _late(state, year=closed.year, view=closed.view)
            for key in [(late.entry_year, late.maturity_year)]
        ]
        if matured:
            given_up: Counter[int] = Counter()
            for entry_year, count in maturity.count_by_class.items():
                given_up[entry_year] += maturity.amount_by_class[entry_year].cents * count
            for (entry_year, maturity_year), count in maturity.late_count.items():
                given_up[entry_year] += (
                    maturity.late_amount[(entry_year, maturity_year)].cents * count
                )
            debits = [
                Posting(ledger.class_account(entry_year), Money(-cents))
                for entry_year, cents in sorted(given_up.items())
            ]
            self.uow.ledger.post(
                JournalEntry(
                    key=f"close:{closed.year}:maturity",
                    kind=EntryKind.MATURITY,
                    reporting_year=closed.year,
                    postings=tuple(matured + debits),
                ),
                posted_on=closed.view.as_of,
            )
        state.closes.append(ClosedRecord(closed, result))


class FakeLedger:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    @property
    def entries(self) -> list[Entry]:
        return self.uow.state.entries

    def post(self, entry: JournalEntry, *, posted_on: dt.date) -> None:
        digest = entry.content_hash()
        for kept in self.entries:
            if kept.entry.key == entry.key:
                if kept.content_hash != digest:
                    raise IdempotencyConflict(entry.key)
                return
        self.entries.append(Entry(len(self.entries) + 1, entry, digest, posted_on))

    def _postings(self) -> Iterator[tuple[Entry, Posting]]:
        for kept in self.entries:
            for posting in kept.entry.postings:
                yield kept, posting

    def amounts_not_whole(self) -> list[str]:
        return []  # Money holds whole cents

    def balances(self) -> list[AccountBalance]:
        totals: Counter[str] = Counter()
        for _, posting in self._postings():
            totals[posting.account] += posting.amount.cents
        return [AccountBalance(account, Money(totals[account])) for account in sorted(totals)]

    def unbalanced_entries(self) -> list[str]:
        return [
            kept.entry.key
            for kept in self.entries
            if sum(p.amount.cents for p in kept.entry.postings) != 0
        ]

    def entry_totals(self, *, year: int) -> dict[str, dict[str, Money]]:
        totals: dict[str, Counter[str]] = {}
        for kept, posting in self._postings():
            if kept.entry.reporting_year == year:
                totals.setdefault(kept.entry.kind.value, Counter())[posting.account] += (
                    posting.amount.cents
                )
        return {
            kind: {account: Money(cents) for account, cents in by_account.items()}
            for kind, by_account in totals.items()
        }

    def version(self) -> int:
        return len(self.entries)

    def savings_lines(self, person_id: int) -> list[StatementLine]:
        postings = [
            SavingsPosting(
                kept.entry.key,
                kept.entry.reporting_year,
                kept.entry.kind,
                posting.amount,
                kept.posted_on,
            )
            for kept, posting in self._postings()
            if posting.person_id == person_id and posting.account == ledger.TARGET_SAVINGS
        ]
        state = self.uow.state
        return savings_lines_of(
            postings,
            payouts=[k.payout for k in state.payouts.values() if k.payout.person_id == person_id],
            heir_payouts=[p for p in state.heir_payouts.values() if p.person_id == person_id],
        )

    def target_savings(self, person_id: int) -> tuple[dt.date | None, Money]:
        credited_on = min(
            (
                kept.posted_on
                for kept, posting in self._postings()
                if kept.entry.kind is EntryKind.MATURITY
                and posting.person_id == person_id
                and posting.account == ledger.TARGET_SAVINGS
            ),
            default=None,
        )
        return credited_on, self._savings_of(person_id)

    def _savings_of(self, person_id: int) -> Money:
        return Money(sum(line.amount.cents for line in self.savings_lines(person_id)))

    def maturity_credits(self) -> dict[int, dict[tuple[int, Money], int]]:
        born = {p.person_id: p.iin.birth_date.year for p in self.uow.state.persons.values()}
        credits: dict[int, Counter[tuple[int, Money]]] = {}
        for kept, posting in self._postings():
            if kept.entry.kind is EntryKind.MATURITY and posting.account == ledger.TARGET_SAVINGS:
                assert posting.person_id is not None
                key = (born[posting.person_id] + AGE_SPAN_YEARS, posting.amount)
                credits.setdefault(kept.entry.reporting_year, Counter())[key] += 1
        return {year: dict(amounts) for year, amounts in credits.items()}

    def negative_savings_accounts(self) -> int:
        savings: Counter[int] = Counter()
        for _, posting in self._postings():
            if posting.account == ledger.TARGET_SAVINGS and posting.person_id is not None:
                savings[posting.person_id] += posting.amount.cents
        return sum(1 for cents in savings.values() if cents < 0)

    def expire_savings(self, *, credited_before: dt.date, as_of: dt.date) -> tuple[int, Money]:
        key = f"expiry:{as_of.isoformat()}"
        if any(kept.entry.key == key for kept in self.entries):
            return 0, Money(0)
        credited = {
            posting.person_id
            for kept, posting in self._postings()
            if kept.entry.kind is EntryKind.MATURITY
            and posting.account == ledger.TARGET_SAVINGS
            and kept.posted_on < credited_before
        }
        frozen = {
            person.person_id
            for person in self.uow.state.persons.values()
            if freezes(person.facts, today=as_of)
        }
        expiring = {
            person_id: self._savings_of(person_id)
            for person_id in sorted(p for p in credited if p is not None and p not in frozen)
        }
        expiring = {person_id: m for person_id, m in expiring.items() if m.cents > 0}
        if expiring:
            postings = [
                Posting(account, amount if account == ledger.PENSION else -amount, person_id)
                for person_id, amount in expiring.items()
                for account in (ledger.TARGET_SAVINGS, ledger.PENSION)
            ]
            self.post(
                JournalEntry(
                    key=key,
                    kind=EntryKind.EXPIRY,
                    reporting_year=as_of.year,
                    postings=tuple(postings),
                ),
                posted_on=as_of,
            )
        return len(expiring), Money(sum(m.cents for m in expiring.values()))


class FakePayouts:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    @property
    def stored(self) -> dict[str, StoredPayout]:
        return self.uow.state.payouts

    def save(self, payout: Payout, *, requested_on: dt.date) -> None:
        if payout.payout_id in self.stored:
            raise KeyError(f"payout {payout.payout_id!r} exists")
        self.stored[payout.payout_id] = StoredPayout(payout, requested_on)

    def payout(self, payout_id: str) -> Payout | None:
        kept = self.stored.get(payout_id)
        return None if kept is None else kept.payout

    def close(
        self, payout_id: str, *, status: PayoutStatus, today: dt.date, documents: str | None
    ) -> None:
        kept = self.stored[payout_id]
        kept.payout = dataclasses.replace(kept.payout, status=status)
        kept.closed_on = today

    def due(self, *, before: dt.date) -> list[Payout]:
        return [
            kept.payout
            for _, kept in sorted(self.stored.items())
            if kept.payout.status is PayoutStatus.PAID and kept.payout.return_due_on < before
        ]

    def lock_holder(self, person_id: int) -> None:
        self.uow.require_open()

    def lock_payout(self, payout_id: str) -> None:
        self.uow.require_open()

    def money_at_operators(self) -> tuple[Money, Money]:
        held = sum(
            b.balance.cents
            for b in self.uow.ledger.balances()
            if b.account.startswith("at_authorised_operator:")
        )
        open_total = sum(
            kept.payout.amount.cents
            for kept in self.stored.values()
            if kept.payout.status is PayoutStatus.PAID
        )
        return Money(held), Money(open_total)


class FakeHeirs:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    @property
    def stored(self) -> dict[str, HeirPayout]:
        return self.uow.state.heir_payouts

    def save(self, payout: HeirPayout, *, today: dt.date) -> None:
        if payout.payout_id in self.stored:
            raise KeyError(f"heir payout {payout.payout_id!r} exists")
        self.stored[payout.payout_id] = payout
        self.uow.state.heir_payout_days[payout.payout_id] = (today, None)

    def heir_payout(self, payout_id: str) -> HeirPayout | None:
        return self.stored.get(payout_id)

    def heir_payouts_of(self, person_id: int) -> list[HeirPayout]:
        return [p for p in self.stored.values() if p.person_id == person_id]

    def close(self, payout_id: str, *, status: HeirPayoutStatus, today: dt.date) -> None:
        self.stored[payout_id] = dataclasses.replace(self.stored[payout_id], status=status)
        days = self.uow.state.heir_payout_days
        days[payout_id] = (days[payout_id][0], today)

    def lock_certificate(self, number: str) -> None:
        self.uow.require_open()

    def certificate(self, number: str) -> RecordedCertificate | None:
        return self.uow.state.certificates.get(number)

    def certificates_of(self, person_id: int) -> list[RecordedCertificate]:
        kept = self.uow.state.certificates
        return [kept[number] for number in sorted(kept) if kept[number].person_id == person_id]

    def record_certificate(
        self,
        certificate: NotaryCertificate,
        *,
        person_id: int,
        operator_name: str,
        today: dt.date,
    ) -> None:
        if certificate.number in self.uow.state.certificates:
            raise KeyError(f"certificate {certificate.number!r} exists")
        recorded = RecordedCertificate(certificate, person_id, operator_name)
        self.uow.state.certificates[certificate.number] = recorded


class FakeOperators:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    @property
    def stored(self) -> dict[str, StoredOperator]:
        return self.uow.state.operators

    def _operator(self, name: str, kept: StoredOperator) -> AuthorisedOperator:
        return AuthorisedOperator(
            name=name,
            purposes=kept.purposes,
            active=kept.revoked_on is None,
            pays_heirs=kept.pays_heirs,
        )

    def named(self, name: str) -> AuthorisedOperator | None:
        kept = self.stored.get(name)
        return None if kept is None else self._operator(name, kept)

    def with_digest(self, digest: str) -> AuthorisedOperator | None:
        for name, kept in self.stored.items():
            if kept.digest == digest:
                return self._operator(name, kept)
        return None

    def all(self) -> list[AuthorisedOperator]:
        return [self._operator(name, kept) for name, kept in sorted(self.stored.items())]

    def add(
        self,
        *,
        name: str,
        purposes: frozenset[Purpose],
        pays_heirs: bool,
        digest: str,
        today: dt.date,
    ) -> None:
        if name in self.stored:
            raise KeyError(f"operator {name!r} exists")
        self.stored[name] = StoredOperator(purposes, pays_heirs, digest)

    def credential_digests(self) -> dict[str, str]:
        return {name: kept.digest for name, kept in self.stored.items()}

    def replace_credential(self, *, name: str, digest: str, today: dt.date) -> None:
        self.stored[name].digest = digest

    def replace_purposes(
        self, *, name: str, purposes: frozenset[Purpose], pays_heirs: bool
    ) -> None:
        self.stored[name].purposes = purposes
        self.stored[name].pays_heirs = pays_heirs

    def revoke(self, *, name: str, today: dt.date) -> None:
        self.stored[name].revoked_on = today


class FakeReads:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    def participant_groups(self, *, year: int, view: View) -> list[ParticipantGroup]:
        counts: Counter[tuple[int, bool]] = Counter()
        for person in self.uow.state.persons.values():
            born = person.iin.birth_date
            if participation_in(
                year, birth_date=born, facts=person.facts, view=view
            ).is_participant:
                counts[born.year, person.iin.is_male] += 1
        return [ParticipantGroup(b, m, None, n) for (b, m), n in sorted(counts.items())]

    def kept_participant_groups(self, *, year: int) -> list[ParticipantGroup] | None:
        return self.uow.state.participant_counts.get(year)

    def keep_participant_groups(self, *, year: int, groups: Sequence[ParticipantGroup]) -> None:
        self.uow.state.participant_counts[year] = list(groups)

    def savings_flows(self) -> list[SavingsFlow]:
        flows: dict[tuple[int, str], tuple[int, int]] = {}
        for kept, posting in self.uow.ledger._postings():
            if posting.account == ledger.TARGET_SAVINGS:
                key = (kept.entry.reporting_year, kept.entry.kind.value)
                count, cents = flows.get(key, (0, 0))
                flows[key] = (count + 1, cents + posting.amount.cents)
        return [SavingsFlow(y, k, n, Money(c)) for (y, k), (n, c) in sorted(flows.items())]

    def payout_totals(self, *, until: dt.date | None) -> list[PayoutTotal]:
        last = until or dt.date.max
        groups: dict[tuple[Purpose, str], list[StoredPayout]] = {}
        for kept in self.uow.state.payouts.values():
            if kept.requested_on <= last:
                groups.setdefault((kept.payout.purpose, kept.payout.operator_name), []).append(kept)
        totals = []
        for (purpose, name), kept_payouts in sorted(groups.items()):
            done = [
                k.payout for k in kept_payouts if k.closed_on is not None and k.closed_on <= last
            ]
            returned = [p for p in done if p.status is PayoutStatus.RETURNED]
            totals.append(PayoutTotal(
                purpose, name, len(kept_payouts),
                Money(sum(k.payout.amount.cents for k in kept_payouts)),
                sum(p.status is PayoutStatus.CONFIRMED for p in done), len(returned),
                Money(sum(p.amount.cents for p in returned)),
            ))  # fmt: skip
        return totals

    def heir_payout_totals(self, *, until: dt.date | None) -> list[HeirPayoutTotal]:
        last = until or dt.date.max
        groups: dict[str, list[int]] = {}
        for payout_id, payout in self.uow.state.heir_payouts.items():
            paid_on, returned_on = self.uow.state.heir_payout_days[payout_id]
            if paid_on <= last:
                sums = groups.setdefault(payout.operator_name, [0, 0, 0, 0])
                returned = returned_on is not None and returned_on <= last
                cents = payout.amount.cents
                sums[0], sums[1] = sums[0] + 1, sums[1] + cents
                sums[2], sums[3] = sums[2] + returned, sums[3] + (cents if returned else 0)
        return [
            HeirPayoutTotal(name, n, Money(c), returned, Money(returned_cents))
            for name, (n, c, returned, returned_cents) in sorted(groups.items())
        ]

    def savings_by_region(self, *, year: int, view: View) -> list[RegionSavings]:
        credited = [
            posting.amount.cents
            for kept, posting in self.uow.ledger._postings()
            if kept.entry.kind is EntryKind.MATURITY and kept.entry.reporting_year == year
            and posting.account == ledger.TARGET_SAVINGS
        ]  # fmt: skip
        return [RegionSavings(None, len(credited), Money(sum(credited)))] if credited else []

    def _sole_birth(self, person: Person) -> Fact | None:
        bearing = [f for f in person.facts if f.kind is not RecordKind.DATA_UPDATED]
        if len(bearing) == 1 and bearing[0].kind is RecordKind.BORN_CITIZEN:
            return bearing[0]
        return None

    def birth_groups(self, *, view: View) -> list[BirthGroup]:
        counts: Counter[tuple[dt.date, bool]] = Counter()
        for person in self.uow.state.persons.values():
            birth = self._sole_birth(person)
            if birth is not None:
                counts[person.iin.birth_date, view.sees(birth)] += 1
        return [BirthGroup(born, seen, n) for (born, seen), n in sorted(counts.items())]

    def facts_by_person(self) -> Iterator[tuple[dt.date, list[Fact]]]:
        for person in self.uow.state.persons.values():
            if self._sole_birth(person) is None:
                yield person.iin.birth_date, list(person.facts)

    def summaries_disagreeing(self, *, shown: int) -> tuple[int, list[int]]:
        return 0, []  # no summary kept: the sole birth is read from the facts each time

    def money_moves(self) -> MoneyMoves:
        moving = {EntryKind.PAYOUT, EntryKind.CONFIRMATION, EntryKind.RETURN, EntryKind.INHERITANCE}
        postings: dict[str, list[Moved]] = {}
        for kept, posting in self.uow.ledger._postings():
            if kept.entry.kind in moving:
                postings.setdefault(kept.entry.key, []).append(
                    (posting.account, posting.amount, posting.person_id)
                )
        return MoneyMoves(
            payouts=[kept.payout for kept in self.uow.state.payouts.values()],
            heir_payouts=list(self.uow.state.heir_payouts.values()),
            postings=postings,
        )


class FakeEdge:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    def lock_key(self, *, scope: str, key: str) -> None:
        self.uow.require_open()

    def kept_answer(self, *, scope: str, key: str) -> KeptAnswer | None:
        return self.uow.state.kept_answers.get((scope, key))

    def keep_answer(self, *, scope: str, key: str, answer: KeptAnswer, now: dt.datetime) -> None:
        if (scope, key) in self.uow.state.kept_answers:
            raise KeyError(f"an answer is kept under {key!r} already")
        self.uow.state.kept_answers[scope, key] = answer

    def audit_events(
        self,
        *,
        iin: str | None,
        since: dt.date | None,
        limit: int,
        actor: str | None = None,
        action: str | None = None,
        until: dt.date | None = None,
    ) -> list[AuditEvent]:
        events = [
            e
            for e in reversed(self.uow.state.audit)
            if (iin is None or e.iin == iin)
            and (since is None or e.at >= day_begins(since))
            and (until is None or e.at < day_begins(until + dt.timedelta(days=1)))
            and (actor or "").casefold() in e.actor.casefold()
            and (action or "").casefold() in e.action.casefold()
        ]
        return events[:limit]


class FakeOfficeReads:
    """The office's reads over the fakes' state: imports are tested on the databases, so
    there are no batches here; payouts are the state's."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    def batches(self, *, limit: int) -> list[BatchSummary]:
        return []

    def rejected_rows(self, *, batch_id: int, limit: int) -> list[RejectedRow]:
        return []

    def payouts(
        self, *, statuses: frozenset[str], limit: int, order: PayoutOrder = "operator"
    ) -> list[PayoutRow]:
        rows = [row for _, row in self._person_rows() if row.status in statuses]
        if order == "newest":
            rows.sort(key=lambda r: (r.closed_on or dt.date.min, r.payout_id), reverse=True)
        else:
            due = {r.payout_id: r.return_due_on or r.requested_on for r in rows}
            if order == "due":
                rows.sort(key=lambda r: (due[r.payout_id], r.operator, r.payout_id))
            else:
                rows.sort(key=lambda r: (r.operator, due[r.payout_id], r.payout_id))
        return rows[:limit]

    def payout_counts(self, *, statuses: frozenset[str], today: dt.date) -> list[PayoutCount]:
        rows = [row for _, row in self._person_rows() if row.status in statuses]
        counts = []
        for operator in sorted({r.operator for r in rows}):
            own = [r for r in rows if r.operator == operator]
            dues = [r.return_due_on for r in own if r.return_due_on is not None]
            counts.append(PayoutCount(
                operator, len(own), Money(sum(r.amount.cents for r in own)),
                min(dues, default=None), sum(1 for day in dues if day < today),
            ))  # fmt: skip
        return counts

    def payouts_of_person(self, person_id: int) -> list[PayoutRow]:
        return [row for pid, row in self._person_rows() if pid == person_id]

    def payouts_of_operator(
        self, operator: str, *, day: dt.date, after: str | None, limit: int
    ) -> list[PayoutRow]:
        rows = sorted(
            (row for _, row in self._person_rows()
             if row.operator == operator and row.requested_on == day
             and row.payout_id > (after or "")),
            key=lambda row: row.payout_id,
        )  # fmt: skip
        return rows[:limit]

    def _person_rows(self) -> list[tuple[int, PayoutRow]]:
        iins = {p.person_id: p.iin.value for p in self.uow.state.persons.values()}
        return [
            (
                kept.payout.person_id,
                PayoutRow(
                    kept.payout.payout_id,
                    iins[kept.payout.person_id],
                    kept.payout.operator_name,
                    kept.payout.amount,
                    kept.payout.purpose.value,
                    kept.payout.sub_purpose,
                    kept.requested_on,
                    kept.return_due_on,
                    kept.payout.status.value,
                    None,
                ),
            )
            for kept in self.uow.state.payouts.values()
        ]


class FakeStaff:
    """Staff sessions and pending sign-ins in memory."""

    def __init__(self) -> None:
        self.sessions: dict[str, StaffSession] = {}
        self.sign_ins: dict[str, tuple[PendingSignIn, dt.datetime]] = {}

    def open_staff_session(
        self, *, token_digest: str, session: StaffSession, now: dt.datetime
    ) -> None:
        self.sessions[token_digest] = session

    def staff_session(self, *, token_digest: str, now: dt.datetime) -> StaffSession | None:
        found = self.sessions.get(token_digest)
        return found if found is not None and found.expires_at > now else None

    def close_staff_session(self, *, token_digest: str) -> None:
        self.sessions.pop(token_digest, None)

    def close_sessions_of(self, *, user_name: str, now: dt.datetime) -> int:
        theirs = [t for t, s in self.sessions.items() if same_person(s.member.user, user_name)]
        open_ones = sum(self.sessions.pop(token).expires_at > now for token in theirs)
        return open_ones

    def save_sign_in(
        self, *, state_digest: str, pending: PendingSignIn, expires_at: dt.datetime
    ) -> None:
        self.sign_ins[state_digest] = (pending, expires_at)

    def take_sign_in(self, *, state_digest: str, now: dt.datetime) -> PendingSignIn | None:
        found = self.sign_ins.pop(state_digest, None)
        return found[0] if found is not None and found[1] > now else None


def _done(answer: Callable[[], T]) -> Future[T]:
    """A future already done with what `answer` gives (or raises)."""
    done: Future[T] = Future()
    try:
        done.set_result(answer())
    except Exception as error:
        done.set_exception(error)
    return done


class FakeServing:
    """The serving store in memory: it is written at once, outside any transaction, so
    a rollback of the unit of work leaves it as it is."""

    def __init__(self) -> None:
        self.audit: list[AuditEvent] = []
        self.sessions: dict[str, tuple[str, dt.datetime]] = {}
        self.challenges: dict[str, PendingChallenge] = {}
        self.expiry: dict[str, dt.datetime] = {}
        self.buckets: dict[str, tuple[float, float]] = {}
        self.failing = False  # a test can make the audit log unwritable

    def record(self, event: AuditEvent) -> None:
        if self.failing:
            raise OSError("audit log unavailable")
        self.audit.append(event)

    def record_later(self, event: AuditEvent) -> Future[None]:
        return _done(lambda: self.record(event))

    def audit_events(
        self,
        *,
        iin: str | None,
        since: dt.date | None,
        limit: int,
        actor: str | None = None,
        action: str | None = None,
        until: dt.date | None = None,
    ) -> list[AuditEvent]:
        events = [
            e
            for e in reversed(self.audit)
            if (iin is None or e.iin == iin)
            and (since is None or e.at >= day_begins(since))
            and (until is None or e.at < day_begins(until + dt.timedelta(days=1)))
            and (actor or "").casefold() in e.actor.casefold()
            and (action or "").casefold() in e.action.casefold()
        ]
        return events[:limit]

    def open_session(self, *, token_digest: str, iin: str, expires_at: dt.datetime) -> None:
        self.sessions[token_digest] = (iin, expires_at)

    def session_holder(self, *, token_digest: str, now: dt.datetime) -> str | None:
        found = self.sessions.get(token_digest)
        return found[0] if found is not None and found[1] > now else None

    def close_session(self, *, token_digest: str) -> None:
        self.sessions.pop(token_digest, None)

    def save_challenge(
        self,
        *,
        challenge_id: str,
        iin: str,
        code_digest: str,
        expires_at: dt.datetime,
        attempts: int,
    ) -> None:
        self.challenges[challenge_id] = PendingChallenge(iin, code_digest, attempts)
        self.expiry[challenge_id] = expires_at

    def challenge_of(self, *, challenge_id: str, now: dt.datetime) -> PendingChallenge | None:
        found = self.challenges.get(challenge_id)
        if found is None or self.expiry[challenge_id] <= now:
            return None
        return found

    def attempt_challenge(self, *, challenge_id: str, now: dt.datetime) -> PendingChallenge | None:
        found = self.challenges.get(challenge_id)
        if found is None or self.expiry[challenge_id] <= now or found.attempts_left <= 0:
            return None
        left = PendingChallenge(found.iin, found.code_digest, found.attempts_left - 1)
        self.challenges[challenge_id] = left
        return left

    def forget_challenge(self, *, challenge_id: str) -> bool:
        return self.challenges.pop(challenge_id, None) is not None

    def take_token_later(
        self, *, bucket: str, capacity: int, refill_seconds: float, now: float
    ) -> Future[float]:
        return _done(
            lambda: self._take_token(
                bucket=bucket, capacity=capacity, refill_seconds=refill_seconds, now=now
            )
        )

    def forget_full_buckets(self, *, untouched_since: float) -> Future[None]:
        def forget() -> None:
            for bucket, (_, at) in list(self.buckets.items()):
                if at < untouched_since:
                    del self.buckets[bucket]

        return _done(forget)

    def _take_token(
        self, *, bucket: str, capacity: int, refill_seconds: float, now: float
    ) -> float:
        tokens, at = self.buckets.get(bucket, (float(capacity), now))
        tokens = min(float(capacity), tokens + (now - at) / refill_seconds)
        if tokens < 1:
            self.buckets[bucket] = (tokens, now)
            return (1 - tokens) * refill_seconds
        self.buckets[bucket] = (tokens - 1, now)
        return 0.0


class FakeSchema:
    def version(self) -> int:
        return 1

    def latest_version(self) -> int:
        return 1

    def other_tables(self) -> list[str]:
        return []

    def initialise(self) -> int:
        return 1


class FakeUnitOfWork:
    """The `UnitOfWork` port in memory."""

    description = "memory"

    def __init__(self) -> None:
        self.state = State()
        self._snapshot: State | None = None
        self.commits = 0
        self.schema = FakeSchema()
        self.register = FakeRegister(self)
        self.parameters = FakeParameters(self)
        self.proposals = FakeProposals(self)
        self.closes = FakeCloses(self)
        self.ledger = FakeLedger(self)
        self.payouts = FakePayouts(self)
        self.heirs = FakeHeirs(self)
        self.operators = FakeOperators(self)
        self.reads = FakeReads(self)
        self.office = FakeOfficeReads(self)
        self.edge = FakeEdge(self)
        self.serving = FakeServing()
        self.staff = FakeStaff()

    def __enter__(self) -> Self:
        if self._snapshot is not None:
            raise TransactionError("a transaction is already open on memory")
        self._snapshot = copy.deepcopy(self.state)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._snapshot is not None:
            self.rollback()

    @contextlib.contextmanager
    def shared(self) -> Iterator[Self]:
        """In memory there is one writer at a time: the same as `with uow:`."""
        with self:
            yield self

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads in memory see one state already; a snapshot is refused inside a
        transaction, as on the databases."""
        if self._snapshot is not None:
            raise TransactionError("a transaction is already open on memory")
        yield

    def commit(self) -> None:
        self.require_open()
        self._snapshot = None
        self.commits += 1

    def rollback(self) -> None:
        self.require_open()
        assert self._snapshot is not None
        self.state, self._snapshot = self._snapshot, None

    def discard(self) -> None:
        """In memory every check runs at once and nothing outlives a rollback."""
        self.rollback()

    def require_open(self) -> None:
        if self._snapshot is None:
            raise TransactionError("this step writes inside an open unit of work on memory")

    def close(self) -> None:
        return None

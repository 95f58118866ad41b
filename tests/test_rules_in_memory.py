"""The services' rules on the in-memory unit of work (`tests/fakes.py`): the unit of work
itself, exactly-once answers, the National Bank's parameters, and reconcile — each check
holding on honest books and failing, by name, on books tampered with."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from fakes import FakeUnitOfWork
from urpaq.domain import ledger
from urpaq.domain.audit import AuditEvent
from urpaq.domain.ledger import EntryKind, JournalEntry, Posting
from urpaq.domain.money import Money
from urpaq.domain.parameters import YearParameters
from urpaq.services.closing import close_year
from urpaq.services.idempotency import IdempotencyKeyReused, answer_once, fingerprint
from urpaq.services.parameters import ParametersRefused, set_parameters
from urpaq.services.ports.edge import KeptAnswer
from urpaq.services.ports.unit_of_work import TransactionError
from urpaq.services.reconciliation import Check, reconcile
from urpaq.services.unit_of_work import writing
from world import MINOR, TODAY, build_world

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
PARAMETERS_2024 = YearParameters(2024, Money(60000), Decimal("0.03"), "NB letter 2024")


def event(status: int) -> list[AuditEvent]:
    """A request's audit events (one: about nobody), as answered with `status`."""
    return [AuditEvent(NOW, "operator:Bank", "POST /api/v1/payouts", None, status, "r1")]


def test_nothing_is_kept_unless_committed() -> None:
    """Leaving a unit of work without `commit()` — cleanly or by an exception — rolls back."""
    uow = FakeUnitOfWork()
    with uow:
        uow.parameters.save(PARAMETERS_2024, today=TODAY)
    assert uow.parameters.parameters_for(2024) is None
    with pytest.raises(ZeroDivisionError), uow:
        uow.parameters.save(PARAMETERS_2024, today=TODAY)
        uow.commit()
        raise ZeroDivisionError
    assert uow.parameters.parameters_for(2024) == PARAMETERS_2024


def test_a_unit_of_work_is_never_entered_twice_and_joining_is_explicit() -> None:
    """Nesting raises; a step that joins its caller's unit of work needs one to be open."""
    uow = FakeUnitOfWork()
    with uow, pytest.raises(TransactionError), uow:
        pass
    with pytest.raises(TransactionError), writing(uow, joined=True):
        pass
    with uow:
        with writing(uow, joined=True):
            uow.parameters.save(PARAMETERS_2024, today=TODAY)
        assert uow.commits == 0  # the caller commits, not the step
        uow.commit()
    assert uow.commits == 1


def test_an_answer_is_given_once_and_replayed_after() -> None:
    """The first answer under a key is kept with its audit event; a repeat replays it and
    is audited again; another request under the key is refused and changes nothing."""
    uow = FakeUnitOfWork()
    asked = fingerprint(method="POST", path="/api/v1/payouts", body={"amount": "1.00"})
    acted: list[int] = []

    def act() -> KeptAnswer:
        acted.append(1)
        return KeptAnswer(asked, 201, '{"payout_id": "p1"}')

    def ask(request: str) -> tuple[KeptAnswer, bool]:
        return answer_once(
            uow, scope="operator:Bank", key="k1", request_fingerprint=request, act=act,
            now=NOW, audit=event,
        )  # fmt: skip

    first, first_repeated = ask(asked)
    again, again_repeated = ask(asked)
    assert (first, first_repeated, again_repeated) == (again, False, True)
    assert acted == [1]
    other = fingerprint(method="POST", path="/api/v1/payouts", body={"amount": "2.00"})
    with pytest.raises(IdempotencyKeyReused) as refusal:
        ask(other)
    assert refusal.value.code == "idempotency_key_reused"
    assert [e.outcome for e in uow.serving.audit_events(iin=None, since=None, limit=10)] == [
        201,
        201,
    ]


@pytest.mark.parametrize("key", ["", "k" * 201])
def test_an_idempotency_key_is_1_to_200_characters(key: str) -> None:
    """A key outside 1–200 characters is refused before anything is read or written."""
    uow = FakeUnitOfWork()
    with pytest.raises(IdempotencyKeyReused) as refusal:
        answer_once(
            uow, scope="s", key=key, request_fingerprint="f",
            act=lambda: KeptAnswer("f", 200, "{}"), now=NOW, audit=event,
        )  # fmt: skip
    assert refusal.value.code == "invalid_idempotency_key"
    assert uow.commits == 0


def test_an_answer_whose_audit_fails_is_not_kept() -> None:
    """If the audit log cannot be written, neither the answer nor its effects stay."""
    uow = FakeUnitOfWork()

    def act() -> KeptAnswer:
        uow.parameters.save(PARAMETERS_2024, today=TODAY)
        return KeptAnswer("f", 201, "{}")

    uow.serving.failing = True
    with pytest.raises(OSError, match="audit log unavailable"):
        answer_once(uow, scope="s", key="k", request_fingerprint="f", act=act, now=NOW, audit=event)
    assert uow.edge.kept_answer(scope="s", key="k") is None
    assert uow.parameters.parameters_for(2024) is None


def test_a_closed_years_parameters_are_final_and_a_batch_is_all_or_nothing(
    tmp_path: Path,
) -> None:
    """Parameters of a closed year cannot change (the same again is a no-op); a batch
    naming one closed year records none of its years."""
    uow = FakeUnitOfWork()
    build_world(uow, tmp_path)  # closes 2023
    closed = uow.parameters.parameters_for(2023)
    assert closed is not None
    set_parameters(uow, parameters=[closed, PARAMETERS_2024], today=TODAY)
    assert uow.parameters.parameters_for(2024) == PARAMETERS_2024
    changed = YearParameters(2023, Money(1), closed.ii_rate, closed.reference)
    later = YearParameters(2025, Money(70000), Decimal("0.03"), "NB letter 2025")
    with pytest.raises(ParametersRefused) as refusal:
        set_parameters(uow, parameters=[later, changed], today=TODAY)
    assert refusal.value.code == "year_closed"
    assert uow.parameters.parameters_for(2025) is None


def failed(checks: list[Check]) -> list[str]:
    return [check.name for check in checks if not check.holds]


def test_every_identity_holds_after_closes_in_memory(tmp_path: Path) -> None:
    """Two closes on the fakes reconcile: every check holds, classes recounted by the rule."""
    uow = FakeUnitOfWork()
    build_world(uow, tmp_path)
    set_parameters(uow, parameters=[PARAMETERS_2024], today=TODAY)
    close_year(uow, year=2024, as_of=dt.date(2025, 1, 31))
    checks = reconcile(uow)
    assert failed(checks) == []
    assert "class 2023: account equals its 1 members' balances" in [c.name for c in checks]


def test_reconcile_names_a_class_whose_members_do_not_match(tmp_path: Path) -> None:
    """Money moved into a class without members — balanced, so every sum still agrees —
    is caught by the recount of the class's members, and by the National Bank's side,
    which no close moved for it."""
    uow = FakeUnitOfWork()
    build_world(uow, tmp_path)
    with uow:
        uow.ledger.post(
            JournalEntry(
                key="tampered", kind=EntryKind.RECLASSIFICATION, reporting_year=2023,
                postings=(
                    Posting(ledger.class_account(2023), Money(500)),
                    Posting(ledger.RESIDUE, Money(-500)),
                ),
            ),
            posted_on=TODAY,
        )  # fmt: skip
        uow.commit()
    assert failed(reconcile(uow)) == [
        "the National Bank's target assets equal the TR owed to all participants",
        "class 2023: account equals its 1 members' balances",
    ]


def test_reconcile_names_a_close_whose_result_disagrees_with_its_entries(
    tmp_path: Path,
) -> None:
    """A close that printed more target savings than its entries credited fails that
    check by name, and the National Bank's side, which recorded what was credited."""
    uow = FakeUnitOfWork()
    build_world(uow, tmp_path)
    record = uow.state.closes[0]
    printed = dataclasses.replace(
        record.result, target_savings_credited=record.result.target_savings_credited + Money(1)
    )
    uow.state.closes[0] = dataclasses.replace(record, result=printed)
    assert failed(reconcile(uow)) == [
        "2023: target savings credited",
        "2023: the National Bank's side records the close",
    ]


def test_a_minor_s_statement_explains_the_class_balance(tmp_path: Path) -> None:
    """In memory as on the databases, a participant's statement shows the per-child TR."""
    from urpaq.services.statements import statement_of

    uow = FakeUnitOfWork()
    build_world(uow, tmp_path)
    statement = statement_of(uow, iin=MINOR)
    assert statement.target_requirements == Money.parse("100.00")

"""Payouts of target savings through authorised operators: the refusals in one table (in
memory), the money path (pay, confirm, return, settle, expire) with statements and
reconcile in memory and on both databases, and concurrent requests against one balance
on both databases."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes import FakeUnitOfWork
from urpaq.adapters.calendar import return_due_on, working_days_after
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.bootstrap import open_unit_of_work
from urpaq.domain.iin import Iin
from urpaq.domain.inheritance import CertificateClaim
from urpaq.domain.money import Money
from urpaq.domain.operators import AuthorisedOperator, Purpose
from urpaq.domain.payouts import Payout, PayoutRefused, PayoutStatus
from urpaq.services.inheritance import pay_heir
from urpaq.services.operators import add_operator, operator_for_credential
from urpaq.services.payouts import (
    confirm_payout,
    expire_savings,
    request_payout,
    return_payout,
    savings_holder,
    settle_payouts,
)
from urpaq.services.ports.unit_of_work import UnitOfWork
from urpaq.services.reconciliation import reconcile
from urpaq.services.statements import statement_of
from world import (
    ADULT,
    DEAD_CHILD,
    LATE_ADULT,
    MINOR,
    TODAY,
    UNKNOWN,
    add_dead_child,
    build_world,
)

_ids = itertools.count(1)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def books(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UnitOfWork]:
    """A unit of work in memory (the fakes) or on a fresh database of each kind."""
    if request.param == "memory":
        yield FakeUnitOfWork()
        return
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'urpaq.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    opened = open_unit_of_work(url)
    opened.schema.initialise()
    yield opened
    opened.close()


@pytest.fixture
def memory() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def open_bank(uow: UnitOfWork, folder: Path) -> AuthorisedOperator:
    """Three children closed for 2023 (100.00 each, two adults turning 18), and a bank."""
    build_world(uow, folder)
    credential = add_operator(
        uow, name="Bank", purposes=frozenset({Purpose.EDUCATION}), today=TODAY,
        new_credential=lambda: f"secret-{next(_ids)}",
    )  # fmt: skip
    operator = operator_for_credential(uow, credential=credential)
    assert operator is not None
    return operator


@pytest.fixture
def bank(memory: FakeUnitOfWork, tmp_path: Path) -> AuthorisedOperator:
    operator = open_bank(memory, tmp_path)
    add_dead_child(memory, tmp_path)
    return operator


def available(uow: UnitOfWork, iin: Iin) -> Money:
    """What the person can still spend, as a payout sees it."""
    holder = savings_holder(uow, iin=iin, today=TODAY)
    assert holder is not None and holder.credited
    return holder.available


def pay(uow: UnitOfWork, operator: AuthorisedOperator, iin: Iin, amount: str, *,
        purpose: Purpose = Purpose.EDUCATION, today: dt.date = TODAY) -> Payout:  # fmt: skip
    return request_payout(
        uow, operator=operator, iin=iin, amount=Money.parse(amount), purpose=purpose,
        sub_purpose="tuition", account="KZ00BANK0001", payout_id=f"p{next(_ids)}",
        today=today, return_due_on=return_due_on,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("iin", "amount", "purpose", "code"),
    [
        (ADULT, "0.00", Purpose.EDUCATION, "invalid_amount"),
        (ADULT, "10.00", Purpose.HOUSING, "purpose_not_served"),
        (UNKNOWN, "10.00", Purpose.EDUCATION, "no_target_savings"),
        (MINOR, "10.00", Purpose.EDUCATION, "no_target_savings"),
        (DEAD_CHILD, "10.00", Purpose.EDUCATION, "no_target_savings"),
        (LATE_ADULT, "10.00", Purpose.EDUCATION, "deceased"),
        (ADULT, "100.01", Purpose.EDUCATION, "insufficient_savings"),
    ],
)
def test_payout_refusals_are_named_in_a_fixed_order(
    memory: FakeUnitOfWork,
    bank: AuthorisedOperator,
    iin: Iin,
    amount: str,
    purpose: Purpose,
    code: str,
) -> None:
    """Each refused request names its reason, and moves no money."""
    uow = memory
    with pytest.raises(PayoutRefused) as refusal:
        pay(uow, bank, iin, amount, purpose=purpose)
    assert refusal.value.code == code
    assert available(uow, ADULT) == Money.parse("100.00")


def test_a_payout_tells_no_one_without_target_savings_apart(
    memory: FakeUnitOfWork, bank: AuthorisedOperator
) -> None:
    """A minor, a deceased child and an unknown IIN get one refusal, word for word, as
    the balance gives them: the payout reveals no more of the register than it does."""
    heirs_bank = AuthorisedOperator("Heirs Bank", frozenset(), active=True, pays_heirs=True)
    refusals = set()
    for iin in (MINOR, DEAD_CHILD, UNKNOWN):
        with pytest.raises(PayoutRefused) as refusal:
            pay(memory, bank, iin, "0.01")
        refusals.add((refusal.value.code, str(refusal.value)))
        with pytest.raises(PayoutRefused) as refusal:
            pay_heir(
                memory, operator=heirs_bank, iin=iin, amount=Money.parse("0.01"),
                certificate=CertificateClaim("N-1"), account="KZ1", payout_id="h", today=TODAY,
            )  # fmt: skip
        refusals.add((refusal.value.code, str(refusal.value)))
    assert refusals == {("no_target_savings", "no target savings for this IIN")}


def test_pay_confirm_and_return_move_the_money_and_show_in_the_statement(
    books: UnitOfWork, tmp_path: Path
) -> None:
    """A partial payout leaves the rest; a return restores it; a confirmed one is final."""
    uow, bank = books, open_bank(books, tmp_path)
    used = pay(uow, bank, ADULT, "60.00")
    returned = pay(uow, bank, ADULT, "30.00")
    assert available(uow, ADULT) == Money.parse("10.00")
    assert confirm_payout(uow, operator=bank, payout_id=used.payout_id, documents="invoice 7",
                          today=TODAY).status is PayoutStatus.CONFIRMED  # fmt: skip
    assert return_payout(uow, operator=bank, payout_id=returned.payout_id,
                         today=TODAY).status is PayoutStatus.RETURNED  # fmt: skip
    assert available(uow, ADULT) == Money.parse("40.00")
    with pytest.raises(PayoutRefused, match="already confirmed"):
        return_payout(uow, operator=bank, payout_id=used.payout_id, today=TODAY)
    statement = statement_of(uow, iin=ADULT)
    savings = [(e.kind, str(e.amount)) for e in statement.lines if e.account == "target_savings"]
    assert savings == [("maturity", "100.00"), ("payout", "-60.00"), ("payout", "-30.00"),
                       ("return", "30.00")]  # fmt: skip
    assert statement.target_savings == Money.parse("40.00")
    assert all(check.holds for check in reconcile(uow))


def test_unconfirmed_money_returns_after_45_working_days(books: UnitOfWork, tmp_path: Path) -> None:
    """Settlement returns a payout the day after its 45th working day, not before."""
    uow, bank = books, open_bank(books, tmp_path)
    payout = pay(uow, bank, ADULT, "25.00")
    due = return_due_on(TODAY)
    assert due == dt.date(2027, 1, 28)  # 45 working days, New Year and Christmas off
    assert settle_payouts(uow, as_of=due, today=due) == []
    after = due + dt.timedelta(days=1)
    [settled] = settle_payouts(uow, as_of=after, today=after)
    assert settled.payout_id == payout.payout_id and settled.status is PayoutStatus.RETURNED
    assert available(uow, ADULT) == Money.parse("100.00")
    assert all(check.holds for check in reconcile(uow))


def test_a_settlement_dated_after_today_is_refused_and_moves_nothing(
    books: UnitOfWork, tmp_path: Path
) -> None:
    """Settling as of a day still to come would return a payout before its deadline and
    move savings to the pension accounts before their ten years, for good: refused, as a
    close dated after today is."""
    uow, bank = books, open_bank(books, tmp_path)
    pay(uow, bank, ADULT, "25.00")
    due = return_due_on(TODAY)
    later = dt.date(2099, 1, 1)
    for settle in (settle_payouts, expire_savings):
        with pytest.raises(PayoutRefused) as refusal:
            settle(uow, as_of=later, today=due)
        assert refusal.value.code == "as_of_in_future"
        assert str(refusal.value) == f"as-of date 2099-01-01 is after today ({due})"
    assert available(uow, ADULT) == Money.parse("75.00")
    assert all(check.holds for check in reconcile(uow))


def test_a_confirmation_after_the_deadline_is_refused_before_settlement(
    books: UnitOfWork, tmp_path: Path
) -> None:
    """The use of a payout can be confirmed up to its 45th working day; the day after,
    the money is due back, and a confirmation is refused even while the daily settlement
    has not yet returned it."""
    uow, bank = books, open_bank(books, tmp_path)
    late, on_time = pay(uow, bank, ADULT, "25.00"), pay(uow, bank, ADULT, "10.00")
    due = return_due_on(TODAY)
    confirm_payout(uow, operator=bank, payout_id=on_time.payout_id, documents="invoice 7",
                   today=due)  # fmt: skip
    with pytest.raises(PayoutRefused) as refusal:
        confirm_payout(uow, operator=bank, payout_id=late.payout_id, documents="invoice 8",
                       today=due + dt.timedelta(days=1))  # fmt: skip
    assert refusal.value.code == "deadline_passed"
    assert "2027-01-28" in str(refusal.value)
    still_open = uow.payouts.payout(late.payout_id)
    assert still_open is not None and still_open.status is PayoutStatus.PAID
    after = due + dt.timedelta(days=1)
    [settled] = settle_payouts(uow, as_of=after, today=after)
    assert settled.payout_id == late.payout_id
    assert available(uow, ADULT) == Money.parse("90.00")
    assert all(check.holds for check in reconcile(uow))


def test_working_days_follow_kazakhstan_s_calendar() -> None:
    """Holidays are skipped and a Sunday made a working day by decree counts (5 January 2025)."""
    assert working_days_after(dt.date(2026, 3, 20), 1) == dt.date(2026, 3, 26)  # Nauryz
    assert working_days_after(dt.date(2025, 1, 2), 1) == dt.date(2025, 1, 5)


def test_another_operators_payout_is_unknown(
    memory: FakeUnitOfWork, bank: AuthorisedOperator
) -> None:
    """An operator cannot confirm or return a payout it did not make."""
    uow = memory
    payout = pay(uow, bank, ADULT, "10.00")
    other = AuthorisedOperator("Other Bank", frozenset({Purpose.EDUCATION}), active=True)
    with pytest.raises(PayoutRefused) as refusal:
        confirm_payout(uow, operator=other, payout_id=payout.payout_id, documents="x", today=TODAY)
    assert refusal.value.code == "unknown_payout"


def test_twenty_concurrent_requests_never_pay_more_than_the_balance(
    uow: SqlUnitOfWork, database_url: str, tmp_path: Path
) -> None:
    """Twenty requests of 10.00 at once against 100.00: ten are paid, ten refused."""
    bank = open_bank(uow, tmp_path)
    outcomes: list[str] = []
    barrier = threading.Barrier(20)

    def request() -> None:
        own = open_unit_of_work(database_url)
        try:
            barrier.wait(timeout=30)
            pay(own, bank, ADULT, "10.00")
            outcomes.append("paid")
        except PayoutRefused as refusal:
            outcomes.append(refusal.code)
        finally:
            own.close()

    threads = [threading.Thread(target=request) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["insufficient_savings"] * 10 + ["paid"] * 10
    assert available(uow, ADULT) == Money(0)
    assert all(check.holds for check in reconcile(uow))


def test_savings_unused_for_ten_years_go_to_the_pension_account(
    books: UnitOfWork, tmp_path: Path
) -> None:
    """Ten years after crediting (31 January 2024), what is left moves to the pension
    account; a deceased holder's savings stay frozen; a second run changes nothing."""
    uow, bank = books, open_bank(books, tmp_path)
    pay(uow, bank, ADULT, "30.00")
    before, after = dt.date(2034, 1, 31), dt.date(2034, 2, 1)
    assert expire_savings(uow, as_of=before, today=before) == (0, Money(0))
    assert expire_savings(uow, as_of=after, today=after) == (1, Money.parse("70.00"))
    assert expire_savings(uow, as_of=after, today=after) == (0, Money(0))
    statement = statement_of(uow, iin=ADULT)
    assert statement.target_savings == Money(0)
    assert [(e.kind, str(e.amount)) for e in statement.lines if e.account == "target_savings"][
        -1
    ] == (
        "expiry",
        "-70.00",
    )
    assert available(uow, LATE_ADULT) == Money.parse("100.00")
    assert all(check.holds for check in reconcile(uow))


def test_savings_unused_for_ten_years_are_paid_to_nobody_before_the_settlement_moves_them(
    books: UnitOfWork, tmp_path: Path
) -> None:
    """Paid (201) and offered as available on the first day of expiry, until `payouts
    settle` ran: refused `savings_expired` now, the day before still paid; the settlement
    then moves what is left; a deceased holder's frozen savings do not expire."""
    uow, bank = books, open_bank(books, tmp_path)
    before, after = dt.date(2034, 1, 31), dt.date(2034, 2, 1)
    pay(uow, bank, ADULT, "30.00", today=before)
    with pytest.raises(PayoutRefused) as refusal:
        pay(uow, bank, ADULT, "10.00", today=after)
    assert refusal.value.code == "savings_expired"
    assert "credited on 2024-01-31" in str(refusal.value)
    holder = savings_holder(uow, iin=ADULT, today=after)
    assert holder is not None and holder.available_on(after) == Money(0)
    assert holder.available_on(before) == Money.parse("70.00")
    frozen = savings_holder(uow, iin=LATE_ADULT, today=after)
    assert frozen is not None and not frozen.expired(after)
    # The statement page no longer offers them as spendable (it showed where to apply).
    statement = statement_of(uow, iin=ADULT)
    assert statement.savings_expired(after) and not statement.savings_expired(before)
    assert not statement_of(uow, iin=LATE_ADULT).savings_expired(after)
    assert expire_savings(uow, as_of=after, today=after) == (1, Money.parse("70.00"))
    assert all(check.holds for check in reconcile(uow))


def test_reconcile_names_a_cent_moved_between_two_maturity_credits(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    """A cent taken from one holder's maturity credit and given to another's (the append-
    only triggers dropped first, as only someone tampering could): every total stays as
    it was, and the check that each credit is its class's balance names the close."""
    build_world(uow, tmp_path)
    postgres = not uow.db.description.startswith("sqlite")
    drops = (
        ["DROP TRIGGER posting_is_append_only ON posting"]
        if postgres
        else ["DROP TRIGGER posting_is_append_only_update"]
    )
    uow.db.begin()
    for drop in drops:
        uow.db.execute(drop)
    moved = (
        "UPDATE posting SET amount_cents = amount_cents + ? WHERE account = 'target_savings'"
        " AND person_id = (SELECT person_id FROM person WHERE iin = ?)"
    )
    uow.db.execute(moved, (1, ADULT.value))
    uow.db.execute(moved, (-1, LATE_ADULT.value))
    uow.db.commit()
    checks = reconcile(uow)
    assert [check.name for check in checks if not check.holds] == [
        "2023: each maturity credits its class's balance"
    ]
    broken = next(check for check in checks if not check.holds)
    assert "1 accounts credited 100.01 USD, 0 expected" in broken.detail

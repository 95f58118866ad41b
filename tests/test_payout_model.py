"""A stateful model of target savings accounts, run against the real services on SQLite.

Hypothesis drives random sequences of credit (a close that matures a cohort), payout,
confirmation, return, heirs' payout, the daily settlement and expiry, with the calendar
moving forward; after every step each person's balance, every payout's status and the
money at operators must equal the model's, and every ledger identity must hold.
"""

from __future__ import annotations

import datetime as dt
import itertools
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    precondition,
    rule,
)

from urpaq.adapters.calendar import return_due_on
from urpaq.adapters.feed import inspect_feed, read_feed
from urpaq.bootstrap import open_unit_of_work
from urpaq.domain.iin import Iin
from urpaq.domain.inheritance import CertificateClaim
from urpaq.domain.money import Money
from urpaq.domain.operators import Purpose
from urpaq.domain.parameters import YearParameters
from urpaq.domain.payouts import PayoutRefused, PayoutStatus, latest_unexpired_crediting
from urpaq.services import inheritance, payouts
from urpaq.services.closing import close_year
from urpaq.services.operators import add_operator, operator_for_credential
from urpaq.services.parameters import set_parameters
from urpaq.services.reconciliation import reconcile
from urpaq.services.register_import import import_records

FIRST = Iin.parse("060303500010")  # born 2006: 100.00 credited by the 2023 close
SECOND = Iin.parse("070505600017")  # born 2007: 200.00 credited by the 2024 close
CHILD = Iin.parse("150101500011")  # a minor throughout
HEIR = "850201300128"  # the one heir of either holder, on a certificate for the whole
FEED = (
    "record_id,iin,kind,effective_date,recorded_on,region\n"
    f"f,{FIRST},born_citizen,2006-03-03,2006-03-08,\n"
    f"s,{SECOND},born_citizen,2007-05-05,2007-05-10,\n"
    f"c,{CHILD},born_citizen,2015-01-01,2015-01-05,\n"
)
DEATH = "record_id,iin,kind,effective_date,recorded_on,region\nx{iin},{iin},died,{day},{day},\n"
CREDITED_ON = {FIRST: dt.date(2024, 1, 31), SECOND: dt.date(2025, 1, 31)}
CREDIT = {FIRST: Money(10000), SECOND: Money(20000)}


@dataclass
class ModelPayout:
    payout_id: str
    person: Iin
    amount: Money
    due_on: dt.date
    status: PayoutStatus = PayoutStatus.PAID


class SavingsAccounts(RuleBasedStateMachine):
    paid = Bundle("paid")

    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        self.uow = open_unit_of_work(f"sqlite:///{Path(self.folder.name) / 'model.db'}")
        self.uow.schema.initialise()
        self.ids = itertools.count(1)
        self.today = dt.date(2026, 11, 20)
        self.available = {FIRST: Money(0), SECOND: Money(0)}
        self.credited: set[Iin] = set()
        self.deceased: set[Iin] = set()
        self.payouts: dict[str, ModelPayout] = {}
        self.pension = Money(0)
        self.to_heirs = Money(0)

    def teardown(self) -> None:
        self.uow.close()
        self.folder.cleanup()

    @initialize()
    def register_and_close_2023(self) -> None:
        path = Path(self.folder.name) / "feed.csv"
        path.write_text(FEED, encoding="utf-8")
        self._import(path)
        set_parameters(self.uow, today=self.today, parameters=[
            YearParameters(2023, Money(30000), Decimal(0), "model"),
            YearParameters(2024, Money(20000), Decimal(0), "model"),
        ])  # fmt: skip
        close_year(self.uow, year=2023, as_of=CREDITED_ON[FIRST])
        self._credit(FIRST)
        credential = add_operator(
            self.uow, name="Bank", purposes=frozenset(Purpose), pays_heirs=True,
            today=self.today, new_credential=lambda: "model-credential",
        )  # fmt: skip
        operator = operator_for_credential(self.uow, credential=credential)
        assert operator is not None
        self.bank = operator

    # --- rules --------------------------------------------------------------------------

    @precondition(lambda self: SECOND not in self.credited)
    @rule()
    def credit_the_next_cohort(self) -> None:
        close_year(self.uow, year=2024, as_of=CREDITED_ON[SECOND])
        self._credit(SECOND)

    @rule(
        target=paid,
        person=st.sampled_from([FIRST, SECOND, CHILD]),
        cents=st.integers(min_value=1, max_value=25000),
    )
    def request_a_payout(self, person: Iin, cents: int) -> str:
        amount = Money(cents)
        payout_id = f"p{next(self.ids)}"
        expected = self._expected_refusal(person, amount)
        try:
            payouts.request_payout(
                self.uow, operator=self.bank, iin=person, amount=amount,
                purpose=Purpose.EDUCATION, sub_purpose="tuition_period", account="KZ01",
                payout_id=payout_id, today=self.today, return_due_on=return_due_on,
            )  # fmt: skip
        except PayoutRefused as refusal:
            assert refusal.code == expected, (refusal.code, expected)
            return payout_id  # never paid: later steps on it are refused as unknown
        assert expected is None, expected
        self.available[person] = self.available[person] - amount
        self.payouts[payout_id] = ModelPayout(payout_id, person, amount, return_due_on(self.today))
        return payout_id

    @rule(payout_id=consumes(paid))
    def confirm_use(self, payout_id: str) -> None:
        self._close(payout_id, PayoutStatus.CONFIRMED)

    @rule(payout_id=consumes(paid))
    def return_unused(self, payout_id: str) -> None:
        self._close(payout_id, PayoutStatus.RETURNED)

    @rule(days=st.integers(min_value=1, max_value=120))
    def days_pass_and_the_daily_job_runs(self, days: int) -> None:
        self.today += dt.timedelta(days=days)
        self._settle_and_expire()

    @rule(years=st.integers(min_value=1, max_value=6))
    def years_pass_and_the_daily_job_runs(self, years: int) -> None:
        self.today = self.today.replace(year=self.today.year + years, day=1)
        self._settle_and_expire()

    @precondition(lambda self: len(self.deceased) < 2)
    @rule(person=st.sampled_from([FIRST, SECOND]))
    def the_holder_dies(self, person: Iin) -> None:
        if person in self.deceased:
            return
        path = Path(self.folder.name) / f"death-{person}.csv"
        path.write_text(DEATH.format(iin=person, day=self.today.isoformat()), encoding="utf-8")
        self._import(path)
        self.deceased.add(person)

    @rule(person=st.sampled_from([FIRST, SECOND]), cents=st.integers(1, 25000))
    def an_heir_is_paid(self, person: Iin, cents: int) -> None:
        amount = Money(cents)
        expected = None
        if person not in self.credited:
            expected = "no_target_savings"
        elif person not in self.deceased:
            expected = "holder_alive"
        elif amount > self.available[person]:
            expected = "share_exceeded"  # one heir, a share of the whole: all that is left
        certificate = CertificateClaim(
            f"CERTIFICATE {person}", notary="Notary", heir_iin=HEIR, share=Fraction(1)
        )
        try:
            inheritance.pay_heir(
                self.uow, operator=self.bank, iin=person, amount=amount,
                certificate=certificate, account="KZ02",
                payout_id=f"h{next(self.ids)}", today=self.today,
            )  # fmt: skip
        except PayoutRefused as refusal:
            assert refusal.code == expected, (refusal.code, expected)
            return
        assert expected is None, expected
        self.available[person] = self.available[person] - amount
        self.to_heirs = self.to_heirs + amount

    # --- invariants ---------------------------------------------------------------------

    @invariant()
    def balances_match_the_model(self) -> None:
        for person, amount in self.available.items():
            holder = payouts.savings_holder(self.uow, iin=person, today=self.today)
            assert holder is not None
            assert holder.available == amount, (person, holder.available, amount)
            assert amount.cents >= 0

    @invariant()
    def payouts_match_the_model(self) -> None:
        for payout in self.payouts.values():
            stored = self.uow.payouts.payout(payout.payout_id)
            assert stored is not None and stored.status is payout.status, payout
        held, open_payouts = self.uow.payouts.money_at_operators()
        expected = sum(p.amount.cents for p in self.payouts.values() if p.status == "paid")
        assert held == open_payouts == Money(expected)

    @invariant()
    def nothing_is_created_or_destroyed(self) -> None:
        credited = sum(CREDIT[person].cents for person in self.credited)
        spent = sum(p.amount.cents for p in self.payouts.values() if p.status == "confirmed")
        at_operators = sum(p.amount.cents for p in self.payouts.values() if p.status == "paid")
        on_accounts = sum(amount.cents for amount in self.available.values())
        assert credited == (
            on_accounts + at_operators + spent + self.pension.cents + self.to_heirs.cents
        )
        failed = [check for check in reconcile(self.uow) if not check.holds]
        assert not failed, failed

    # --- helpers ------------------------------------------------------------------------

    def _credit(self, person: Iin) -> None:
        self.credited.add(person)
        self.available[person] = self.available[person] + CREDIT[person]

    def _import(self, path: Path) -> None:
        feed = inspect_feed(path)
        summary = import_records(self.uow, rows=read_feed(feed), source=path.name,
                                 sha256=feed.sha256, today=self.today)  # fmt: skip
        assert summary.rejected == 0, summary.rejections

    def _expected_refusal(self, person: Iin, amount: Money) -> str | None:
        if person == CHILD or person not in self.credited:
            return "no_target_savings"
        if person in self.deceased:
            return "deceased"
        if CREDITED_ON[person] < latest_unexpired_crediting(self.today):
            return "savings_expired"  # whether or not the daily job moved them yet
        if amount > self.available[person]:
            return "insufficient_savings"
        return None

    def _close(self, payout_id: str, status: PayoutStatus) -> None:
        payout = self.payouts.get(payout_id)
        step = payouts.confirm_payout if status is PayoutStatus.CONFIRMED else None
        try:
            if step is not None:
                step(self.uow, operator=self.bank, payout_id=payout_id, documents="doc",
                     today=self.today)  # fmt: skip
            else:
                payouts.return_payout(
                    self.uow, operator=self.bank, payout_id=payout_id, today=self.today
                )
        except PayoutRefused as refusal:
            if payout is None:
                assert refusal.code == "unknown_payout"
            else:
                assert payout.status is not PayoutStatus.PAID
                assert refusal.code == "payout_closed"
            return
        assert payout is not None and payout.status is PayoutStatus.PAID
        payout.status = status
        if status is PayoutStatus.RETURNED:
            self.available[payout.person] = self.available[payout.person] + payout.amount

    def _settle_and_expire(self) -> None:
        returned = payouts.settle_payouts(self.uow, as_of=self.today, today=self.today)
        due = [p for p in self.payouts.values() if p.status == "paid" and p.due_on < self.today]
        assert sorted(p.payout_id for p in returned) == sorted(p.payout_id for p in due)
        for payout in due:
            payout.status = PayoutStatus.RETURNED
            self.available[payout.person] = self.available[payout.person] + payout.amount
        payouts.expire_savings(self.uow, as_of=self.today, today=self.today)
        cutoff = latest_unexpired_crediting(self.today)
        for person in self.credited:
            if CREDITED_ON[person] < cutoff and person not in self.deceased:
                self.pension = self.pension + self.available[person]
                self.available[person] = Money(0)


SavingsAccounts.TestCase.settings = settings(
    max_examples=50,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_savings_accounts_follow_the_model = SavingsAccounts.TestCase


def test_savings_expire_the_first_day_they_are_more_than_ten_years_old() -> None:
    """Each crediting day's savings expire on the day after its tenth anniversary (that of
    29 February is 28 February), never later: those credited on 28 February 2026 waited
    for 1 March 2036, not 29 February, ten years and two days."""
    day = dt.date(2019, 12, 1)
    while day < dt.date(2031, 3, 31):
        anniversary = (
            dt.date(day.year + 10, 2, 28)
            if (day.month, day.day) == (2, 29)
            else day.replace(year=day.year + 10)
        )
        after = anniversary + dt.timedelta(days=1)
        assert not day < latest_unexpired_crediting(anniversary), day
        assert day < latest_unexpired_crediting(after), (day, after)
        day += dt.timedelta(days=1)

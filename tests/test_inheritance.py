"""Heirs' payouts: only operators authorised to pay heirs make them; each is made on a
notary's certificate, bound at its first use to one holder and one operator, and pays at
most the heir's share of the frozen savings.  The refusals in one table and the rules in
memory; the money path, returns and upgrades on both databases."""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
from collections.abc import Iterator
from fractions import Fraction
from importlib import resources
from pathlib import Path

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fakes import FakeUnitOfWork
from pg_server import TemporaryPostgres
from test_schema_agreement import migration_files
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.bootstrap import open_unit_of_work
from urpaq.domain.iin import Iin
from urpaq.domain.inheritance import (
    CertificateClaim,
    HeirPayout,
    HeirPayoutStatus,
    InvalidCertificate,
    certificate_number,
    heir_payout_entry,
    parse_share,
    share_limit,
)
from urpaq.domain.money import Money
from urpaq.domain.operators import AuthorisedOperator, Purpose
from urpaq.domain.payouts import PayoutRefused
from urpaq.services.inheritance import heir_payout_of, pay_heir, return_heir_payout
from urpaq.services.operators import operator_for_credential
from urpaq.services.payouts import savings_holder
from urpaq.services.ports.unit_of_work import UnitOfWork
from urpaq.services.reconciliation import reconcile
from urpaq.services.statements import statement_of
from world import ADULT, LATE_ADULT, MINOR, TODAY, UNKNOWN, add_bank, build_world, record_death

HEIR = "850201300128"
OTHER_HEIR = "881112400347"
NOTARY = "Notary A. Seitkali, Astana"

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


def bank(
    uow: UnitOfWork, name: str, *, pays_heirs: bool = True, purposes: str = "education"
) -> AuthorisedOperator:
    credential = add_bank(
        uow, name=name, purposes=frozenset({Purpose(purposes)}), pays_heirs=pays_heirs,
        credential=f"{name}-credential",
    )  # fmt: skip
    operator = operator_for_credential(uow, credential=credential)
    assert operator is not None
    return operator


def claim(
    number: str = "N-1", *, share: str | None = "1/2", heir: str | None = HEIR,
    notary: str | None = NOTARY,
) -> CertificateClaim:  # fmt: skip
    return CertificateClaim(
        number=certificate_number(number), notary=notary, heir_iin=heir,
        share=None if share is None else parse_share(share),
    )  # fmt: skip


def pay(
    uow: UnitOfWork, operator: AuthorisedOperator, amount: str, certificate: CertificateClaim,
    *, iin: Iin = LATE_ADULT,
) -> HeirPayout:  # fmt: skip
    return pay_heir(
        uow, operator=operator, iin=iin, amount=Money.parse(amount), certificate=certificate,
        account="KZ11HEIR0001", payout_id=f"h{next(_ids)}", today=TODAY,
    )  # fmt: skip


def frozen(uow: UnitOfWork, iin: Iin = LATE_ADULT) -> Money:
    holder = savings_holder(uow, iin=iin, today=TODAY)
    assert holder is not None and holder.deceased
    return holder.available


@pytest.fixture
def memory(tmp_path: Path) -> FakeUnitOfWork:
    """The small world in memory: LATE_ADULT's 100.00 frozen for the heirs."""
    uow = FakeUnitOfWork()
    build_world(uow, tmp_path)
    return uow


def test_shares_are_exact_fractions_and_limits_round_down_to_the_cent() -> None:
    """1/2 and 0.5 are one share; a third of 100.00 is 33.33, and three thirds leave a
    cent on the account rather than pay one that is not there."""
    assert parse_share("1/2") == parse_share("0.5") == Fraction(1, 2)
    assert parse_share("1") == parse_share("1.0") == parse_share("2/2") == 1
    assert share_limit(Fraction(1, 3), estate=Money.parse("100.00")) == Money.parse("33.33")
    assert share_limit(Fraction(2, 3), estate=Money.parse("100.00")) == Money.parse("66.66")
    assert share_limit(Fraction(1, 2), estate=Money.parse("100.01")) == Money.parse("50.00")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0", "'0' must be more than 0"),
        ("0/3", "'0/3' must be a fraction"),
        ("3/2", "'3/2' must be more than 0 and at most 1"),
        ("1.5", "'1.5' must be more than 0 and at most 1"),
        ("0,5", "'0,5' must be a fraction"),
        ("5e-1", "'5e-1' must be a fraction"),
        ("half", "'half' must be a fraction"),
        ("", "'' must be a fraction"),
    ],
)
def test_a_share_that_is_not_one_is_refused_by_its_value(text: str, message: str) -> None:
    with pytest.raises(InvalidCertificate, match=message):
        parse_share(text)


def test_a_certificate_number_is_the_same_whatever_its_case_and_spacing() -> None:
    assert certificate_number("  n-1 ") == certificate_number("N-1")
    assert certificate_number("2025 /  118") == certificate_number("2025/118") == "2025/118"
    assert certificate_number("N - 1") == certificate_number("n-1") == "N-1"


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=24) | st.sampled_from(["\u0390", "\u03b0", "\u1fd2", "\u1fe7"]))
def test_a_certificate_number_as_compared_is_compared_as_itself(written: str) -> None:
    """A number stored as compared finds itself again: the comparison's folding is
    idempotent (older payouts' numbers are folded once more when compared)."""
    once = certificate_number(written)
    assert certificate_number(once) == once


@pytest.mark.parametrize(
    ("written", "as_compared"),
    [
        ("N\u20101", "N-1"),  # a hyphen
        ("N\u22121", "N-1"),  # a minus sign
        ("\uff2e-\uff11", "N-1"),  # full width
        ("2025\u2044118", "2025/118"),  # a fraction slash
        ("\uff12\uff10\uff12\uff15/118", "2025/118"),  # full-width digits
        ("\u0410-1", "A-1"),  # Cyrillic А
        ("\u0430\u0432-1", "AB-1"),  # Cyrillic а, в in lower case
        ("\u0391-1", "A-1"),  # Greek Alpha
        ("\u0418\u0419-7", "\u0418\u0419-7"),  # Cyrillic letters drawn unlike Latin ones stay
    ],
)
def test_a_certificate_number_written_with_look_alike_characters_is_one_certificate(
    written: str, as_compared: str
) -> None:
    """Whoever types a certificate's number with another dash, slash, digit width or
    alphabet's letter drawn alike gets the same certificate, so its share is not paid
    twice."""
    assert certificate_number(written) == as_compared


@pytest.mark.parametrize(
    ("iin", "amount", "certificate", "code"),
    [
        (LATE_ADULT, "0.00", claim(), "invalid_amount"),
        (LATE_ADULT, "10.00", claim(), "inheritance_not_served"),
        (UNKNOWN, "10.00", claim(), "no_target_savings"),
        (MINOR, "10.00", claim(), "no_target_savings"),
        (ADULT, "10.00", claim(), "holder_alive"),
        (LATE_ADULT, "10.00", claim("N-2"), "certificate_of_another_operator"),
        (LATE_ADULT, "10.00", claim("N-4", share=None), "certificate_details_required"),
        (LATE_ADULT, "10.00", claim("N-1", heir=OTHER_HEIR), "certificate_mismatch"),
        (LATE_ADULT, "10.00", claim("N-3", share="3/4"), "shares_exceed_estate"),
        (LATE_ADULT, "20.01", claim("N-1"), "share_exceeded"),
    ],
)
def test_heir_payout_refusals_are_named_in_a_fixed_order(
    memory: FakeUnitOfWork, iin: Iin, amount: str, certificate: CertificateClaim, code: str
) -> None:
    """With N-1 (a half, 30.00 of it paid) used by this bank and N-2 (a quarter) by
    another, each refused request names its reason and moves no money."""
    heirs_bank, other = bank(memory, "Heirs Bank"), bank(memory, "Other Heirs Bank")
    pay(memory, heirs_bank, "30.00", claim("N-1"))
    pay(memory, other, "5.00", claim("N-2", share="1/4", heir=OTHER_HEIR))
    operator = bank(memory, "Education Bank", pays_heirs=False)
    if code != "inheritance_not_served":
        operator = heirs_bank
    with pytest.raises(PayoutRefused) as refusal:
        pay(memory, operator, amount, certificate, iin=iin)
    assert refusal.value.code == code
    assert frozen(memory) == Money.parse("65.00")


def test_the_first_use_must_describe_the_certificate_naming_what_is_missing(
    memory: FakeUnitOfWork,
) -> None:
    """A request in the old shape (a certificate's number only) is refused at the
    certificate's first use, naming every detail it needs; once the certificate is known,
    the old shape pays on it."""
    heirs_bank = bank(memory, "Heirs Bank")
    with pytest.raises(PayoutRefused) as refusal:
        pay(memory, heirs_bank, "10.00", CertificateClaim("N-1"))
    assert refusal.value.code == "certificate_details_required"
    assert "notary, heir_iin, share must be given" in str(refusal.value)
    pay(memory, heirs_bank, "10.00", claim("N-1"))
    paid = pay(memory, heirs_bank, "40.00", CertificateClaim("N-1"))
    assert paid.notary_certificate == "N-1"
    assert frozen(memory) == Money.parse("50.00")


def test_a_certificate_pays_its_heir_up_to_the_share_and_no_further(
    memory: FakeUnitOfWork,
) -> None:
    """Two heirs of a half each are paid 50.00 each, in parts; the same share written as
    a decimal agrees with the fraction; nothing is left, nothing overpaid."""
    heirs_bank = bank(memory, "Heirs Bank")
    pay(memory, heirs_bank, "20.00", claim("N-1"))
    pay(memory, heirs_bank, "30.00", claim("n-1", share="0.5"))
    with pytest.raises(PayoutRefused) as refusal:
        pay(memory, heirs_bank, "0.01", claim("N-1"))
    assert refusal.value.code == "share_exceeded"
    assert "its share 1/2 of the frozen savings is 50.00, 50.00 of it paid" in str(refusal.value)
    pay(memory, heirs_bank, "50.00", claim("N-2", heir=OTHER_HEIR))
    assert frozen(memory) == Money(0)


def test_a_certificate_belongs_to_one_holder(memory: FakeUnitOfWork, tmp_path: Path) -> None:
    """The number of a certificate used for one holder's savings pays nothing from
    another's, even by the same operator."""
    record_death(memory, tmp_path, ADULT, on=dt.date(2026, 6, 1))
    heirs_bank = bank(memory, "Heirs Bank")
    pay(memory, heirs_bank, "10.00", claim("N-1"))
    with pytest.raises(PayoutRefused) as refusal:
        pay(memory, heirs_bank, "10.00", claim("N-1"), iin=ADULT)
    assert refusal.value.code == "certificate_mismatch"
    assert "another holder's savings" in str(refusal.value)
    assert frozen(memory, ADULT) == Money.parse("100.00")


def test_payouts_made_before_certificates_were_recorded_count_against_the_share(
    memory: FakeUnitOfWork,
) -> None:
    """Heirs' payouts of the old kind (a number only, no certificate recorded) bind their
    number to their operator, count against its share when it is described, and leave
    the savings they took: a share that fits can still exceed what is left."""
    heirs_bank, other = bank(memory, "Heirs Bank"), bank(memory, "Other Heirs Bank")
    holder = savings_holder(memory, iin=LATE_ADULT, today=TODAY)
    assert holder is not None
    with memory:
        for number, amount in (("n-1", "40.00"), ("OLD", "30.00")):
            earlier = HeirPayout(f"old-{number}", holder.person_id, "Heirs Bank",
                                 Money.parse(amount), number, "KZ1")  # fmt: skip
            memory.ledger.post(heir_payout_entry(earlier, year=2026), posted_on=TODAY)
            memory.heirs.save(earlier, today=TODAY)
        memory.commit()
    with pytest.raises(PayoutRefused) as refusal:
        pay(memory, other, "1.00", claim("N-1"))
    assert refusal.value.code == "certificate_of_another_operator"
    with pytest.raises(PayoutRefused) as refusal:
        pay(memory, heirs_bank, "10.01", claim("N-1"))
    assert refusal.value.code == "share_exceeded"
    with pytest.raises(PayoutRefused) as refusal:
        pay(memory, heirs_bank, "40.00", claim("N-2", heir=OTHER_HEIR))
    assert refusal.value.code == "insufficient_savings"
    pay(memory, heirs_bank, "10.00", claim("N-1"))
    assert frozen(memory) == Money.parse("20.00")


def test_pay_look_up_and_return_heirs_payouts(books: UnitOfWork, tmp_path: Path) -> None:
    """A returned heir's payout is back on the frozen savings and frees its share; it is
    returned once; another operator cannot see it; the statement and reconcile agree."""
    uow = books
    build_world(uow, tmp_path)
    heirs_bank, other = bank(uow, "Heirs Bank"), bank(uow, "Other Heirs Bank")
    paid = pay(uow, heirs_bank, "50.00", claim("N-1"))
    returned = return_heir_payout(uow, operator=heirs_bank, payout_id=paid.payout_id, today=TODAY)
    assert returned.status is HeirPayoutStatus.RETURNED
    assert frozen(uow) == Money.parse("100.00")
    again = pay(uow, heirs_bank, "50.00", CertificateClaim("N-1"))
    with pytest.raises(PayoutRefused) as refusal:
        return_heir_payout(uow, operator=heirs_bank, payout_id=paid.payout_id, today=TODAY)
    assert refusal.value.code == "payout_closed"
    with pytest.raises(PayoutRefused) as refusal:
        heir_payout_of(uow, operator=other, payout_id=again.payout_id)
    assert refusal.value.code == "unknown_payout"
    looked_up = heir_payout_of(uow, operator=heirs_bank, payout_id=paid.payout_id)
    assert looked_up.status is HeirPayoutStatus.RETURNED
    assert frozen(uow) == Money.parse("50.00")
    lines = [(line.kind, str(line.amount)) for line in statement_of(uow, iin=LATE_ADULT).lines
             if line.account == "target_savings"]  # fmt: skip
    assert lines == [("maturity", "100.00"), ("inheritance", "-50.00"), ("return", "50.00"),
                     ("inheritance", "-50.00")]  # fmt: skip
    assert all(check.holds for check in reconcile(uow))


def test_a_certificate_is_recorded_once_with_its_details(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    """Its first use records the certificate exactly: the share as a fraction, the
    number as compared, the operator that used it."""
    build_world(uow, tmp_path)
    heirs_bank = bank(uow, "Heirs Bank")
    pay(uow, heirs_bank, "10.00", claim(" n-7 ", share="0.125"))
    pay(uow, heirs_bank, "2.50", CertificateClaim("N-7"))
    rows = uow.db.query(
        "SELECT number, notary, heir_iin, share_numerator, share_denominator, operator_name"
        " FROM notary_certificate"
    )
    assert rows == [("N-7", NOTARY, HEIR, 1, 8, "Heirs Bank")]
    assert frozen(uow) == Money.parse("87.50")


_AT_SCHEMA_10 = [
    "INSERT INTO authorised_operator (name, purposes, credential_digest, registered_on,"
    " credential_on) VALUES ('Otbasy Bank', 'education,housing', 'digest', '2026-01-05',"
    " '2026-01-05')",
    "INSERT INTO heir_payout (payout_id, person_id, operator_name, amount_cents,"
    " notary_certificate, account, paid_on)"
    " VALUES ('h-1', 2, 'Otbasy Bank', 70000, 'N-0042', 'KZ02', '2026-03-01')",
]


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_an_upgrade_grants_no_operator_the_right_to_pay_heirs(
    database: str, postgres: TemporaryPostgres, tmp_path: Path
) -> None:
    """Migration 11 leaves every operator what it had: one registered before may not pay
    heirs until granted; its earlier heirs' payouts stay paid and can be looked up."""
    package = f"urpaq.adapters.{database}"
    folder = resources.files(package).joinpath("migrations")
    scripts = [folder.joinpath(migration_files(package)[n]).read_text() for n in range(1, 11)]
    statements = [*scripts, *(f"INSERT INTO schema_version VALUES ({n})" for n in range(1, 11))]
    if database == "sqlite":
        url = f"sqlite:///{tmp_path / 'urpaq.db'}"
        with sqlite3.connect(tmp_path / "urpaq.db") as lite:
            for statement in [*statements, *_AT_SCHEMA_10]:
                lite.executescript(statement)
        lite.close()
    else:
        url = postgres.create_database()
        with psycopg.connect(url, autocommit=True) as pg:
            for statement in [*statements, *_AT_SCHEMA_10]:
                pg.execute(statement.encode())
    uow = open_unit_of_work(url)
    try:
        assert uow.schema.initialise() >= 11
        operator = uow.operators.named("Otbasy Bank")
        assert operator is not None and operator.serves(Purpose.HOUSING)
        assert not operator.may_pay_heirs()
        earlier = uow.heirs.heir_payout("h-1")
        assert earlier is not None and earlier.status is HeirPayoutStatus.PAID_TO_HEIR
        assert earlier.notary_certificate == "N-0042"
    finally:
        uow.close()

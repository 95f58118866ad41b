"""Authorised operators: registered with the purposes they serve, credentials shown once,
kept only as digests (on both databases), rotated and revoked (the rules, in memory)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import subprocess
import sys
import unicodedata
from collections.abc import Callable

import pytest

from fakes import FakeUnitOfWork
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.bootstrap import open_unit_of_work
from urpaq.domain.operators import InvalidOperator, Purpose, parse_name, parse_scopes, same_name
from urpaq.services.audit import audit_events
from urpaq.services.operators import (
    OperatorRefused,
    add_operator,
    grant_purposes,
    operator_for_credential,
    revoke_operator,
    rotate_credential,
)

TODAY = dt.date(2026, 11, 22)


def issuer(prefix: str) -> Callable[[], str]:
    """Credentials that can be told apart in a test: PREFIX-1, PREFIX-2, …"""
    numbers = itertools.count(1)
    return lambda: f"{prefix}-{next(numbers)}"


def test_a_credential_finds_its_operator_and_only_a_digest_is_kept(uow: SqlUnitOfWork) -> None:
    """The credential printed at registration authenticates the operator; the table holds
    no credential, only its digest."""
    credential = add_operator(
        uow, name="Halyk Bank", purposes=frozenset({Purpose.HOUSING, Purpose.EDUCATION}),
        today=TODAY, new_credential=issuer("secret"),
    )  # fmt: skip
    operator = operator_for_credential(uow, credential=credential)
    assert operator is not None and operator.name == "Halyk Bank"
    assert operator.serves(Purpose.HOUSING) and operator.serves(Purpose.EDUCATION)
    stored = uow.db.query("SELECT credential_digest FROM authorised_operator")
    assert credential not in str(stored) and len(stored[0][0]) == 64
    assert operator_for_credential(uow, credential="secret-2") is None


def test_rotation_replaces_the_credential_and_revocation_stops_it() -> None:
    """After rotation only the new credential works; after revocation none does."""
    uow = FakeUnitOfWork()
    new = issuer("key")
    first = add_operator(
        uow, name="Kazpost", purposes=frozenset({Purpose.EDUCATION}), today=TODAY,
        new_credential=new,
    )  # fmt: skip
    second = rotate_credential(uow, name="Kazpost", today=TODAY, new_credential=new)
    assert operator_for_credential(uow, credential=first) is None
    assert operator_for_credential(uow, credential=second) is not None
    revoke_operator(uow, name="Kazpost", today=TODAY)
    assert operator_for_credential(uow, credential=second) is None
    assert [o.active for o in uow.operators.all()] == [False]


@pytest.mark.parametrize(
    ("action", "code"),
    [
        ("add twice", "operator_exists"),
        ("rotate unknown", "unknown_operator"),
        ("revoke twice", "operator_revoked"),
        ("rotate revoked", "operator_revoked"),
    ],
)
def test_operator_refusals_are_named(action: str, code: str) -> None:
    """Each refused operator request names its reason, and changes nothing."""
    uow = FakeUnitOfWork()
    new = issuer("k")
    add_operator(
        uow, name="Bank", purposes=frozenset({Purpose.HOUSING}), today=TODAY,
        new_credential=new,
    )  # fmt: skip
    with pytest.raises(OperatorRefused) as refusal:
        if action == "add twice":
            add_operator(
                uow, name="Bank", purposes=frozenset({Purpose.HOUSING}), today=TODAY,
                new_credential=new,
            )  # fmt: skip
        elif action == "rotate unknown":
            rotate_credential(uow, name="Nobody", today=TODAY, new_credential=new)
        else:
            revoke_operator(uow, name="Bank", today=TODAY)
            if action == "revoke twice":
                revoke_operator(uow, name="Bank", today=TODAY)
            else:
                rotate_credential(uow, name="Bank", today=TODAY, new_credential=new)
    assert refusal.value.code == code
    assert [o.name for o in uow.operators.all()] == ["Bank"]


@pytest.mark.parametrize("name", ["Халық Банк", "Қазпочта", "Halyk Bank", "O'Brien & Sons. Bank"])
def test_an_operator_is_named_in_its_own_alphabet(name: str) -> None:
    """Kazakhstan's banks have Kazakh and Russian names: letters of any alphabet, composed
    into one text (a letter written with a combining accent is the same name)."""
    assert parse_name(f"  {name} ") == name
    assert parse_name(unicodedata.normalize("NFD", name)) == name


@pytest.mark.parametrize(
    "name",
    ["=HYPERLINK(1)", "-A1", "@Bank", "_Bank", "Б", "Bank\u202e", "\u0663Bank", "\u216b Bank"],
)
def test_an_operator_name_a_spreadsheet_would_run_or_an_invisible_one_is_refused(
    name: str,
) -> None:
    with pytest.raises(InvalidOperator, match="beginning with a letter or a digit"):
        parse_name(name)


def test_an_operator_name_mixing_alphabets_in_a_word_is_refused() -> None:
    """`Hаlyk Bank` with a Cyrillic `а` would be a second operator that reads as `Halyk
    Bank` in the audit log and the statistics; a name of two alphabets, a word each, is a
    name."""
    with pytest.raises(InvalidOperator, match="mixes alphabets in the word 'H\u0430lyk'"):
        parse_name("H\u0430lyk Bank")
    assert parse_name("ForteBank Қазақстан") == "ForteBank Қазақстан"


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "at least one purpose"), ("housing,cars", "'cars'"), ("heirs", "'heirs'")],
)
def test_purposes_are_housing_or_education(text: str, message: str) -> None:
    """Only the programme's purposes (and the right to pay heirs) can be served; anything
    else is refused by name."""
    with pytest.raises(InvalidOperator, match=message):
        parse_scopes(text)


@pytest.mark.parametrize(
    ("text", "purposes", "pays_heirs"),
    [
        ("housing,education", {Purpose.HOUSING, Purpose.EDUCATION}, False),
        ("education, Inheritance", {Purpose.EDUCATION}, True),
        ("inheritance", set(), True),
    ],
)
def test_inheritance_is_granted_beside_the_purposes(
    text: str, purposes: set[Purpose], pays_heirs: bool
) -> None:
    """`inheritance` in the list lets the operator pay heirs; it is no purpose of payouts."""
    assert parse_scopes(text) == (frozenset(purposes), pays_heirs)


def test_only_an_operator_granted_inheritance_may_pay_heirs(uow: SqlUnitOfWork) -> None:
    """The right to pay heirs is kept with the operator, and no purpose implies it."""
    for name, pays_heirs in (("Heirs Bank", True), ("Halyk Bank", False)):
        add_operator(
            uow, name=name, purposes=frozenset(Purpose), pays_heirs=pays_heirs, today=TODAY,
            new_credential=issuer(name),
        )  # fmt: skip
    operators = {operator.name: operator for operator in uow.operators.all()}
    assert operators["Heirs Bank"].may_pay_heirs()
    assert not operators["Halyk Bank"].may_pay_heirs()
    assert operators["Heirs Bank"].purposes == operators["Halyk Bank"].purposes
    revoke_operator(uow, name="Heirs Bank", today=TODAY)
    assert not uow.operators.named("Heirs Bank").may_pay_heirs()


def test_a_grant_adds_to_what_an_operator_had_and_never_takes_away(uow: SqlUnitOfWork) -> None:
    """An operator registered for housing is granted education and inheritance; granting
    again what it has changes nothing; a revoked operator is granted nothing."""
    add_operator(
        uow, name="Otbasy Bank", purposes=frozenset({Purpose.HOUSING}), today=TODAY,
        new_credential=issuer("otbasy"),
    )  # fmt: skip
    grant_purposes(uow, name="Otbasy Bank", purposes=frozenset(), pays_heirs=True)
    granted = grant_purposes(uow, name="Otbasy Bank", purposes=frozenset({Purpose.EDUCATION}))
    kept = uow.operators.named("Otbasy Bank")
    assert kept == granted
    assert kept.scopes() == ["education", "housing", "inheritance"]
    revoke_operator(uow, name="Otbasy Bank", today=TODAY)
    with pytest.raises(OperatorRefused) as refusal:
        grant_purposes(uow, name="Otbasy Bank", purposes=frozenset(), pays_heirs=True)
    assert refusal.value.code == "operator_revoked"


def test_operator_commands_end_to_end(database_url: str) -> None:
    """`urpaq operator add --json` prints the credential once; list shows no credential."""
    env = {**os.environ, "URPAQ_DB": database_url}

    def urpaq(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "urpaq", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )

    added = urpaq(
        "operator", "add", "Bank CenterCredit", "--purposes", "housing,education", "--json"
    )
    assert added.returncode == 0, added.stderr
    document = json.loads(added.stdout)
    assert document["name"] == "Bank CenterCredit" and len(document["credential"]) >= 40
    heirs = urpaq("operator", "add", "Heirs Bank", "--purposes", "housing,education,inheritance")
    assert heirs.returncode == 0, heirs.stderr
    listed = urpaq("operator", "list", "--json")
    assert json.loads(listed.stdout) == [
        {"name": "Bank CenterCredit", "purposes": ["education", "housing"], "active": True},
        {"name": "Heirs Bank", "purposes": ["education", "housing", "inheritance"],
         "active": True},
    ]  # fmt: skip
    assert document["credential"] not in listed.stdout
    granted = urpaq("operator", "grant", "Bank CenterCredit", "--purposes", "inheritance", "--json")
    assert granted.returncode == 0, granted.stderr
    assert json.loads(granted.stdout)["purposes"] == ["education", "housing", "inheritance"]
    unknown = urpaq("operator", "grant", "Nobody", "--purposes", "inheritance")
    assert unknown.returncode == 3 and "Nobody" in unknown.stderr
    refused = urpaq("operator", "add", "Other", "--purposes", "cars")
    assert refused.returncode == 3 and "'cars'" in refused.stderr


def test_operator_commands_are_recorded_in_the_audit_log(database_url: str) -> None:
    """Adding, granting, rotating and revoking from the command line left no audit event,
    while the same changes in the back office were recorded."""
    env = {**os.environ, "URPAQ_DB": database_url, "LOGNAME": "admin"}

    def urpaq(*args: str) -> int:
        done = subprocess.run(
            [sys.executable, "-m", "urpaq", *args], capture_output=True, text=True, env=env,
            timeout=60,
        )  # fmt: skip
        return done.returncode

    assert urpaq("operator", "add", "Zhol Bank", "--purposes", "housing") == 0
    assert urpaq("operator", "grant", "Zhol Bank", "--purposes", "education,inheritance") == 0
    assert urpaq("operator", "rotate", "Zhol Bank") == 0
    assert urpaq("operator", "add", "ZHOL BANK", "--purposes", "housing") == 3
    assert urpaq("operator", "revoke", "Zhol Bank") == 0
    assert urpaq("operator", "revoke", "Zhol Bank") == 3
    uow = open_unit_of_work(database_url)
    try:
        events = [(e.actor, e.action, e.outcome) for e in reversed(audit_events(uow))]
    finally:
        uow.close()
    assert events == [
        ("cli:admin", "operator add Zhol Bank (housing)", 0),
        ("cli:admin", "operator grant Zhol Bank (education, inheritance)", 0),
        ("cli:admin", "operator rotate Zhol Bank", 0),
        ("cli:admin", "operator add ZHOL BANK (housing)", 3),
        ("cli:admin", "operator revoke Zhol Bank", 0),
        ("cli:admin", "operator revoke Zhol Bank", 3),
    ]


@pytest.mark.parametrize(
    "again",
    [
        "HALYK BANK", "halyk  bank", "Halyk Bank", "ХАЛЫҚ БАНК",
        "ＨＡＬＹＫ Ｂａｎｋ",  # full-width: once a second operator that read as the first
        "Halyk ВАNК",  # a Cyrillic word drawn as the Latin one
        "Halyk ΒΑΝΚ",  # a Greek one
    ],
)  # fmt: skip
def test_an_operator_whose_name_reads_as_one_already_registered_is_refused(again: str) -> None:
    """`HALYK BANK` beside `Halyk Bank` would be a second operator that reads as the
    first in the audit log and the statistics: refused, naming the one registered."""
    uow = FakeUnitOfWork()
    for name in ("Halyk Bank", "Халық Банк"):
        add_operator(
            uow, name=name, purposes=frozenset({Purpose.HOUSING}), today=TODAY,
            new_credential=issuer(name),
        )  # fmt: skip
    with pytest.raises(OperatorRefused, match="is already registered") as refusal:
        add_operator(
            uow, name=again, purposes=frozenset({Purpose.HOUSING}), today=TODAY,
            new_credential=issuer("again"),
        )  # fmt: skip
    assert refusal.value.code == "operator_exists"
    assert [o.name for o in uow.operators.all()] == ["Halyk Bank", "Халық Банк"]


def test_names_of_one_alphabet_that_differ_in_a_letter_are_two_operators() -> None:
    """Letters drawn alike are read as one only across alphabets: `Кун Банк` was refused
    beside `Күн Банк` (у and ү both read as a Latin y)."""
    uow = FakeUnitOfWork()
    for name in ("Күн Банк", "Кун Банк", "Нур Банк", "Һур Банк"):
        add_operator(
            uow, name=name, purposes=frozenset({Purpose.HOUSING}), today=TODAY,
            new_credential=issuer(name),
        )  # fmt: skip
    assert len(uow.operators.all()) == 4
    # Across alphabets, letter by letter, in names that mix them too.
    for name, again in (("Home ВСС", "НОМЕ BCC"), ("Shop", "Ѕһор"), ("dos", "ԁos")):
        assert same_name(name, again), (name, again)
    assert not same_name("Халық Банк", "Halyk Bank")

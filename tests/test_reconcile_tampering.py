"""Reconcile against a database changed past its own refusals (its append-only triggers
set aside, as only someone tampering could): each change that leaves every total of the
ledger as it was is still named by a check, and no change makes it fail with a trace."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.domain.money import Money
from urpaq.services.reconciliation import reconcile
from world import ADULT, LATE_ADULT, build_world, pay_as_bank, tamper


def failing(uow: SqlUnitOfWork) -> dict[str, str]:
    return {check.name: check.detail for check in reconcile(uow) if not check.holds}


def person_id(uow: SqlUnitOfWork, iin: str) -> int:
    return int(uow.db.scalar("SELECT person_id FROM person WHERE iin = ?", (iin,)))


def test_a_payout_debited_from_another_holder_is_named(uow: SqlUnitOfWork, tmp_path: Path) -> None:
    """A payout's debit moved to another holder's savings: one holder pays for another's
    payout, every total unchanged, no account negative — reconcile said all held."""
    build_world(uow, tmp_path)
    payout = pay_as_bank(uow, ADULT, "1.00")
    assert failing(uow) == {}
    other = person_id(uow, LATE_ADULT.value)
    tamper(
        uow,
        f"UPDATE posting SET person_id = {other} WHERE account = 'target_savings'"
        f" AND entry_id = (SELECT entry_id FROM journal_entry WHERE key = 'payout:{payout}')",
    )
    assert list(failing(uow)) == ["each payout moved its own amount, person and operator"]
    detail = failing(uow)["each payout moved its own amount, person and operator"]
    assert f"payout:{payout}: the ledger moves" in detail
    assert f"1.00 USD from target_savings of person {other}" in detail


def test_money_relabelled_to_another_operator_is_named(uow: SqlUnitOfWork, tmp_path: Path) -> None:
    """The money at one operator said to be at another: the total at operators equals the
    open payouts still, but not operator by operator."""
    build_world(uow, tmp_path)
    payout = pay_as_bank(uow, ADULT, "2.50")
    tamper(
        uow,
        "UPDATE posting SET account = 'at_authorised_operator:Other Bank'"
        " WHERE account LIKE 'at_authorised_operator:%'",
    )
    detail = failing(uow)["each payout moved its own amount, person and operator"]
    assert "2.50 USD to at_authorised_operator:Other Bank" in detail and payout in detail


def test_a_payout_row_changed_without_the_ledger_is_named(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    """A payout's amount or status changed in its row alone."""
    build_world(uow, tmp_path)
    payout = pay_as_bank(uow, ADULT, "3.00")
    tamper(uow, f"UPDATE payout SET amount_cents = 301 WHERE payout_id = '{payout}'")
    detail = failing(uow)["each payout moved its own amount, person and operator"]
    assert "its payout says 3.01 USD from target_savings" in detail


def test_a_register_record_deleted_beneath_the_summary_is_named(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    """A participant's only record deleted: their statement says unknown, yet the class
    recount (which takes people with only a birth record from their summary) held."""
    build_world(uow, tmp_path)
    adult = person_id(uow, ADULT.value)
    tamper(uow, f"DELETE FROM register_record WHERE person_id = {adult}")
    assert failing(uow) == {
        "each person's summary agrees with their register records": f"1 people: person {adult}"
    }


def test_a_closed_years_parameters_changed_are_named(uow: SqlUnitOfWork, tmp_path: Path) -> None:
    """The TR total on file for a closed year changed: the close's figures stay, but what
    the parameters say no longer is what was closed."""
    build_world(uow, tmp_path)
    tamper(uow, "UPDATE year_parameters SET tr_total_cents = tr_total_cents + 1 WHERE year = 2023")
    detail = failing(uow)["2023: the close's parameters are those on file"]
    assert "TR total on file" in detail


def test_a_close_whose_result_was_changed_is_named_not_a_trace(
    uow: SqlUnitOfWork, database_url: str, tmp_path: Path
) -> None:
    """A close's printed per-child amount changed (its result no longer adds up): reconcile
    crashed with a trace, and so did every command reading closes. Reconcile names it;
    a statement fails in one line (exit 1), with its JSON error document."""
    build_world(uow, tmp_path)
    result = json.loads(uow.db.scalar("SELECT result_json FROM year_close WHERE year = 2023"))
    result["per_child"] = str(Money.parse(result["per_child"]) + Money(1))
    changed = json.dumps(result).replace("'", "''")
    tamper(uow, f"UPDATE year_close SET result_json = '{changed}' WHERE year = 2023")
    found = failing(uow)
    assert "every close as stored is whole" in found
    assert (
        "the close of 2023 as stored is not a close's result"
        in found["every close as stored is whole"]
    )
    command = [sys.executable, "-m", "urpaq", "statement", ADULT.value, "--json"]
    done = subprocess.run(
        [*command, "--db", database_url], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "the close of 2023 as stored" in json.loads(done.stdout)["error"]["message"]


def test_an_amount_that_does_not_hold_gives_the_ledgers_and_the_expected_one() -> None:
    """In `--json`, as decimal strings beside the words."""
    from urpaq.domain.money import Money
    from urpaq.services.reconciliation.books import compare

    failed = compare("2023: TR total paid in", Money(100_001), Money(100_000))
    assert failed.as_json() == {
        "check": "2023: TR total paid in", "holds": False,
        "detail": "ledger 1,000.01 USD, expected 1,000.00 USD",
        "amount": "1000.01", "expected": "1000.00", "currency": "USD",
    }  # fmt: skip


def test_an_amount_that_is_no_whole_number_of_cents_is_named_not_a_trace(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    """On SQLite, whose columns take any value, a posting's amount changed by hand to
    text ended reconcile in a traceback (no JSON), and one of 1000.5 cents was blamed on
    the wrong checks; PostgreSQL refuses either."""
    build_world(uow, tmp_path)
    payout = pay_as_bank(uow, ADULT, "10.00")
    entry = f"(SELECT entry_id FROM journal_entry WHERE key = 'payout:{payout}')"
    if not uow.db.description.startswith("sqlite"):
        with pytest.raises(Exception, match=r"bigint|invalid input"):
            tamper(uow, f"UPDATE posting SET amount_cents = 'abc' WHERE entry_id = {entry}")
        uow.db.rollback()
        return
    number = uow.db.scalar(f"SELECT {entry}")
    for value in ("'abc'", "1000.5"):
        tamper(uow, f"UPDATE posting SET amount_cents = {value} WHERE entry_id = {entry}"
                    " AND account <> 'target_savings'")  # fmt: skip
        assert failing(uow) == {
            "every amount is a whole number of cents": "not a whole number of cents: the"
            f" postings of journal entry {number}; no other check is made"
        }

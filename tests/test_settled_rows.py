"""What the server changes in place moves only forward, in the database itself: a role
holding the server's column grants (docs/operations.md), or any statement that is not
the application's, cannot set a confirmed payout back to paid, make a revoked operator
active again, change a closed year's inputs or renumber a person (schema 17).  Each of
these was possible before, and `urpaq reconcile` failed for good after the last two."""

from __future__ import annotations

from pathlib import Path

import pytest

from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.domain.parameters import year_parameters
from urpaq.services.operators import operator_for_credential, revoke_operator
from urpaq.services.parameters import set_parameters
from urpaq.services.payouts import confirm_payout, return_payout
from urpaq.services.reconciliation import reconcile
from world import ADULT, TODAY, build_world, pay_as_bank


def refused(uow: SqlUnitOfWork, statement: str, message: str) -> None:
    """`statement` is refused by the database, naming `message`, and changes nothing."""
    uow.db.begin()
    with pytest.raises(Exception) as raised:
        uow.db.execute(statement)
    uow.db.rollback()
    assert message in str(raised.value)


def bank(uow: SqlUnitOfWork):  # type: ignore[no-untyped-def]
    operator = operator_for_credential(uow, credential="c-1")
    assert operator is not None
    return operator


@pytest.mark.parametrize("settle", ["confirm", "return"])
def test_a_settled_payout_is_never_set_back_to_paid(
    uow: SqlUnitOfWork, tmp_path: Path, settle: str
) -> None:
    build_world(uow, tmp_path)
    payout = pay_as_bank(uow, ADULT, "1.00")
    if settle == "confirm":
        confirm_payout(uow, operator=bank(uow), payout_id=payout, documents="d", today=TODAY)
    else:
        return_payout(uow, operator=bank(uow), payout_id=payout, today=TODAY)
    final = "a payout is confirmed or returned once, and its terms are final"
    refused(
        uow,
        f"UPDATE payout SET status = 'paid', closed_on = NULL WHERE payout_id = '{payout}'",
        final,
    )
    other = "returned" if settle == "confirm" else "confirmed"
    refused(uow, f"UPDATE payout SET status = '{other}' WHERE payout_id = '{payout}'", final)
    refused(uow, f"DELETE FROM payout WHERE payout_id = '{payout}'", "payouts are kept")
    assert all(check.holds for check in reconcile(uow))


def test_an_open_payout_s_terms_are_final(uow: SqlUnitOfWork, tmp_path: Path) -> None:
    build_world(uow, tmp_path)
    payout = pay_as_bank(uow, ADULT, "1.00")
    final = "a payout is confirmed or returned once, and its terms are final"
    for change in ("amount_cents = 1", "account = 'KZ99OTHER'", "return_due_on = '2099-01-01'",
                   "operator_name = 'Other Bank'", "status = 'paid'"):  # fmt: skip
        refused(uow, f"UPDATE payout SET {change} WHERE payout_id = '{payout}'", final)
    confirm_payout(uow, operator=bank(uow), payout_id=payout, documents="d", today=TODAY)


def test_a_revoked_operator_stays_revoked(uow: SqlUnitOfWork, tmp_path: Path) -> None:
    build_world(uow, tmp_path)
    pay_as_bank(uow, ADULT, "1.00")
    revoke_operator(uow, name="Bank", today=TODAY)
    final = "a revoked operator stays revoked"
    refused(uow, "UPDATE authorised_operator SET revoked_on = NULL WHERE name = 'Bank'", final)
    refused(
        uow, "UPDATE authorised_operator SET credential_digest = 'x' WHERE name = 'Bank'", final
    )
    refused(uow, "DELETE FROM authorised_operator WHERE name = 'Bank'", "operators are kept")
    assert operator_for_credential(uow, credential="c-1") is None


def test_an_operator_s_name_is_final(uow: SqlUnitOfWork, tmp_path: Path) -> None:
    build_world(uow, tmp_path)
    pay_as_bank(uow, ADULT, "1.00")
    refused(uow, "UPDATE authorised_operator SET name = 'Bank B' WHERE name = 'Bank'",
            "an operator's name is final")  # fmt: skip


def test_a_closed_year_s_inputs_are_final_an_open_year_s_are_not(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    build_world(uow, tmp_path)  # 2023 closed
    final = "a closed year's inputs are final"
    refused(uow, "UPDATE year_parameters SET tr_total_cents = 100 WHERE year = 2023", final)
    refused(uow, "UPDATE year_parameters SET year = 2030 WHERE year = 2023", final)
    refused(uow, "DELETE FROM year_parameters WHERE year = 2023", "a year's inputs are kept")
    for reference in ("first", "corrected"):  # a year not closed takes new inputs
        inputs = year_parameters(year=2024, tr_total="10.00", ii_rate="0.05", reference=reference)
        set_parameters(uow, parameters=[inputs], today=TODAY)
    saved = uow.parameters.parameters_for(2024)
    assert saved is not None and saved.reference == "corrected"
    assert all(check.holds for check in reconcile(uow))


def test_a_person_keeps_their_number(uow: SqlUnitOfWork, tmp_path: Path) -> None:
    build_world(uow, tmp_path)
    refused(
        uow,
        f"UPDATE person SET person_id = person_id + 1000 WHERE iin = '{ADULT}'",
        "a person keeps their number",
    )
    # On PostgreSQL no foreign key stood for it (the import's own trigger checks records'
    # people): a person deleted left their ledger lines to nobody.
    refused(uow, f"DELETE FROM person WHERE iin = '{ADULT}'", "people are kept")
    assert all(check.holds for check in reconcile(uow))


def test_a_returned_heir_s_payout_stays_returned(uow: SqlUnitOfWork, tmp_path: Path) -> None:
    build_world(uow, tmp_path)
    uow.db.begin()
    uow.db.execute(
        "INSERT INTO heir_payout (payout_id, person_id, operator_name, amount_cents,"
        " notary_certificate, account, paid_on, status, returned_on) VALUES"
        " ('h1', 1, 'Bank', 100, 'N-1', 'KZ00', '2026-11-20', 'paid_to_heir', NULL),"
        " ('h2', 1, 'Bank', 100, 'N-1', 'KZ00', '2026-11-20', 'returned', '2026-11-21')"
    )
    uow.db.commit()
    final = "an heir's payout is returned once, and its terms are final"
    refused(uow, "UPDATE heir_payout SET status = 'paid_to_heir' WHERE payout_id = 'h2'", final)
    refused(uow, "UPDATE heir_payout SET amount_cents = 1 WHERE payout_id = 'h1'", final)
    refused(uow, "DELETE FROM heir_payout WHERE payout_id = 'h1'", "heirs' payouts are kept")
    uow.db.begin()  # returned once, as the application returns it
    uow.db.execute(
        "UPDATE heir_payout SET status = 'returned', returned_on = '2026-11-22'"
        " WHERE payout_id = 'h1'"
    )
    uow.db.commit()

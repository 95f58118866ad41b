"""The payouts and operators ports in SQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from urpaq.adapters.sql.connection import SqlConnection
from urpaq.domain.money import Money
from urpaq.domain.operators import INHERITANCE, AuthorisedOperator, Purpose
from urpaq.domain.payouts import Payout, PayoutStatus

PAYOUT_SELECT = (
    "SELECT payout_id, person_id, operator_name, amount_cents, purpose, sub_purpose,"
    " account, status, return_due_on FROM payout"
)
_OPERATOR = "SELECT name, purposes, revoked_on FROM authorised_operator"


class SqlPayouts:
    def __init__(self, db: SqlConnection) -> None:
        self.db = db

    def save(self, payout: Payout, *, requested_on: dt.date) -> None:
        self.db.execute(
            "INSERT INTO payout (payout_id, person_id, operator_name, amount_cents, purpose,"
            " sub_purpose, account, requested_on, return_due_on, status)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                payout.payout_id, payout.person_id, payout.operator_name, payout.amount.cents,
                payout.purpose.value, payout.sub_purpose, payout.account,
                requested_on.isoformat(), payout.return_due_on.isoformat(), payout.status.value,
            ),
        )  # fmt: skip

    def payout(self, payout_id: str) -> Payout | None:
        row = self.db.execute(f"{PAYOUT_SELECT} WHERE payout_id = ?", (payout_id,)).fetchone()
        return None if row is None else payout_from_row(row)

    def payouts_of(self, person_id: int) -> list[Payout]:
        """Every payout of one person (what their statement's lines name)."""
        rows = self.db.execute(
            f"{PAYOUT_SELECT} WHERE person_id = ? ORDER BY payout_id", (person_id,)
        ).fetchall()
        return [payout_from_row(row) for row in rows]

    def close(
        self, payout_id: str, *, status: PayoutStatus, today: dt.date, documents: str | None
    ) -> None:
        self.db.execute(
            "UPDATE payout SET status = ?, closed_on = ?, documents = ? WHERE payout_id = ?",
            (status.value, today.isoformat(), documents, payout_id),
        )

    def due(self, *, before: dt.date) -> list[Payout]:
        rows = self.db.execute(
            f"{PAYOUT_SELECT} WHERE status = 'paid' AND return_due_on < ? ORDER BY payout_id",
            (before.isoformat(),),
        ).fetchall()
        return [payout_from_row(row) for row in rows]

    def lock_holder(self, person_id: int) -> None:
        self.db.execute(
            f"SELECT person_id FROM person WHERE person_id = ?{self.db.lock_rows_sql()}",
            (person_id,),
        ).fetchall()

    def lock_payout(self, payout_id: str) -> None:
        self.db.execute(
            f"SELECT payout_id FROM payout WHERE payout_id = ?{self.db.lock_rows_sql()}",
            (payout_id,),
        ).fetchall()

    def money_at_operators(self) -> tuple[Money, Money]:
        held = self.db.scalar(
            "SELECT COALESCE(SUM(amount_cents), 0) FROM posting"
            " WHERE account LIKE 'at_authorised_operator:%'"
        )
        open_total = self.db.scalar(
            "SELECT COALESCE(SUM(amount_cents), 0) FROM payout WHERE status = 'paid'"
        )
        return Money(int(held)), Money(int(open_total))


def payout_from_row(row: tuple[Any, ...]) -> Payout:
    payout_id, person_id, operator_name, cents, purpose, sub_purpose, account, status, due = row
    return Payout(
        payout_id=payout_id,
        person_id=int(person_id),
        operator_name=operator_name,
        amount=Money(int(cents)),
        purpose=Purpose(purpose),
        sub_purpose=sub_purpose,
        account=account,
        status=PayoutStatus(status),
        return_due_on=dt.date.fromisoformat(due),
    )


class SqlOperators:
    def __init__(self, db: SqlConnection) -> None:
        self.db = db

    def named(self, name: str) -> AuthorisedOperator | None:
        return _operator(self.db.execute(f"{_OPERATOR} WHERE name = ?", (name,)).fetchone())

    def with_digest(self, digest: str) -> AuthorisedOperator | None:
        row = self.db.execute(f"{_OPERATOR} WHERE credential_digest = ?", (digest,)).fetchone()
        return _operator(row)

    def all(self) -> list[AuthorisedOperator]:
        rows = self.db.execute(f"{_OPERATOR} ORDER BY name").fetchall()
        return [operator for operator in map(_operator, rows) if operator is not None]

    def add(
        self,
        *,
        name: str,
        purposes: frozenset[Purpose],
        pays_heirs: bool,
        digest: str,
        today: dt.date,
    ) -> None:
        self.db.execute(
            "INSERT INTO authorised_operator (name, purposes, credential_digest, registered_on,"
            " credential_on) VALUES (?, ?, ?, ?, ?)",
            (name, _scopes(purposes, pays_heirs), digest, today.isoformat(), today.isoformat()),
        )

    def replace_credential(self, *, name: str, digest: str, today: dt.date) -> None:
        self.db.execute(
            "UPDATE authorised_operator SET credential_digest = ?, credential_on = ?"
            " WHERE name = ?",
            (digest, today.isoformat(), name),
        )

    def credential_digests(self) -> dict[str, str]:
        rows = self.db.execute("SELECT name, credential_digest FROM authorised_operator")
        return {name: digest for name, digest in rows}

    def replace_purposes(
        self, *, name: str, purposes: frozenset[Purpose], pays_heirs: bool
    ) -> None:
        self.db.execute(
            "UPDATE authorised_operator SET purposes = ? WHERE name = ?",
            (_scopes(purposes, pays_heirs), name),
        )

    def revoke(self, *, name: str, today: dt.date) -> None:
        self.db.execute(
            "UPDATE authorised_operator SET revoked_on = ? WHERE name = ?",
            (today.isoformat(), name),
        )


def _scopes(purposes: frozenset[Purpose], pays_heirs: bool) -> str:
    """The purposes column: the operator's purposes, and `inheritance` if it pays heirs."""
    return ",".join(sorted(p.value for p in purposes) + ([INHERITANCE] if pays_heirs else []))


def _operator(row: tuple[Any, ...] | None) -> AuthorisedOperator | None:
    if row is None:
        return None
    name, scopes, revoked_on = row
    words = scopes.split(",")
    return AuthorisedOperator(
        name=name,
        purposes=frozenset(Purpose(word) for word in words if word != INHERITANCE),
        active=revoked_on is None,
        pays_heirs=INHERITANCE in words,
    )

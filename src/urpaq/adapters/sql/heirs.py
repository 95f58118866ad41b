"""The heirs port in SQL: heirs' payouts and the notaries' certificates they are made on."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from urpaq.adapters.sql.connection import SqlConnection
from urpaq.domain.inheritance import (
    HeirPayout,
    HeirPayoutStatus,
    NotaryCertificate,
    RecordedCertificate,
)
from urpaq.domain.money import Money

HEIR_PAYOUT_SELECT = (
    "SELECT payout_id, person_id, operator_name, amount_cents, notary_certificate, account,"
    " status FROM heir_payout"
)
_CERTIFICATE = (
    "SELECT number, notary, heir_iin, share_numerator, share_denominator, person_id,"
    " operator_name FROM notary_certificate"
)


class SqlHeirs:
    def __init__(self, db: SqlConnection) -> None:
        self.db = db

    def save(self, payout: HeirPayout, *, today: dt.date) -> None:
        self.db.execute(
            "INSERT INTO heir_payout (payout_id, person_id, operator_name, amount_cents,"
            " notary_certificate, account, paid_on, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                payout.payout_id, payout.person_id, payout.operator_name, payout.amount.cents,
                payout.notary_certificate, payout.account, today.isoformat(),
                payout.status.value,
            ),
        )  # fmt: skip

    def heir_payout(self, payout_id: str) -> HeirPayout | None:
        row = self.db.execute(f"{HEIR_PAYOUT_SELECT} WHERE payout_id = ?", (payout_id,)).fetchone()
        return None if row is None else heir_payout_from_row(row)

    def heir_payouts_of(self, person_id: int) -> list[HeirPayout]:
        rows = self.db.execute(
            f"{HEIR_PAYOUT_SELECT} WHERE person_id = ? ORDER BY paid_on, payout_id", (person_id,)
        ).fetchall()
        return [heir_payout_from_row(row) for row in rows]

    def close(self, payout_id: str, *, status: HeirPayoutStatus, today: dt.date) -> None:
        self.db.execute(
            "UPDATE heir_payout SET status = ?, returned_on = ? WHERE payout_id = ?",
            (status.value, today.isoformat(), payout_id),
        )

    def lock_certificate(self, number: str) -> None:
        self.db.lock_name("notary_certificate", number)

    def certificate(self, number: str) -> RecordedCertificate | None:
        row = self.db.execute(f"{_CERTIFICATE} WHERE number = ?", (number,)).fetchone()
        return None if row is None else _certificate(row)

    def certificates_of(self, person_id: int) -> list[RecordedCertificate]:
        rows = self.db.execute(
            f"{_CERTIFICATE} WHERE person_id = ? ORDER BY number", (person_id,)
        ).fetchall()
        return [_certificate(row) for row in rows]

    def record_certificate(
        self,
        certificate: NotaryCertificate,
        *,
        person_id: int,
        operator_name: str,
        today: dt.date,
    ) -> None:
        share = certificate.share
        self.db.execute(
            "INSERT INTO notary_certificate (number, notary, heir_iin, share_numerator,"
            " share_denominator, person_id, operator_name, first_used_on)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                certificate.number, certificate.notary, certificate.heir_iin, share.numerator,
                share.denominator, person_id, operator_name, today.isoformat(),
            ),
        )  # fmt: skip


def heir_payout_from_row(row: tuple[Any, ...]) -> HeirPayout:
    payout_id, person_id, operator_name, cents, certificate, account, status = row
    return HeirPayout(
        payout_id=payout_id,
        person_id=int(person_id),
        operator_name=operator_name,
        amount=Money(int(cents)),
        notary_certificate=certificate,
        account=account,
        status=HeirPayoutStatus(status),
    )


def _certificate(row: tuple[Any, ...]) -> RecordedCertificate:
    number, notary, heir_iin, numerator, denominator, person_id, operator_name = row
    return RecordedCertificate(
        certificate=NotaryCertificate(
            number=number,
            notary=notary,
            heir_iin=heir_iin,
            share=Fraction(int(numerator), int(denominator)),
        ),
        person_id=int(person_id),
        operator_name=operator_name,
    )

"""The heirs port: heirs' payouts of deceased holders' frozen savings, and the notaries'
certificates they are made on."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from urpaq.domain.inheritance import (
    HeirPayout,
    HeirPayoutStatus,
    NotaryCertificate,
    RecordedCertificate,
)


class HeirsPort(Protocol):
    def save(self, payout: HeirPayout, *, today: dt.date) -> None: ...

    def heir_payout(self, payout_id: str) -> HeirPayout | None: ...

    def heir_payouts_of(self, person_id: int) -> list[HeirPayout]:
        """Every heir's payout of one holder's savings, returned ones included."""
        ...

    def close(self, payout_id: str, *, status: HeirPayoutStatus, today: dt.date) -> None:
        """Record that an heir's payout was returned."""
        ...

    def lock_certificate(self, number: str) -> None:
        """Hold a certificate's number for this transaction: its first use is recorded
        once, whichever holder's payouts it is used for at the same time."""
        ...

    def certificate(self, number: str) -> RecordedCertificate | None: ...

    def certificates_of(self, person_id: int) -> list[RecordedCertificate]:
        """The certificates recorded for one holder's savings."""
        ...

    def record_certificate(
        self,
        certificate: NotaryCertificate,
        *,
        person_id: int,
        operator_name: str,
        today: dt.date,
    ) -> None:
        """Record a certificate at its first use: for whose savings, by which operator."""
        ...

"""The payouts and operators ports: authorised operators and the money paid through them."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from urpaq.domain.money import Money
from urpaq.domain.operators import AuthorisedOperator, Purpose
from urpaq.domain.payouts import Payout, PayoutStatus


class PayoutsPort(Protocol):
    def save(self, payout: Payout, *, requested_on: dt.date) -> None: ...

    def payout(self, payout_id: str) -> Payout | None: ...

    def close(
        self, payout_id: str, *, status: PayoutStatus, today: dt.date, documents: str | None
    ) -> None:
        """Record that an open payout was confirmed or returned."""
        ...

    def due(self, *, before: dt.date) -> list[Payout]:
        """Open payouts whose last day to confirm use is before `before`."""
        ...

    def lock_holder(self, person_id: int) -> None:
        """Hold the person's savings for this transaction: payouts of one person take
        turns, payouts of different people do not wait for each other."""
        ...

    def lock_payout(self, payout_id: str) -> None:
        """Hold one payout for this transaction, so it is confirmed or returned once."""
        ...

    def money_at_operators(self) -> tuple[Money, Money]:
        """What the ledger holds at authorised operators, and what open payouts add up to."""
        ...


class OperatorsPort(Protocol):
    def named(self, name: str) -> AuthorisedOperator | None: ...

    def with_digest(self, digest: str) -> AuthorisedOperator | None:
        """The operator whose credential has this digest, active or not."""
        ...

    def all(self) -> list[AuthorisedOperator]: ...

    def add(
        self,
        *,
        name: str,
        purposes: frozenset[Purpose],
        pays_heirs: bool,
        digest: str,
        today: dt.date,
    ) -> None:
        """Register an operator for its purposes, and to pay heirs if `pays_heirs`."""
        ...

    def replace_credential(self, *, name: str, digest: str, today: dt.date) -> None: ...

    def credential_digests(self) -> dict[str, str]:
        """Each operator's credential digest as it stands, by the operator's name."""
        ...

    def replace_purposes(
        self, *, name: str, purposes: frozenset[Purpose], pays_heirs: bool
    ) -> None: ...

    def revoke(self, *, name: str, today: dt.date) -> None: ...

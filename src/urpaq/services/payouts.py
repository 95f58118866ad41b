"""Payouts of target savings: request, confirm use, return, and the daily settlement that
returns money whose use was not confirmed in time.

Each is one transaction; writers take turns (see the store), so concurrent requests
against one balance are checked one after the other and never pay out more than it holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from urpaq.domain.iin import Iin
from urpaq.domain.money import Money
from urpaq.domain.operators import AuthorisedOperator, Purpose
from urpaq.domain.payouts import (
    HeirPayout,
    Payout,
    PayoutRefused,
    PayoutStatus,
    SavingsHolder,
    check_heir_payout,
    check_request,
    confirmation_entry,
    heir_payout_entry,
    latest_unexpired_crediting,
    payout_entry,
    return_entry,
)
from urpaq.domain.register import DEATHS
from urpaq.services.ports import Store


def savings_holder(store: Store, *, iin: Iin, today: dt.date) -> SavingsHolder | None:
    """The person behind an IIN as a payout sees them, or None if the register has none."""
    person = store.person_by_iin(iin.value)
    if person is None:
        return None
    deceased = any(
        fact.kind in DEATHS and fact.recorded_on <= today
        for fact in store.facts_of(person.person_id)
    )
    return SavingsHolder(
        person_id=person.person_id,
        credited=store.has_target_savings(person.person_id),
        deceased=deceased,
        available=store.target_savings_of(person.person_id),
    )


def available_savings(store: Store, *, iin: Iin, today: dt.date) -> Money | None:
    """Available target savings, or None for anyone without them (a minor reveals nothing)."""
    holder = savings_holder(store, iin=iin, today=today)
    if holder is None or not holder.credited:
        return None
    return holder.available


def request_payout(
    store: Store,
    *,
    operator: AuthorisedOperator,
    iin: Iin,
    amount: Money,
    purpose: Purpose,
    sub_purpose: str,
    account: str,
    payout_id: str,
    today: dt.date,
    return_due_on: Callable[[dt.date], dt.date],
) -> Payout:
    """Pay `amount` of a person's target savings to `operator` for `purpose`."""
    with store.transaction():
        holder = savings_holder(store, iin=iin, today=today)
        check_request(holder=holder, operator=operator, amount=amount, purpose=purpose)
        assert holder is not None
        payout = Payout(
            payout_id=payout_id,
            person_id=holder.person_id,
            operator_name=operator.name,
            amount=amount,
            purpose=purpose,
            sub_purpose=sub_purpose,
            account=account,
            status=PayoutStatus.PAID,
        )
        store.post(payout_entry(payout, year=today.year), posted_on=today)
        store.save_payout(payout, requested_on=today, return_due_on=return_due_on(today))
        return payout


def pay_heir(
    store: Store,
    *,
    operator: AuthorisedOperator,
    iin: Iin,
    amount: Money,
    notary_certificate: str,
    account: str,
    payout_id: str,
    today: dt.date,
) -> HeirPayout:
    """Pay `amount` of a deceased holder's frozen savings to an heir, on the reference of
    the notary's certificate of inheritance (several heirs: one payout each)."""
    with store.transaction():
        holder = savings_holder(store, iin=iin, today=today)
        check_heir_payout(holder=holder, amount=amount)
        assert holder is not None
        payout = HeirPayout(
            payout_id=payout_id,
            person_id=holder.person_id,
            operator_name=operator.name,
            amount=amount,
            notary_certificate=notary_certificate,
            account=account,
        )
        store.post(heir_payout_entry(payout, year=today.year), posted_on=today)
        store.save_heir_payout(payout, today=today)
        return payout


def payout_of(store: Store, *, operator: AuthorisedOperator, payout_id: str) -> Payout:
    """One of the operator's own payouts; another operator's is as unknown as none."""
    payout = store.payout(payout_id)
    if payout is None or payout.operator_name != operator.name:
        raise PayoutRefused(
            "unknown_payout", f"operator {operator.name!r} has no payout {payout_id!r}"
        )
    return payout


def holder_iin(store: Store, *, operator: AuthorisedOperator, payout_id: str) -> str | None:
    """The IIN of the person one of the operator's payouts belongs to, for the audit log;
    None for a payout the operator does not have."""
    payout = store.payout(payout_id)
    if payout is None or payout.operator_name != operator.name:
        return None
    return store.iin_of_person(payout.person_id)


def confirm_payout(
    store: Store, *, operator: AuthorisedOperator, payout_id: str, documents: str, today: dt.date
) -> Payout:
    """The authorised operator confirms the money was used for its purpose."""
    with store.transaction():
        payout = _open_payout(store, operator=operator, payout_id=payout_id)
        store.post(confirmation_entry(payout, year=today.year), posted_on=today)
        store.close_payout(
            payout_id, status=PayoutStatus.CONFIRMED, today=today, documents=documents
        )
        return _with_status(payout, PayoutStatus.CONFIRMED)


def return_payout(
    store: Store, *, operator: AuthorisedOperator, payout_id: str, today: dt.date
) -> Payout:
    """The authorised operator returns unused money to the person's target savings."""
    with store.transaction():
        payout = _open_payout(store, operator=operator, payout_id=payout_id)
        store.post(return_entry(payout, year=today.year), posted_on=today)
        store.close_payout(payout_id, status=PayoutStatus.RETURNED, today=today, documents=None)
        return _with_status(payout, PayoutStatus.RETURNED)


def settle_payouts(store: Store, *, as_of: dt.date) -> list[Payout]:
    """Return every payout whose use was not confirmed by its last working day."""
    returned = []
    with store.transaction():
        for payout in store.payouts_due(before=as_of):
            store.post(return_entry(payout, year=as_of.year), posted_on=as_of)
            store.close_payout(
                payout.payout_id, status=PayoutStatus.RETURNED, today=as_of, documents=None
            )
            returned.append(_with_status(payout, PayoutStatus.RETURNED))
    return returned


def expire_savings(store: Store, *, as_of: dt.date) -> tuple[int, Money]:
    """Move target savings unused for ten years to the holders' pension accounts; return
    how many holders and how much.  A deceased holder's savings stay frozen for the heirs.
    Running it again on the same day changes nothing."""
    with store.transaction():
        return store.expire_savings(credited_before=latest_unexpired_crediting(as_of), as_of=as_of)


def _open_payout(store: Store, *, operator: AuthorisedOperator, payout_id: str) -> Payout:
    payout = payout_of(store, operator=operator, payout_id=payout_id)
    if payout.status is not PayoutStatus.PAID:
        raise PayoutRefused(
            "payout_closed", f"payout {payout_id!r} is already {payout.status.value}"
        )
    return payout


def _with_status(payout: Payout, status: PayoutStatus) -> Payout:
    return Payout(
        payout.payout_id, payout.person_id, payout.operator_name, payout.amount,
        payout.purpose, payout.sub_purpose, payout.account, status,
    )  # fmt: skip

"""Payouts of target savings: request, confirm use, return, and the daily settlement that
returns money whose use was not confirmed in time.  Heirs' payouts: `inheritance.py`.

Each is one unit of work.  Payouts are shared writers: payouts of different people run
side by side, while each holds its person's savings (`payouts.lock_holder`), so
concurrent requests against one balance are checked one after the other and never pay
out more than it holds.  The daily settlement writes alone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from urpaq.domain.iin import Iin
from urpaq.domain.money import Money
from urpaq.domain.operators import AuthorisedOperator, Purpose
from urpaq.domain.payouts import (
    Freeze,
    Payout,
    PayoutRefused,
    PayoutStatus,
    SavingsHolder,
    check_confirmation,
    check_open,
    check_request,
    check_settlement_day,
    confirmation_entry,
    freezes,
    latest_unexpired_crediting,
    payout_entry,
    return_entry,
)
from urpaq.services.ports.office import PayoutRow
from urpaq.services.ports.register import PersonRecord
from urpaq.services.ports.unit_of_work import UnitOfWork
from urpaq.services.unit_of_work import writing


def savings_holder(uow: UnitOfWork, *, iin: Iin, today: dt.date) -> SavingsHolder | None:
    """The person behind an IIN as a payout sees them, or None if the register has none."""
    person = uow.register.person_by_iin(iin.value)
    return None if person is None else _holder(uow, person, today=today)


def locked_holder(uow: UnitOfWork, *, iin: Iin, today: dt.date) -> SavingsHolder | None:
    """The holder as a payout sees them, their savings held until the payout commits, so
    that two payouts of one person (heirs' payouts too) are checked one after the other."""
    person = uow.register.person_by_iin(iin.value)
    if person is None:
        return None
    uow.payouts.lock_holder(person.person_id)
    return _holder(uow, person, today=today)


def _holder(uow: UnitOfWork, person: PersonRecord, *, today: dt.date) -> SavingsHolder:
    found = freezes(uow.register.facts_of(person.person_id), today=today)
    credited_on, available = uow.ledger.target_savings(person.person_id)
    return SavingsHolder(
        person_id=person.person_id,
        credited_on=credited_on,
        deceased=Freeze.DECEASED in found,
        available=available,
        unvouched=Freeze.UNVOUCHED in found,
    )


def request_payout(
    uow: UnitOfWork,
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
    joined: bool = False,
) -> Payout:
    """Pay `amount` of a person's target savings to `operator` for `purpose`."""
    with writing(uow, joined=joined, shared=True):
        holder = check_request(
            holder=locked_holder(uow, iin=iin, today=today),
            operator=operator,
            amount=amount,
            purpose=purpose,
            today=today,
        )
        payout = Payout(
            payout_id=payout_id,
            person_id=holder.person_id,
            operator_name=operator.name,
            amount=amount,
            purpose=purpose,
            sub_purpose=sub_purpose,
            account=account,
            status=PayoutStatus.PAID,
            return_due_on=return_due_on(today),
        )
        uow.ledger.post(payout_entry(payout, year=today.year), posted_on=today)
        uow.payouts.save(payout, requested_on=today)
        return payout


def payout_of(uow: UnitOfWork, *, operator: AuthorisedOperator, payout_id: str) -> Payout:
    """One of the operator's own payouts; another operator's is as unknown as none."""
    payout = uow.payouts.payout(payout_id)
    if payout is None or payout.operator_name != operator.name:
        raise PayoutRefused(
            "unknown_payout", f"operator {operator.name!r} has no payout {payout_id!r}"
        )
    return payout


#: The most payouts one answer lists: a day of a bank's payouts is read in pages.
PAYOUTS_LISTED_MAX = 1000


def payouts_of_day(
    uow: UnitOfWork, *, operator: AuthorisedOperator, day: dt.date, after: str | None, limit: int
) -> list[PayoutRow]:
    """The operator's own payouts and heirs' payouts made on `day` (in Kazakhstan), in the
    order of their ids, the first `limit` after the id `after`: what it reconciles its
    own books with, a day at a time."""
    if not 1 <= limit <= PAYOUTS_LISTED_MAX:
        raise ValueError(f"limit {limit} is not within 1–{PAYOUTS_LISTED_MAX}")
    return uow.office.payouts_of_operator(operator.name, day=day, after=after, limit=limit)


def holder_iin(uow: UnitOfWork, *, operator: AuthorisedOperator, payout_id: str) -> str | None:
    """The IIN of the person one of the operator's payouts belongs to, for the audit log;
    None for a payout the operator does not have."""
    payout = uow.payouts.payout(payout_id)
    if payout is None or payout.operator_name != operator.name:
        return None
    return uow.register.iin_of_person(payout.person_id)


def confirm_payout(
    uow: UnitOfWork,
    *,
    operator: AuthorisedOperator,
    payout_id: str,
    documents: str,
    today: dt.date,
    joined: bool = False,
) -> Payout:
    """The authorised operator confirms the money was used for its purpose, at the latest
    on the payout's last working day (`check_confirmation`)."""
    with writing(uow, joined=joined, shared=True):
        payout = _locked_payout(uow, operator=operator, payout_id=payout_id)
        check_confirmation(payout, today=today)
        uow.ledger.post(confirmation_entry(payout, year=today.year), posted_on=today)
        uow.payouts.close(
            payout_id, status=PayoutStatus.CONFIRMED, today=today, documents=documents
        )
        return _with_status(payout, PayoutStatus.CONFIRMED)


def return_payout(
    uow: UnitOfWork,
    *,
    operator: AuthorisedOperator,
    payout_id: str,
    today: dt.date,
    joined: bool = False,
) -> Payout:
    """The authorised operator returns unused money to the person's target savings; also
    after the last working day, when the settlement would return it anyway."""
    with writing(uow, joined=joined, shared=True):
        payout = _locked_payout(uow, operator=operator, payout_id=payout_id)
        check_open(payout)
        uow.ledger.post(return_entry(payout, year=today.year), posted_on=today)
        uow.payouts.close(payout_id, status=PayoutStatus.RETURNED, today=today, documents=None)
        return _with_status(payout, PayoutStatus.RETURNED)


def settle_payouts(uow: UnitOfWork, *, as_of: dt.date, today: dt.date) -> list[Payout]:
    """Return every payout whose use was not confirmed by its last working day, as of a
    day that has come."""
    check_settlement_day(as_of, today=today)
    returned = []
    with writing(uow, joined=False):
        for payout in uow.payouts.due(before=as_of):
            uow.ledger.post(return_entry(payout, year=as_of.year), posted_on=as_of)
            uow.payouts.close(
                payout.payout_id, status=PayoutStatus.RETURNED, today=as_of, documents=None
            )
            returned.append(_with_status(payout, PayoutStatus.RETURNED))
    return returned


def expire_savings(uow: UnitOfWork, *, as_of: dt.date, today: dt.date) -> tuple[int, Money]:
    """Move target savings unused for ten years to the holders' pension accounts, as of a
    day that has come; return how many holders and how much.  Frozen savings stay
    (`domain/payouts.py: freezes`, by the register as it stands on `as_of`): a deceased
    holder's for the heirs, an unvouched holder's for nobody.  Running it again on the
    same day changes nothing."""
    check_settlement_day(as_of, today=today)
    with writing(uow, joined=False):
        expired = uow.ledger.expire_savings(
            credited_before=latest_unexpired_crediting(as_of), as_of=as_of
        )
    return expired


def _locked_payout(uow: UnitOfWork, *, operator: AuthorisedOperator, payout_id: str) -> Payout:
    uow.payouts.lock_payout(payout_id)  # confirmed or returned once, whoever asks first
    return payout_of(uow, operator=operator, payout_id=payout_id)


def _with_status(payout: Payout, status: PayoutStatus) -> Payout:
    return dataclasses.replace(payout, status=status)

"""Heirs' payouts: a deceased holder's frozen savings paid to heirs on notaries'
certificates, looked up and returned by the operator that paid them.

Each is one unit of work, a shared writer like a payout: it holds the holder's savings
(`payouts.lock_holder`), so concurrent heirs' payouts of one holder, from any operator,
are checked one after the other, and never pay a certificate more than its share nor the
heirs more than the savings hold.  A certificate's first use also holds its number
(`heirs.lock_certificate`), so it is recorded once even if used for two holders at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from urpaq.domain.iin import Iin
from urpaq.domain.inheritance import (
    CertificateClaim,
    HeirPayout,
    HeirPayoutStatus,
    certificate_for,
    certificate_number,
    check_heir_payout,
    check_share,
    heir_payout_entry,
    heir_return_entry,
)
from urpaq.domain.money import Money
from urpaq.domain.operators import AuthorisedOperator
from urpaq.domain.payouts import PayoutRefused
from urpaq.services.payouts import locked_holder
from urpaq.services.ports.unit_of_work import UnitOfWork
from urpaq.services.unit_of_work import writing


def pay_heir(
    uow: UnitOfWork,
    *,
    operator: AuthorisedOperator,
    iin: Iin,
    amount: Money,
    certificate: CertificateClaim,
    account: str,
    payout_id: str,
    today: dt.date,
    joined: bool = False,
) -> HeirPayout:
    """Pay `amount` of a deceased holder's frozen savings to the heir a notary's
    certificate names, up to the heir's share (several heirs: one certificate each, and a
    payout or more on each).  The first use of a certificate records it."""
    with writing(uow, joined=joined, shared=True):
        holder = check_heir_payout(
            holder=locked_holder(uow, iin=iin, today=today), operator=operator, amount=amount
        )
        paid = uow.heirs.heir_payouts_of(holder.person_id)
        uow.heirs.lock_certificate(certificate.number)
        recorded = uow.heirs.certificate(certificate.number)
        used = certificate_for(
            claim=certificate, recorded=recorded, holder=holder, operator=operator,
            others=uow.heirs.certificates_of(holder.person_id), paid=paid,
        )  # fmt: skip
        check_share(certificate=used, holder=holder, paid=paid, amount=amount)
        payout = HeirPayout(
            payout_id=payout_id,
            person_id=holder.person_id,
            operator_name=operator.name,
            amount=amount,
            notary_certificate=used.number,
            account=account,
        )
        if recorded is None:  # its first use: from now on, this operator's and this share
            uow.heirs.record_certificate(
                used, person_id=holder.person_id, operator_name=operator.name, today=today
            )
        uow.ledger.post(heir_payout_entry(payout, year=today.year), posted_on=today)
        uow.heirs.save(payout, today=today)
        return payout


def heir_payout_of(uow: UnitOfWork, *, operator: AuthorisedOperator, payout_id: str) -> HeirPayout:
    """One of the operator's own heirs' payouts; another operator's is as unknown as none."""
    payout = uow.heirs.heir_payout(payout_id)
    if payout is None or payout.operator_name != operator.name:
        raise PayoutRefused(
            "unknown_payout", f"operator {operator.name!r} has no heir payout {payout_id!r}"
        )
    return payout


def heir_payout_people(
    uow: UnitOfWork, *, operator: AuthorisedOperator, payout_id: str
) -> tuple[str | None, str | None]:
    """The IINs of the deceased holder one of the operator's heirs' payouts was made from
    and of the heir it was made to, for the audit log; None for a payout the operator
    does not have."""
    payout = uow.heirs.heir_payout(payout_id)
    if payout is None or payout.operator_name != operator.name:
        return None, None
    holder = uow.register.iin_of_person(payout.person_id)
    # As it is compared now: a payout made before schema 18 keeps `2025 / 118` as sent.
    recorded = uow.heirs.certificate(certificate_number(payout.notary_certificate))
    return holder, None if recorded is None else recorded.certificate.heir_iin


def heir_of_certificate(
    uow: UnitOfWork, *, operator: AuthorisedOperator, number: str, holder_iin: str
) -> str | None:
    """The IIN of the heir a certificate names, once the operator used it for this
    holder's savings, for the audit log; None for a certificate not used yet, or used
    first by another operator or for another holder (its heir has nothing to do with
    this request)."""
    recorded = uow.heirs.certificate(number)
    if recorded is None or recorded.operator_name != operator.name:
        return None
    if uow.register.iin_of_person(recorded.person_id) != holder_iin:
        return None
    return recorded.certificate.heir_iin


def return_heir_payout(
    uow: UnitOfWork,
    *,
    operator: AuthorisedOperator,
    payout_id: str,
    today: dt.date,
    joined: bool = False,
) -> HeirPayout:
    """The operator could not pay the heir: the money goes back to the holder's frozen
    savings, and counts no more against the certificate's share."""
    with writing(uow, joined=joined, shared=True):
        payout = heir_payout_of(uow, operator=operator, payout_id=payout_id)
        uow.payouts.lock_holder(payout.person_id)
        payout = heir_payout_of(uow, operator=operator, payout_id=payout_id)  # as now held
        if not payout.is_paid():
            raise PayoutRefused(
                "payout_closed", f"heir payout {payout_id!r} is already {payout.status.value}"
            )
        uow.ledger.post(heir_return_entry(payout, year=today.year), posted_on=today)
        uow.heirs.close(payout_id, status=HeirPayoutStatus.RETURNED, today=today)
        return dataclasses.replace(payout, status=HeirPayoutStatus.RETURNED)

"""Heirs' payouts: a deceased holder's frozen target savings paid to heirs, each on a
notary's certificate of the right to inheritance (programme.md, "Target savings:
payouts").

A certificate is known by its number and names its notary, the heir (by IIN) and the
heir's share of the estate.  Its notary, heir and share are given the first time it is
used; that use records it, for one holder's savings and one operator: only that operator
pays on it again, and only up to its share.  The shares of one holder's certificates add
up to at most the whole.

The estate is what the holder's savings account holds plus what heirs have been paid from
it (returns deducted).  After a death nothing but heirs' payouts takes money from the
account (purpose payouts are refused, expiry passes it by), while a payout made before
the death may still come back; so the estate never shrinks, and a share's limit, computed
at each payout, never falls below what was paid on it.

Refusals are checked in a fixed order and each has a code; the first that applies wins.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from urpaq.domain import ledger
from urpaq.domain.ledger import EntryKind, JournalEntry
from urpaq.domain.legible import DRAWN_LIKE_LATIN
from urpaq.domain.money import CURRENCY, Money
from urpaq.domain.operators import AuthorisedOperator
from urpaq.domain.payouts import (
    PayoutRefused,
    SavingsHolder,
    no_target_savings,
    person_move,
    unvouched_annulled,
)

#: A share as a fraction, each part at most nine digits: "1/2", "2/3".
SHARE_FRACTION = re.compile(r"^([1-9][0-9]{0,8})/([1-9][0-9]{0,8})$")
#: A share as a decimal of at most nine places: "0.5", "0.125", "1".
SHARE_DECIMAL = re.compile(r"^[01](\.[0-9]{1,9})?$")


class InvalidCertificate(ValueError):
    """A certificate's detail that cannot be accepted; the message names it."""


class HeirPayoutStatus(enum.StrEnum):
    PAID_TO_HEIR = "paid_to_heir"  # paid to the heir through the operator
    RETURNED = "returned"  # the operator could not pay it: back on the frozen savings


#: Characters drawn alike, compared as one (after NFKC and upper case): dashes and the
#: minus sign as "-", slashes as "/", the Cyrillic and Greek capitals drawn like Latin
#: ones as the Latin.  So that no certificate is taken for another by how it is typed.
_DRAWN_ALIKE = str.maketrans(
    {
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63", "-"),
        **dict.fromkeys("\u2044\u2215\u29f8", "/"),
        **DRAWN_LIKE_LATIN,
    }
)


def certificate_number(text: str) -> str:
    """A certificate's number as it is compared: the same whatever the case, the spacing
    (around it and within it) and the look-alike characters it is written with (`n-1`,
    ` N-1 `, `N - 1`, `N‐1` with a hyphen, `Ｎ-１` in full width are one certificate; so
    are `2025/118`, `2025 / 118` and `2025⁄118`, and `А-1` in Cyrillic and `A-1` in
    Latin).  A space inside a number told two certificates apart that are one: an heir
    was paid a share on `N-1` and again on `N - 1`."""
    folded = unicodedata.normalize("NFKC", text).upper().translate(_DRAWN_ALIKE)
    # Normalised again: upper case and the folding may leave a letter and marks that
    # compose (`ΐ` in upper case is `Ϊ` and an accent; its `Ι` folds to the Latin `I`,
    # which composes with them to `Ḯ`).  A number as compared is compared as itself.
    # Spaces taken out may bring together a letter and marks that compose: once more.
    return unicodedata.normalize("NFKC", "".join(unicodedata.normalize("NFKC", folded).split()))


def parse_share(text: str) -> Fraction:
    """An heir's share as the certificate states it: a fraction (``1/2``) or a decimal
    (``0.5``), more than nothing and at most the whole.  Exact: never a float."""
    fraction, decimal = SHARE_FRACTION.match(text), SHARE_DECIMAL.match(text)
    if fraction is not None:
        share = Fraction(int(fraction[1]), int(fraction[2]))
    elif decimal is not None:
        share = Fraction(Decimal(text))
    else:
        raise InvalidCertificate(
            f"share {text!r} must be a fraction such as 1/2 or a decimal such as 0.5"
        )
    if not 0 < share <= 1:
        raise InvalidCertificate(f"share {text!r} must be more than 0 and at most 1")
    return share


def share_text(share: Fraction) -> str:
    """A share as written back: ``1/2``, or ``1`` for the whole."""
    return str(share)


def share_limit(share: Fraction, *, estate: Money) -> Money:
    """The most a certificate's heir can be paid: the share of the estate, rounded down
    to the cent, so that the heirs' limits never add up to more than the estate (a
    remainder of less than a cent per certificate stays on the frozen account)."""
    return Money(estate.cents * share.numerator // share.denominator)


@dataclass(frozen=True, slots=True)
class NotaryCertificate:
    """A notary's certificate of the right to inheritance: its number, the notary who
    issued it, the heir's IIN and the heir's share of the estate."""

    number: str
    notary: str
    heir_iin: str
    share: Fraction


@dataclass(frozen=True, slots=True)
class CertificateClaim:
    """What a request says of its certificate: always the number; the notary, the heir
    and the share when it is used for the first time (given later, they must agree)."""

    number: str
    notary: str | None = None
    heir_iin: str | None = None
    share: Fraction | None = None

    def described(self) -> NotaryCertificate | None:
        """The certificate as this claim describes it; None if a detail is left out."""
        if self.notary is None or self.heir_iin is None or self.share is None:
            return None
        return NotaryCertificate(self.number, self.notary, self.heir_iin, self.share)

    def missing(self) -> list[str]:
        """The details a first use needs and the request left out, by field name."""
        details = {"notary": self.notary, "heir_iin": self.heir_iin, "share": self.share}
        return [name for name, value in details.items() if value is None]

    def differences(self, certificate: NotaryCertificate) -> list[str]:
        """The details given that differ from the certificate as recorded."""
        recorded = {
            "notary": certificate.notary,
            "heir_iin": certificate.heir_iin,
            "share": certificate.share,
        }
        given = {"notary": self.notary, "heir_iin": self.heir_iin, "share": self.share}
        return [name for name, value in given.items() if value not in (None, recorded[name])]


@dataclass(frozen=True, slots=True)
class RecordedCertificate:
    """A certificate as its first use recorded it: for whose savings, by which operator."""

    certificate: NotaryCertificate
    person_id: int
    operator_name: str


@dataclass(frozen=True, slots=True)
class HeirPayout:
    """Target savings of a deceased holder paid to an heir named in a notary's
    certificate; `notary_certificate` is the certificate's number."""

    payout_id: str
    person_id: int
    operator_name: str
    amount: Money
    notary_certificate: str
    account: str
    status: HeirPayoutStatus = HeirPayoutStatus.PAID_TO_HEIR

    def as_json(self) -> dict[str, object]:
        return {
            "payout_id": self.payout_id,
            "status": self.status.value,
            "amount": str(self.amount),
            "currency": CURRENCY,
            "notary_certificate": self.notary_certificate,
        }

    def is_paid(self) -> bool:
        return self.status is HeirPayoutStatus.PAID_TO_HEIR


def check_heir_payout(
    *, holder: SavingsHolder | None, operator: AuthorisedOperator, amount: Money
) -> SavingsHolder:
    """The deceased holder the heirs may be paid from; else raise `PayoutRefused` with the
    first reason that applies, in a fixed order (the certificate's come next,
    `certificate_for`, then `check_share`).

    Heirs are paid only once the register records the holder's death; until then the
    savings are the holder's own, spent through purpose payouts."""
    if amount.cents <= 0:
        raise PayoutRefused("invalid_amount", f"amount {amount} must be positive")
    if not operator.may_pay_heirs():
        raise PayoutRefused(
            "inheritance_not_served", f"operator {operator.name!r} is not authorised to pay heirs"
        )
    if holder is None or not holder.credited:
        raise no_target_savings()
    if holder.unvouched:
        raise unvouched_annulled()
    if not holder.deceased:
        raise PayoutRefused(
            "holder_alive", "heirs are paid only after the register records the holder's death"
        )
    return holder


def certificate_for(
    *,
    claim: CertificateClaim,
    recorded: RecordedCertificate | None,
    holder: SavingsHolder,
    operator: AuthorisedOperator,
    others: list[RecordedCertificate],
    paid: list[HeirPayout],
) -> NotaryCertificate:
    """The certificate a payout of `holder`'s savings is made on, as recorded or as this
    first use describes it; else raise `PayoutRefused`.  `others` are the certificates
    already recorded for the holder, `paid` the holder's heirs' payouts so far."""
    number = claim.number
    if recorded is not None:
        if recorded.operator_name != operator.name:
            raise _of_another_operator(number)
        return _as_recorded(claim, recorded, holder)
    if any(_is_on(p, number) and p.operator_name != operator.name for p in paid):
        raise _of_another_operator(number)  # paid on before certificates were recorded
    certificate = claim.described()
    if certificate is None:
        raise PayoutRefused(
            "certificate_details_required",
            f"certificate {number!r} is used for the first time: its"
            f" {', '.join(claim.missing())} must be given",
        )
    shares = sum((other.certificate.share for other in others), start=Fraction(0))
    if shares + certificate.share > 1:
        raise PayoutRefused(
            "shares_exceed_estate",
            f"certificate {number!r} gives a share of {share_text(certificate.share)}, and the"
            f" certificates already used for these savings give {share_text(shares)}:"
            " together more than the whole",
        )
    return certificate


def check_share(
    *, certificate: NotaryCertificate, holder: SavingsHolder, paid: list[HeirPayout], amount: Money
) -> None:
    """Raise `PayoutRefused` unless `amount` fits in what is left of the certificate's
    share of the estate (`share_limit`), and in the frozen savings."""
    paid_to_heirs = Money(sum(p.amount.cents for p in paid if p.is_paid()))
    on_certificate = Money(
        sum(p.amount.cents for p in paid if p.is_paid() and _is_on(p, certificate.number))
    )
    limit = share_limit(certificate.share, estate=holder.available + paid_to_heirs)
    if on_certificate + amount > limit:
        raise PayoutRefused(
            "share_exceeded",
            f"amount {amount} exceeds what is left of certificate {certificate.number!r}:"
            f" its share {share_text(certificate.share)} of the frozen savings is {limit},"
            f" {on_certificate} of it paid already",
        )
    if amount > holder.available:
        raise PayoutRefused(
            "insufficient_savings",
            f"amount {amount} exceeds the frozen target savings {holder.available}",
        )


def heir_payout_entry(payout: HeirPayout, *, year: int) -> JournalEntry:
    """The frozen target savings, or part of them, to an heir (through the operator)."""
    return person_move(
        f"heir_payout:{payout.payout_id}", EntryKind.INHERITANCE, year, payout,
        source=ledger.TARGET_SAVINGS, target=ledger.PAID_TO_HEIRS,
    )  # fmt: skip


def heir_return_entry(payout: HeirPayout, *, year: int) -> JournalEntry:
    """An heir's payout the operator could not pay, back on the holder's frozen savings."""
    return person_move(
        f"heir_payout:{payout.payout_id}:returned", EntryKind.RETURN, year, payout,
        source=ledger.PAID_TO_HEIRS, target=ledger.TARGET_SAVINGS,
    )  # fmt: skip


def _is_on(payout: HeirPayout, number: str) -> bool:
    """Whether the payout was made on the certificate with this number (payouts made
    before certificates were recorded, or before schema 18, name it as it was written),
    compared as numbers are, whoever folded `number` or not."""
    return certificate_number(payout.notary_certificate) == certificate_number(number)


def _of_another_operator(number: str) -> PayoutRefused:
    return PayoutRefused(
        "certificate_of_another_operator",
        f"certificate {number!r} was first used by another operator; only that operator pays on it",
    )


def _as_recorded(
    claim: CertificateClaim, recorded: RecordedCertificate, holder: SavingsHolder
) -> NotaryCertificate:
    number = claim.number
    if recorded.person_id != holder.person_id:
        raise PayoutRefused(
            "certificate_mismatch", f"certificate {number!r} was used for another holder's savings"
        )
    differences = claim.differences(recorded.certificate)
    if differences:
        raise PayoutRefused(
            "certificate_mismatch",
            f"certificate {number!r} was first used with another {', '.join(differences)}",
        )
    return recorded.certificate

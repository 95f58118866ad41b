"""The bodies of the operators' API: what a request may carry and what an answer holds.

Pydantic models with patterns and `extra="forbid"`, so a malformed request is refused at
the edge with 422 naming the field; their names are the schemas of the OpenAPI document.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from urpaq.domain.iin import Iin, InvalidIin
from urpaq.domain.inheritance import (
    CertificateClaim,
    InvalidCertificate,
    certificate_number,
    parse_share,
)
from urpaq.domain.legible import SEEN_CATEGORY_STARTS, unseen
from urpaq.domain.money import InvalidAmount, Money
from urpaq.domain.operators import InvalidOperator, Purpose, parse_sub_purpose

IIN_PATTERN = r"^[0-9]{12}$"
#: Dollars and two decimals, written one way only: no leading zero ("01.00" is refused,
#: so one amount is never two strings to compare).
AMOUNT_PATTERN = r"^(0|[1-9][0-9]{0,12})\.[0-9]{2}$"
ACCOUNT_PATTERN = r"^[A-Z0-9]{1,34}$"
#: "123456789/987654321" or "0.123456789" at the most.
SHARE_LENGTH_MAX = 19
#: A document or certificate reference: 1–100 characters, none of them a control (C0,
#: DEL, C1), a line or paragraph separator, an invisible formatting character (the soft
#: hyphen; bidi marks, embeddings, overrides and isolates; zero-width characters; the
#: BOM; interlinear annotation), a filler or variation selector, or private use.  The
#: OpenAPI document shows this pattern; `_reference` refuses the rest of `unseen` (in
#: the planes beyond the first, and code points Unicode has not assigned) and a
#: reference with nothing visible in it.
REFERENCE_PATTERN = (
    r"^[^\x00-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    r"\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ue000-\uf8ff\ufe00-\ufe0f"
    r"\ufeff\uffa0\ufff0-\ufffb]{1,100}$"
)


def _reference(value: object) -> object:
    """A document, certificate or notary as a person can read it back: nothing invisible
    in it (the character named), and something visible.  Checked before the pattern, so
    that the refusal names the character; anything but text is left to the type's."""
    if not isinstance(value, str):
        return value
    for character in value:
        if unseen(character):
            name = unicodedata.name(character, "") or (
                "a control" if unicodedata.category(character) == "Cc" else "unnamed"
            )
            raise ValueError(f"holds an invisible character U+{ord(character):04X} ({name})")
    if not any(unicodedata.category(c).startswith(SEEN_CATEGORY_STARTS) for c in value):
        raise ValueError("holds nothing visible")
    return value


#: A reference as a request carries it: `_reference`, then the pattern (which the
#: OpenAPI document shows).
Reference = Annotated[
    str,
    Field(
        pattern=REFERENCE_PATTERN,
        description="Beyond the pattern, refused too: a code point Unicode has not"
        " assigned, the private-use planes 15 and 16, tags and the supplementary variation"
        " selectors, and a reference with nothing visible in it (422, naming the character).",
    ),
    BeforeValidator(_reference),
]


class Error(BaseModel):
    """Every refusal and error: a code naming the reason and a message for people."""

    error: str = Field(examples=["insufficient_savings"])
    message: str
    fields: list[FieldProblem] | None = Field(
        default=None, description="For 422: each invalid field and what is wrong with it."
    )


class FieldProblem(BaseModel):
    field: str = Field(examples=["amount"])
    problem: str


Error.model_rebuild()


def _iin(value: str) -> str:
    try:
        return Iin.parse(value).value
    except InvalidIin as error:
        raise ValueError(f"not a valid IIN: {error.reason}") from None


#: The kind of problem of an amount that is not positive: answered `invalid_amount`.
NOT_POSITIVE = "invalid_amount"


def _amount(value: str) -> str:
    try:
        amount = Money.parse(value)
    except InvalidAmount:
        raise ValueError("must be dollars with two decimals, e.g. 60.00") from None
    if amount.cents <= 0:  # well formed, and refused as the domain refuses it
        raise PydanticCustomError(NOT_POSITIVE, "must be more than 0.00")
    return value


SubPurpose = Literal[
    "purchase", "construction", "mortgage_down_payment", "housing_savings",
    "tuition_period", "tuition_course", "education_savings",
]  # fmt: skip


class PayoutRequest(BaseModel):
    """A payout of target savings for a purpose, to the person's USD account."""

    model_config = ConfigDict(extra="forbid")

    iin: str = Field(
        pattern=IIN_PATTERN,
        description="The person's IIN: 12 digits with a valid check digit.",
        examples=["060102500018"],
    )
    amount: str = Field(pattern=AMOUNT_PATTERN, examples=["60.00"])
    currency: Literal["USD"]
    purpose: Purpose
    sub_purpose: SubPurpose = Field(
        description="One of the purpose's: housing — purchase, construction,"
        " mortgage_down_payment, housing_savings; education — tuition_period, tuition_course,"
        " education_savings.",
        examples=["tuition_period"],
    )
    account: str = Field(
        pattern=ACCOUNT_PATTERN,
        description="The person's USD account at the authorised operator (IBAN or number).",
    )

    _check_iin = field_validator("iin")(lambda cls, v: _iin(v))
    _check_amount = field_validator("amount")(lambda cls, v: _amount(v))

    @field_validator("sub_purpose")
    @classmethod
    def _sub_purpose_belongs(cls, value: str, info: ValidationInfo) -> str:
        purpose = info.data.get("purpose")
        if purpose is None:  # the purpose itself is invalid and named on its own
            return value
        try:
            return parse_sub_purpose(purpose, value)
        except InvalidOperator as error:
            raise ValueError(str(error)) from None


def _share(value: str) -> str:
    try:
        parse_share(value)
    except InvalidCertificate as error:
        raise ValueError(str(error)) from None
    return value


class HeirPayoutRequest(BaseModel):
    """A deceased holder's frozen target savings, or part of them, paid to one heir on a
    notary's certificate of the right to inheritance.  The certificate's `notary`,
    `heir_iin` and `share` are required the first time it is used (else 422
    `certificate_details_required` naming them); later payouts on it may leave them out,
    and any given must agree with the first use's (else 409 `certificate_mismatch`)."""

    model_config = ConfigDict(extra="forbid")

    iin: str = Field(pattern=IIN_PATTERN, description="The deceased holder's IIN.")
    amount: str = Field(pattern=AMOUNT_PATTERN, examples=["100.52"])
    currency: Literal["USD"]
    notary_certificate: Reference = Field(
        description="The number of the notary's certificate of the right to inheritance;"
        " compared whatever its case, spacing and look-alike characters (other dashes and"
        " slashes, full width, Cyrillic or Greek capitals drawn like Latin ones).",
        examples=["2025/118"],
    )
    account: str = Field(pattern=ACCOUNT_PATTERN, description="The heir's account.")
    notary: Reference | None = Field(
        default=None,
        description="The notary who issued the certificate (name or registry number)."
        " Required at the certificate's first use.",
        examples=["Notary A. Seitkali, Astana"],
    )
    heir_iin: str | None = Field(
        default=None,
        pattern=IIN_PATTERN,
        description="The IIN of the heir the certificate names, not the holder's."
        " Required at the certificate's first use.",
    )
    share: str | None = Field(
        default=None,
        max_length=SHARE_LENGTH_MAX,
        description="The heir's share of the estate as the certificate states it: a"
        " fraction (`1/2`) or a decimal (`0.5`), more than 0 and at most 1. The heir is"
        " paid at most this share of the frozen savings (what the holder's account holds"
        " plus what heirs have been paid from it), rounded down to the cent. Required at"
        " the certificate's first use.",
        examples=["1/2"],
    )

    _check_iin = field_validator("iin")(lambda cls, v: _iin(v))
    _check_amount = field_validator("amount")(lambda cls, v: _amount(v))
    _check_share = field_validator("share")(lambda cls, v: v if v is None else _share(v))

    @field_validator("heir_iin")
    @classmethod
    def _heir_is_not_the_holder(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        heir = _iin(value)
        if heir == info.data.get("iin"):
            raise ValueError("the heir's IIN is the deceased holder's own")
        return heir

    @field_validator("notary")
    @classmethod
    def _notary_spaced(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("the notary must be named")
        return None if value is None else " ".join(value.split())

    def certificate(self) -> CertificateClaim:
        """What the request says of its certificate."""
        return CertificateClaim(
            number=certificate_number(self.notary_certificate),
            notary=self.notary,
            heir_iin=self.heir_iin,
            share=None if self.share is None else parse_share(self.share),
        )


class Confirmation(BaseModel):
    """The documents showing that a payout was used for its purpose."""

    model_config = ConfigDict(extra="forbid")

    documents: list[Reference] = Field(
        min_length=1, max_length=20, examples=[["contract 17/2026", "invoice 4411"]]
    )


class Savings(BaseModel):
    # Every answer carries every field, `currency` too: each required in the OpenAPI
    # document's answers.
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    iin: str
    available: str = Field(examples=["100.52"])
    currency: Literal["USD"] = "USD"
    frozen: bool = Field(
        description="No payout can be made to the holder: they have died (only heirs can be"
        " paid, on a notary's certificate), or the register no longer vouches for them"
        " (`unvouched`: nobody can be paid)."
    )


class PayoutAnswer(BaseModel):
    # Every answer carries every field, `currency` too: each required in the OpenAPI
    # document's answers.
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    payout_id: str
    status: Literal["paid", "confirmed", "returned"]
    amount: str = Field(examples=["60.00"])
    currency: Literal["USD"] = "USD"
    purpose: Purpose
    sub_purpose: str = Field(examples=["tuition_period"])
    return_due_on: dt.date = Field(
        description="The last working day on which the payout's use can be confirmed (45"
        " Kazakhstan working days after it was paid); the day after, the money is due back.",
        examples=["2027-01-28"],
    )


class HeirPayoutAnswer(BaseModel):
    # Every answer carries every field, `currency` too: each required in the OpenAPI
    # document's answers.
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    payout_id: str
    status: Literal["paid_to_heir", "returned"] = Field(
        description="`paid_to_heir`, or `returned` once the operator returned it."
    )
    amount: str
    currency: Literal["USD"] = "USD"
    notary_certificate: str = Field(
        description="The number of the certificate it was paid on, as compared."
    )


class PayoutListed(BaseModel):
    """One of an operator's payouts in its list of a day."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    payout_id: str
    iin: str = Field(description="The holder whose target savings were paid out.")
    paid_on: dt.date = Field(description="The day it was paid, in Kazakhstan.")
    status: Literal["paid", "confirmed", "returned", "paid_to_heir"]
    amount: str = Field(examples=["60.00"])
    currency: Literal["USD"] = "USD"
    purpose: Literal["housing", "education", "inheritance"] = Field(
        description="`inheritance` for a payout to an heir (`POST /heir-payouts`)."
    )
    sub_purpose: str = Field(
        description="What within the purpose it paid; for an heir's payout, the notary's"
        " certificate number it was paid on."
    )
    return_due_on: dt.date | None = Field(
        description="The last working day on which its use can be confirmed; null for an"
        " heir's payout."
    )
    closed_on: dt.date | None = Field(
        description="The day it was confirmed or returned; null while it is open."
    )


class PayoutList(BaseModel):
    """An operator's payouts of a day, in the order of their ids, a page at a time."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    payouts: list[PayoutListed]
    next_after: str | None = Field(
        description="The `after` that asks for the next page; null on the last one."
    )

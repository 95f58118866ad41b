"""The API for authorised operators, under `/api/v1/`.

Each route checks the credential, translates the request into values, calls one service
and translates the answer.  Writes run through `answer_once`, so a repeat under the same
`Idempotency-Key` gets the first answer and the money moves once.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Header, Path, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from urpaq import bootstrap
from urpaq.domain.iin import Iin, InvalidIin
from urpaq.domain.money import InvalidAmount, Money
from urpaq.domain.operators import AuthorisedOperator, InvalidOperator, Purpose, parse_sub_purpose
from urpaq.domain.payouts import Payout
from urpaq.domain.refusals import Refused
from urpaq.entrypoints.http.context import Context
from urpaq.entrypoints.http.edge import audit_event, error_body, note_of
from urpaq.services import payouts
from urpaq.services.idempotency import answer_once, fingerprint
from urpaq.services.operators import operator_for_credential
from urpaq.services.ports.edge import KeptAnswer

PREFIX = "/api/v1"
OPENAPI_URL = f"{PREFIX}/openapi.json"

#: The HTTP status of each business refusal.
STATUS_OF_REFUSAL = {
    "invalid_amount": 422,
    "purpose_not_served": 403,
    "unknown_person": 404,
    "not_credited": 409,
    "deceased": 409,
    "holder_alive": 409,
    "insufficient_savings": 409,
    "unknown_payout": 404,
    "payout_closed": 409,
    "idempotency_key_reused": 409,
    "invalid_idempotency_key": 422,
}

IIN_PATTERN = r"^[0-9]{12}$"
AMOUNT_PATTERN = r"^[0-9]{1,13}\.[0-9]{2}$"
ACCOUNT_PATTERN = r"^[A-Z0-9]{1,34}$"
REFERENCE_PATTERN = r"^[^\x00-\x1f]{1,100}$"


# --- bodies ----------------------------------------------------------------------------


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


def _amount(value: str) -> str:
    try:
        amount = Money.parse(value)
    except InvalidAmount:
        raise ValueError("must be dollars with two decimals, e.g. 60.00") from None
    if amount.cents <= 0:
        raise ValueError("must be more than 0.00")
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


class HeirPayoutRequest(BaseModel):
    """A deceased holder's frozen target savings, or part of them, paid to one heir."""

    model_config = ConfigDict(extra="forbid")

    iin: str = Field(pattern=IIN_PATTERN, description="The deceased holder's IIN.")
    amount: str = Field(pattern=AMOUNT_PATTERN, examples=["100.52"])
    currency: Literal["USD"]
    notary_certificate: str = Field(
        pattern=REFERENCE_PATTERN,
        description="Reference of the notary's certificate of the right to inheritance.",
    )
    account: str = Field(pattern=ACCOUNT_PATTERN, description="The heir's account.")

    _check_iin = field_validator("iin")(lambda cls, v: _iin(v))
    _check_amount = field_validator("amount")(lambda cls, v: _amount(v))


class Confirmation(BaseModel):
    """The documents showing that a payout was used for its purpose."""

    model_config = ConfigDict(extra="forbid")

    documents: list[Annotated[str, Field(pattern=REFERENCE_PATTERN)]] = Field(
        min_length=1, max_length=20, examples=[["contract 17/2026", "invoice 4411"]]
    )


class Savings(BaseModel):
    iin: str
    available: str = Field(examples=["100.52"])
    currency: Literal["USD"] = "USD"
    frozen: bool = Field(
        description="The holder has died: only heirs can be paid, on a notary's certificate."
    )


class PayoutAnswer(BaseModel):
    payout_id: str
    status: Literal["paid", "confirmed", "returned"]
    amount: str = Field(examples=["60.00"])
    currency: Literal["USD"] = "USD"
    purpose: Purpose


class HeirPayoutAnswer(BaseModel):
    payout_id: str
    status: Literal["paid_to_heir"]
    amount: str
    currency: Literal["USD"] = "USD"


# --- routes ----------------------------------------------------------------------------

_bearer = HTTPBearer(auto_error=False, description="The credential `urpaq operator add` printed.")

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Chosen by the caller, unique per intended write (e.g. a UUID).",
    ),
]
PayoutId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="As the payout returned.")]
IinInPath = Annotated[str, Path(pattern=r"^[0-9]{12}$", description="The person's IIN.")]


class UnauthenticatedError(Exception):
    """No credential, or one that belongs to no active operator: answered with 401."""


def authenticated_operator(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> AuthorisedOperator:
    """The active operator whose credential the request carries; 401 for anything else."""
    context: Context = request.app.state.context
    found = None
    if credentials is not None and credentials.scheme.lower() == "bearer":
        found = operator_for_credential(context.uow(), credential=credentials.credentials)
    if found is None:
        raise UnauthenticatedError
    note_of(request).actor = f"operator:{found.name}"
    return found


Operator = Annotated[AuthorisedOperator, Depends(authenticated_operator)]


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": Error} for status in statuses}


def router(context: Context) -> APIRouter:
    """The operators' routes, bound to the server's context."""

    api = APIRouter(prefix=PREFIX, responses=_errors(400, 401, 422))

    @api.get(
        "/savings/{iin}",
        response_model=Savings,
        responses=_errors(404),
        summary="A person's available target savings",
    )
    def get_savings(iin: IinInPath, request: Request, by: Operator) -> Any:
        """Only a person with target savings has an answer; anyone else (a minor, an
        unknown IIN) is 404, so the answer reveals nothing about them."""
        try:
            person = Iin.parse(iin)
        except InvalidIin as error:
            return JSONResponse(
                error_body(
                    "invalid_request",
                    "the request has invalid fields: iin",
                    fields=[{"field": "iin", "problem": f"not a valid IIN: {error.reason}"}],
                ),
                status_code=422,
            )
        note_of(request).iin = person.value
        holder = payouts.savings_holder(context.uow(), iin=person, today=context.clock.today())
        if holder is None or not holder.credited:
            return JSONResponse(
                error_body("no_target_savings", "no target savings for this IIN"),
                status_code=404,
            )
        return Savings(iin=person.value, available=str(holder.available), frozen=holder.deceased)

    @api.post(
        "/payouts",
        status_code=201,
        response_model=PayoutAnswer,
        responses=_errors(403, 404, 409),
        summary="Request a payout of target savings",
    )
    def post_payout(
        body: PayoutRequest, key: IdempotencyKey, request: Request, by: Operator
    ) -> Any:
        """Pays `amount` from the person's target savings to this operator for the purpose.
        Refusals: `purpose_not_served` (403), `unknown_person` (404), `not_credited`,
        `deceased`, `insufficient_savings` (409)."""
        note_of(request).iin = body.iin

        def act() -> tuple[int, dict[str, object]]:
            payout = payouts.request_payout(
                context.uow(),
                joined=True,
                operator=by,
                iin=Iin.parse(body.iin),
                amount=Money.parse(body.amount),
                purpose=body.purpose,
                sub_purpose=body.sub_purpose,
                account=body.account,
                payout_id=uuid.uuid4().hex,
                today=context.clock.today(),
                return_due_on=_return_due_on,
            )
            return 201, _payout_answer(payout)

        return _once(request, by, key, body.model_dump(mode="json"), act)

    @api.get(
        "/payouts/{payout_id}",
        response_model=PayoutAnswer,
        responses=_errors(404),
        summary="One of this operator's payouts",
    )
    def get_payout(payout_id: PayoutId, request: Request, by: Operator) -> Any:
        note_of(request).iin = payouts.holder_iin(context.uow(), operator=by, payout_id=payout_id)
        try:
            payout = payouts.payout_of(context.uow(), operator=by, payout_id=payout_id)
        except Refused as refusal:
            return _refusal_response(refusal)
        return _payout_answer(payout)

    @api.post(
        "/payouts/{payout_id}/confirmation",
        response_model=PayoutAnswer,
        responses=_errors(404, 409),
        summary="Confirm that a payout was used for its purpose",
    )
    def post_confirmation(
        payout_id: PayoutId, body: Confirmation, key: IdempotencyKey, request: Request, by: Operator
    ) -> Any:
        """Within 45 working days of the payout; after that the money has been returned."""
        note_of(request).iin = payouts.holder_iin(context.uow(), operator=by, payout_id=payout_id)

        def act() -> tuple[int, dict[str, object]]:
            payout = payouts.confirm_payout(
                context.uow(),
                joined=True,
                operator=by,
                payout_id=payout_id,
                documents=json.dumps(body.documents, ensure_ascii=False),
                today=context.clock.today(),
            )
            return 200, _payout_answer(payout)

        return _once(request, by, key, body.model_dump(mode="json"), act)

    @api.post(
        "/payouts/{payout_id}/return",
        response_model=PayoutAnswer,
        responses=_errors(404, 409),
        summary="Return an unused payout to the person's target savings",
    )
    def post_return(
        payout_id: PayoutId, key: IdempotencyKey, request: Request, by: Operator
    ) -> Any:
        note_of(request).iin = payouts.holder_iin(context.uow(), operator=by, payout_id=payout_id)

        def act() -> tuple[int, dict[str, object]]:
            payout = payouts.return_payout(
                context.uow(),
                operator=by,
                payout_id=payout_id,
                today=context.clock.today(),
                joined=True,
            )
            return 200, _payout_answer(payout)

        return _once(request, by, key, None, act)

    @api.post(
        "/heir-payouts",
        status_code=201,
        response_model=HeirPayoutAnswer,
        responses=_errors(404, 409),
        summary="Pay a deceased holder's frozen savings to an heir",
    )
    def post_heir_payout(
        body: HeirPayoutRequest, key: IdempotencyKey, request: Request, by: Operator
    ) -> Any:
        """On the reference of a notary's certificate of inheritance; several heirs are
        paid one payout each. Refusals: `unknown_person` (404), `not_credited`,
        `holder_alive`, `insufficient_savings` (409)."""
        note_of(request).iin = body.iin

        def act() -> tuple[int, dict[str, object]]:
            payout = payouts.pay_heir(
                context.uow(),
                joined=True,
                operator=by,
                iin=Iin.parse(body.iin),
                amount=Money.parse(body.amount),
                notary_certificate=body.notary_certificate,
                account=body.account,
                payout_id=uuid.uuid4().hex,
                today=context.clock.today(),
            )
            return 201, payout.as_json()

        return _once(request, by, key, body.model_dump(mode="json"), act)

    def _once(
        request: Request,
        by: AuthorisedOperator,
        key: str,
        body: object,
        act: Callable[[], tuple[int, dict[str, object]]],
    ) -> JSONResponse:
        request_fingerprint = fingerprint(method="POST", path=request.url.path, body=body)

        def answer() -> KeptAnswer:
            try:
                status, document = act()
            except Refused as refusal:
                status, document = _refusal(refusal)
            return KeptAnswer(request_fingerprint, status, json.dumps(document))

        note = note_of(request)
        now = context.clock.now()
        try:
            kept, repeated = answer_once(
                context.uow(),
                scope=f"operator:{by.name}",
                key=key,
                request_fingerprint=request_fingerprint,
                act=answer,
                now=now,
                audit=lambda status: audit_event(request.scope, note, status=status, at=now),
            )
        except Refused as refusal:
            return _refusal_response(refusal)
        note.audited = False  # recorded with the answer, in the same transaction
        return JSONResponse(
            json.loads(kept.body),
            status_code=kept.status,
            headers={"Idempotent-Replayed": "true"} if repeated else None,
        )

    return api


def install_openapi(app: FastAPI) -> None:
    """The OpenAPI document of the operators' API, and the 401 answer."""

    @app.exception_handler(UnauthenticatedError)
    async def unauthenticated(request: Request, error: Exception) -> JSONResponse:
        return JSONResponse(
            error_body("unauthenticated", "a valid operator credential is required"),
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = get_openapi(
                title="urpaq: API for authorised operators",
                version="1",
                description=(
                    "Check a person's target savings, request a payout for housing or"
                    " education, confirm its use or return it, and pay heirs. Every write"
                    " takes an `Idempotency-Key`: a repeat with the same key and body gets"
                    " the first answer (header `Idempotent-Replayed: true`); the same key"
                    " with another body is refused with 409 `idempotency_key_reused`."
                    " Amounts are strings with two decimals, in USD."
                ),
                routes=app.routes,
            )
            # Only the operators' API is described; the pages are not part of it.
            paths = app.openapi_schema["paths"]
            for path in [path for path in paths if not path.startswith(PREFIX + "/")]:
                del paths[path]
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get(OPENAPI_URL, include_in_schema=False)
    def openapi_document() -> JSONResponse:
        return JSONResponse(openapi())


def _refusal(refusal: Refused) -> tuple[int, dict[str, object]]:
    return STATUS_OF_REFUSAL.get(refusal.code, 409), error_body(refusal.code, str(refusal))


def _refusal_response(refusal: Refused) -> JSONResponse:
    status, document = _refusal(refusal)
    return JSONResponse(document, status_code=status)


def _payout_answer(payout: Payout) -> dict[str, object]:
    answer = payout.as_json()
    answer["sub_purpose"] = payout.sub_purpose
    return answer


def _return_due_on(day: dt.date) -> dt.date:
    return bootstrap.return_due_on(day)

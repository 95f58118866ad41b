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
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from urpaq import bootstrap
from urpaq.domain.iin import Iin, InvalidIin
from urpaq.domain.money import Money
from urpaq.domain.operators import AuthorisedOperator
from urpaq.domain.payouts import Payout, no_target_savings
from urpaq.domain.refusals import Refused
from urpaq.entrypoints.http.audit_note import RequestNote, audit_events
from urpaq.entrypoints.http.bodies import (
    Confirmation,
    HeirPayoutAnswer,
    HeirPayoutRequest,
    PayoutAnswer,
    PayoutRequest,
    Savings,
)
from urpaq.entrypoints.http.context import Clock, UnitOfWorkProvider
from urpaq.entrypoints.http.deps import (
    ClockDep,
    NoteDep,
    OperatorDep,
    OperatorRoute,
    UnitOfWorkDep,
)
from urpaq.entrypoints.http.edge import RecordedAnswer, error_body
from urpaq.entrypoints.http.openapi import PREFIX, answered, errors
from urpaq.entrypoints.http.threads import writing
from urpaq.services import inheritance, payouts
from urpaq.services.idempotency import answer_once, fingerprint
from urpaq.services.ports.edge import KeptAnswer

#: The HTTP status of each business refusal.
STATUS_OF_REFUSAL = {
    "invalid_amount": 422,
    "purpose_not_served": 403,
    "no_target_savings": 404,
    "deceased": 409,
    "unvouched": 409,
    "savings_expired": 409,
    "holder_alive": 409,
    "inheritance_not_served": 403,
    "certificate_details_required": 422,
    "certificate_of_another_operator": 409,
    "certificate_mismatch": 409,
    "shares_exceed_estate": 409,
    "share_exceeded": 409,
    "insufficient_savings": 409,
    "unknown_payout": 404,
    "payout_closed": 409,
    "deadline_passed": 409,
    "idempotency_key_reused": 409,
    "invalid_idempotency_key": 422,
}

# --- routes ----------------------------------------------------------------------------


async def _one_idempotency_key(
    request: Request,
    key: Annotated[
        str,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=200,
            # Shown, not enforced here: a repeat of an answer kept under such a key before
            # the rule is still answered (`_COMMA_IN_KEY`).
            json_schema_extra={"pattern": "^[^,]*$"},
            description="Chosen by the caller, unique per intended write (e.g. a UUID);"
            " without a comma (two keys joined into one header line have one); 1–200 bytes"
            " (a character outside ASCII counts as its UTF-8 bytes: keep keys ASCII).",
        ),
    ],
) -> str:
    """The request's one key: two different keys in one request (a proxy or a library
    adding its own) are refused, since a repeat under either would not be known as one."""
    if len(set(request.headers.getlist("idempotency-key"))) > 1:
        raise RequestValidationError(
            [
                {
                    "type": "value_error",
                    "loc": ("header", "Idempotency-Key"),
                    "msg": "is given more than once, with different values: send one",
                }
            ]
        )
    return key


IdempotencyKey = Annotated[str, Depends(_one_idempotency_key)]

#: Why a new write is refused under a key holding a comma: a proxy or a library joins a
#: header given twice into one line ("ka, kb", as HTTP joins a field), which would be
#: taken for a third key, and a repeat under either would pay again.  An answer kept
#: under such a key before this rule is still given to a repeat.
_COMMA_IN_KEY = (
    "holds a comma: two keys joined into one header (by a proxy or a library) — send one"
    " key, without a comma"
)
PayoutId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="As the payout returned.")]
IinInPath = Annotated[str, Path(pattern=r"^[0-9]{12}$", description="The person's IIN.")]


#: Every answer of the API is recorded: by the edge, or by `answer_once` for a write; the
#: credential is checked before a body is read.  Any route may also answer 500, and 503
#: while the database is away (try again after `Retry-After`).
router = APIRouter(
    prefix=PREFIX,
    responses=errors(400, 401, 405, 413, 422, 500, 503),
    route_class=OperatorRoute,
)


@router.get(
    "/savings/{iin}",
    response_model=Savings,
    responses=errors(404) | answered(200),
    summary="A person's available target savings",
)
def get_savings(
    iin: IinInPath, note: NoteDep, by: OperatorDep, uow: UnitOfWorkDep, clock: ClockDep
) -> Any:
    """Only a person with target savings has an answer; anyone else (a minor, a deceased
    child, an unknown IIN) is 404 `no_target_savings`, so the answer reveals nothing
    about them."""
    try:
        person = Iin.parse(iin)
    except InvalidIin as error:
        return JSONResponse(
            error_body(
                "invalid_request",
                "the request has invalid fields: path.iin",
                fields=[{"field": "path.iin", "problem": f"not a valid IIN: {error.reason}"}],
            ),
            status_code=422,
        )
    note.iin = person.value
    holder = payouts.savings_holder(uow(), iin=person, today=clock.today())
    if holder is None or not holder.credited:
        return _refusal_response(no_target_savings())
    available = holder.available_on(clock.today())  # nothing once expired, before it moves
    return Savings(iin=person.value, available=str(available), frozen=holder.frozen)


@router.post(
    "/payouts",
    status_code=201,
    response_model=PayoutAnswer,
    responses=errors(403, 404, 409, writes=True) | answered(201, writes=True),
    summary="Request a payout of target savings",
)
@writing
def post_payout(
    body: PayoutRequest,
    key: IdempotencyKey,
    request: Request,
    by: OperatorDep,
    uow: UnitOfWorkDep,
    clock: ClockDep,
    note: NoteDep,
) -> Any:
    """Pays `amount` from the person's target savings to this operator for the purpose.
    Refusals, in this order: `invalid_amount` (422), `purpose_not_served` (403),
    `no_target_savings` (404: anyone without target savings — a minor, a deceased child,
    an unknown IIN — answered exactly as the balance answers them), `unvouched` (409:
    the register annulled the holder's record or withdrew every record of their
    citizenship), `deceased`, `savings_expired` (409: unused for ten years from the
    day they were credited, they are due to the pension account), `insufficient_savings`
    (409)."""
    note.iin = body.iin

    def act() -> tuple[int, dict[str, object]]:
        payout = payouts.request_payout(
            uow(),
            joined=True,
            operator=by,
            iin=Iin.parse(body.iin),
            amount=Money.parse(body.amount),
            purpose=body.purpose,
            sub_purpose=body.sub_purpose,
            account=body.account,
            payout_id=uuid.uuid4().hex,
            today=clock.today(),
            return_due_on=_return_due_on,
        )
        return 201, _payout_answer(payout)

    return _once(
        request, key=key, body=body.model_dump(mode="json"), act=act,
        by=by, uow=uow, clock=clock, note=note,
    )  # fmt: skip


@router.get(
    "/payouts/{payout_id}",
    response_model=PayoutAnswer,
    responses=errors(404) | answered(200),
    summary="One of this operator's payouts",
)
def get_payout(payout_id: PayoutId, note: NoteDep, by: OperatorDep, uow: UnitOfWorkDep) -> Any:
    note.iin = payouts.holder_iin(uow(), operator=by, payout_id=payout_id)
    try:
        payout = payouts.payout_of(uow(), operator=by, payout_id=payout_id)
    except Refused as refusal:
        return _refusal_response(refusal)
    return _payout_answer(payout)


@router.post(
    "/payouts/{payout_id}/confirmation",
    response_model=PayoutAnswer,
    responses=errors(404, 409, writes=True) | answered(200, writes=True),
    summary="Confirm that a payout was used for its purpose",
)
@writing
def post_confirmation(
    payout_id: PayoutId,
    body: Confirmation,
    key: IdempotencyKey,
    request: Request,
    by: OperatorDep,
    uow: UnitOfWorkDep,
    clock: ClockDep,
    note: NoteDep,
) -> Any:
    """Within 45 working days of the payout, up to its `return_due_on`; the day after,
    the money is due back to the person, and a confirmation is refused with 409
    `deadline_passed` even before the daily settlement has returned it. Refusals:
    `unknown_payout` (404), `payout_closed`, `deadline_passed` (409)."""
    note.iin = payouts.holder_iin(uow(), operator=by, payout_id=payout_id)

    def act() -> tuple[int, dict[str, object]]:
        payout = payouts.confirm_payout(
            uow(),
            joined=True,
            operator=by,
            payout_id=payout_id,
            documents=json.dumps(body.documents, ensure_ascii=False),
            today=clock.today(),
        )
        return 200, _payout_answer(payout)

    return _once(
        request, key=key, body=body.model_dump(mode="json"), act=act,
        by=by, uow=uow, clock=clock, note=note,
    )  # fmt: skip


@router.post(
    "/payouts/{payout_id}/return",
    response_model=PayoutAnswer,
    responses=errors(404, 409, writes=True) | answered(200, writes=True),
    summary="Return an unused payout to the person's target savings",
)
@writing
def post_return(
    payout_id: PayoutId,
    key: IdempotencyKey,
    request: Request,
    by: OperatorDep,
    uow: UnitOfWorkDep,
    clock: ClockDep,
    note: NoteDep,
) -> Any:
    note.iin = payouts.holder_iin(uow(), operator=by, payout_id=payout_id)

    def act() -> tuple[int, dict[str, object]]:
        payout = payouts.return_payout(
            uow(), operator=by, payout_id=payout_id, today=clock.today(), joined=True
        )
        return 200, _payout_answer(payout)

    return _once(request, key=key, body=None, act=act, by=by, uow=uow, clock=clock, note=note)


@router.post(
    "/heir-payouts",
    status_code=201,
    response_model=HeirPayoutAnswer,
    responses=errors(403, 404, 409, writes=True) | answered(201, writes=True),
    summary="Pay a deceased holder's frozen savings to an heir",
)
@writing
def post_heir_payout(
    body: HeirPayoutRequest,
    key: IdempotencyKey,
    request: Request,
    by: OperatorDep,
    uow: UnitOfWorkDep,
    clock: ClockDep,
    note: NoteDep,
) -> Any:
    """For an operator authorised to pay heirs (`inheritance`), on a notary's certificate
    of the right to inheritance: each heir is paid on their own certificate, up to its
    share of the frozen savings, rounded down to the cent. The first use of a certificate
    must describe it (`notary`, `heir_iin`, `share`) and binds it to this operator and
    this holder. Refusals, in this order: `invalid_amount` (422),
    `inheritance_not_served` (403), `no_target_savings` (404, as for a payout),
    `unvouched` (409, as for a payout), `holder_alive` (409),
    `certificate_of_another_operator` (409),
    `certificate_details_required` (422), `certificate_mismatch`, `shares_exceed_estate`,
    `share_exceeded`, `insufficient_savings` (409)."""
    note.iin = body.iin
    recorded = inheritance.heir_of_certificate(
        uow(), operator=by, number=body.certificate().number, holder_iin=body.iin
    )
    note.heirs = tuple(heir for heir in (body.heir_iin, recorded) if heir is not None)

    def act() -> tuple[int, dict[str, object]]:
        payout = inheritance.pay_heir(
            uow(),
            joined=True,
            operator=by,
            iin=Iin.parse(body.iin),
            amount=Money.parse(body.amount),
            certificate=body.certificate(),
            account=body.account,
            payout_id=uuid.uuid4().hex,
            today=clock.today(),
        )
        return 201, payout.as_json()

    return _once(
        request, key=key, body=body.model_dump(mode="json"), act=act,
        by=by, uow=uow, clock=clock, note=note,
    )  # fmt: skip


@router.get(
    "/heir-payouts/{payout_id}",
    response_model=HeirPayoutAnswer,
    responses=errors(404) | answered(200),
    summary="One of this operator's heirs' payouts",
)
def get_heir_payout(payout_id: PayoutId, note: NoteDep, by: OperatorDep, uow: UnitOfWorkDep) -> Any:
    """Another operator's heir payout is `404 unknown_payout`, like one that does not
    exist."""
    note.iin, heir = inheritance.heir_payout_people(uow(), operator=by, payout_id=payout_id)
    note.heirs = () if heir is None else (heir,)
    try:
        payout = inheritance.heir_payout_of(uow(), operator=by, payout_id=payout_id)
    except Refused as refusal:
        return _refusal_response(refusal)
    return payout.as_json()


@router.post(
    "/heir-payouts/{payout_id}/return",
    response_model=HeirPayoutAnswer,
    responses=errors(404, 409, writes=True) | answered(200, writes=True),
    summary="Return an heir's payout the operator could not pay",
)
@writing
def post_heir_return(
    payout_id: PayoutId,
    key: IdempotencyKey,
    request: Request,
    by: OperatorDep,
    uow: UnitOfWorkDep,
    clock: ClockDep,
    note: NoteDep,
) -> Any:
    """The money goes back to the deceased holder's frozen savings and no longer counts
    against the certificate's share. Refusals: `unknown_payout` (404), `payout_closed`
    (409, returned already)."""
    note.iin, heir = inheritance.heir_payout_people(uow(), operator=by, payout_id=payout_id)
    note.heirs = () if heir is None else (heir,)

    def act() -> tuple[int, dict[str, object]]:
        payout = inheritance.return_heir_payout(
            uow(), operator=by, payout_id=payout_id, today=clock.today(), joined=True
        )
        return 200, payout.as_json()

    return _once(request, key=key, body=None, act=act, by=by, uow=uow, clock=clock, note=note)


@router.get("/openapi.json", include_in_schema=False)
def openapi_document(request: Request) -> JSONResponse:
    """The OpenAPI document of the operators' API (`openapi.openapi_of`)."""
    return JSONResponse(request.app.openapi())


# --- helpers -----------------------------------------------------------------------------


def _once(
    request: Request,
    *,
    key: str,
    body: object,
    act: Callable[[], tuple[int, dict[str, object]]],
    by: AuthorisedOperator,
    uow: UnitOfWorkProvider,
    clock: Clock,
    note: RequestNote,
) -> JSONResponse:
    """The answer of a write, given once per idempotency key: `act` runs and its answer
    is kept in one transaction, its audit event recorded before that commits; a repeat
    gets the kept answer."""
    request_fingerprint = fingerprint(method="POST", path=request.url.path, body=body)

    def answer() -> KeptAnswer:
        try:
            status, document = act()
        except Refused as refusal:
            status, document = _refusal(refusal)
        return KeptAnswer(request_fingerprint, status, json.dumps(document))

    now = clock.now()
    try:
        kept, repeated = answer_once(
            uow(),
            scope=f"operator:{by.name}",
            key=key,
            request_fingerprint=request_fingerprint,
            act=answer,
            now=now,
            audit=lambda status: audit_events(request.scope, note, status=status, at=now),
            new_key_refused=_COMMA_IN_KEY if "," in key else None,
        )
    except Refused as refusal:  # refused before an answer was kept: the edge records it
        return _refusal_response(refusal)
    return RecordedAnswer(  # its audit event was recorded before the answer was kept
        json.loads(kept.body),
        status_code=kept.status,
        headers={"Idempotent-Replayed": "true"} if repeated else None,
    )


def _refusal(refusal: Refused) -> tuple[int, dict[str, object]]:
    return STATUS_OF_REFUSAL.get(refusal.code, 409), error_body(refusal.code, str(refusal))


def _refusal_response(refusal: Refused) -> JSONResponse:
    status, document = _refusal(refusal)
    if refusal.code == "invalid_idempotency_key":  # named as a field, as the edge names it
        document["fields"] = [{"field": "header.Idempotency-Key", "problem": str(refusal)}]
    return JSONResponse(document, status_code=status)


def _payout_answer(payout: Payout) -> dict[str, object]:
    answer = payout.as_json()
    answer["sub_purpose"] = payout.sub_purpose
    answer["return_due_on"] = payout.return_due_on.isoformat()
    return answer


def _return_due_on(day: dt.date) -> dt.date:
    return bootstrap.return_due_on(day)

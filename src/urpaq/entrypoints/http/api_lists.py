"""The operators' lists: what an authorised operator reconciles its own books with.

A bank checks, a day at a time, that the payouts it made are those the ledger holds, and
that none it was answered for is missing (after a restore of the operator's database,
say: operations.md).  Each list is a read of every person it shows, recorded about each
(`(shown)` after the action), as an audit search is.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError

from urpaq.domain.register import parse_day
from urpaq.entrypoints.http.bodies import PayoutList
from urpaq.entrypoints.http.deps import NoteDep, OperatorDep, OperatorRoute, UnitOfWorkDep
from urpaq.entrypoints.http.openapi import PREFIX, answered, errors
from urpaq.services import payouts
from urpaq.services.payouts import PAYOUTS_LISTED_MAX

router = APIRouter(
    prefix=PREFIX,
    responses=errors(400, 401, 405, 413, 422, 500, 503),
    route_class=OperatorRoute,
)

PaidOn = Annotated[
    str,
    Query(
        pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        description="The day the payouts were made, in Kazakhstan (YYYY-MM-DD).",
        examples=["2026-11-27"],
    ),
]
After = Annotated[
    str | None,
    Query(
        pattern=r"^[0-9a-f]{32}$",
        description="The `next_after` of the page before; none for the first page.",
    ),
]
Limit = Annotated[
    int, Query(ge=1, le=PAYOUTS_LISTED_MAX, description="At most this many payouts a page.")
]


@router.get(
    "/payouts",
    response_model=PayoutList,
    responses=answered(200),
    summary="This operator's payouts of a day",
)
def list_payouts(
    paid_on: PaidOn,
    request: Request,
    note: NoteDep,
    by: OperatorDep,
    uow: UnitOfWorkDep,
    after: After = None,
    limit: Limit = 500,
) -> Any:
    """The payouts and heirs' payouts this operator made on `paid_on`, in the order of
    their ids, `limit` at a time: ask again with `after` set to the answer's `next_after`
    until it is null. Another operator's payouts are never listed."""
    _each_once(request, ("paid_on", "after", "limit"))
    rows = payouts.payouts_of_day(uow(), operator=by, day=_day(paid_on), after=after, limit=limit)
    note.shown = tuple(row.iin for row in rows)
    return {
        "payouts": [
            {
                "payout_id": row.payout_id, "iin": row.iin, "paid_on": row.requested_on,
                "status": row.status, "amount": str(row.amount), "currency": "USD",
                "purpose": row.purpose, "sub_purpose": row.sub_purpose,
                "return_due_on": row.return_due_on, "closed_on": row.closed_on,
            }
            for row in rows
        ],
        "next_after": rows[-1].payout_id if len(rows) == limit else None,
    }  # fmt: skip


def _each_once(request: Request, names: tuple[str, ...]) -> None:
    """A parameter given twice is refused, naming it: a proxy or a library that keeps the
    first value would read another day than the one taking the last."""
    twice = [name for name in names if len(request.query_params.getlist(name)) > 1]
    if twice:
        raise RequestValidationError(
            [
                {
                    "type": "value_error",
                    "loc": ("query", name),
                    "msg": "is given more than once: give it once",
                }
                for name in twice
            ]
        )


def _day(text: str) -> dt.date:
    """A day written YYYY-MM-DD that is one (not 2026-02-30), or 422 naming the field."""
    try:
        return parse_day(text)
    except ValueError:
        raise RequestValidationError(
            [
                {
                    "type": "value_error",
                    "loc": ("query", "paid_on"),
                    "msg": f"{text!r} is not a day",
                    "input": text,
                }
            ]
        ) from None

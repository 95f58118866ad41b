"""The OpenAPI document of the operators' API: the routes under `/api/v1/` only, with the
error answers and the headers each answer carries."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from urpaq.entrypoints.http.bodies import Error

PREFIX = "/api/v1"


def _header(description: str, **schema: Any) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "string", **schema}}


#: The headers the OpenAPI document names: every answer's, a repeated write's, and those
#: of particular statuses.
_REQUEST_ID = {
    "X-Request-Id": _header(
        "The request's id, as the audit log and the access log"
        " keep it: quote it when asking about a request."
    )
}
_REPLAYED = {
    "Idempotent-Replayed": _header(
        "`true` on a repeat under an idempotency key: the first answer, given again.", enum=["true"]
    )
}
_HEADERS_OF_STATUS = {
    401: {"WWW-Authenticate": _header("`Bearer`.")},
    405: {"Allow": _header("The methods the address takes (one that takes GET takes HEAD too).")},
    503: {"Retry-After": _header("Seconds to wait before asking again.")},
}


#: What an error status means where the error body's code alone would not say it.
_DESCRIPTIONS = {
    400: "`ambiguous_length`: the length given both by Content-Length and by"
    " Transfer-Encoding. (A request the HTTP parser cannot read at all is answered 400 in"
    " plain text, before any route.)",
    405: "`method_not_allowed`",
}


def errors(*statuses: int, writes: bool = False) -> dict[int | str, dict[str, Any]]:
    """The error answers of `statuses`, with their headers (a write's may be repeats)."""
    return {
        status: {"model": Error, "headers": _headers(status, writes=writes)}
        | ({"description": _DESCRIPTIONS[status]} if status in _DESCRIPTIONS else {})
        for status in statuses
    }


def answered(status: int, *, writes: bool = False) -> dict[int | str, dict[str, Any]]:
    """The headers of a route's own answer `status`."""
    return {status: {"headers": _headers(status, writes=writes)}}


def _headers(status: int, *, writes: bool) -> dict[str, Any]:
    return {**_REQUEST_ID, **_HEADERS_OF_STATUS.get(status, {}), **(_REPLAYED if writes else {})}


def openapi_of(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document of the operators' API, built once: only the routes under
    `/api/v1/`, never the pages."""
    if app.openapi_schema is None:
        app.openapi_schema = get_openapi(
            title="urpaq: API for authorised operators",
            version="1",
            description=(
                "Check a person's target savings, request a payout for housing or"
                " education, confirm its use or return it, and pay heirs. Every write"
                " takes an `Idempotency-Key`: a repeat with the same key and body gets"
                " the first answer (header `Idempotent-Replayed: true`); the same key"
                " with another body is refused with 409 `idempotency_key_reused`; a key"
                " missing, of over 200 bytes, holding a comma or given twice with two"
                " values, with 422 `invalid_idempotency_key`."
                " Amounts are strings with two decimals, in USD."
            ),
            routes=app.routes,
        )
        paths = app.openapi_schema["paths"]
        for path in [path for path in paths if not path.startswith(PREFIX + "/")]:
            del paths[path]
    return app.openapi_schema

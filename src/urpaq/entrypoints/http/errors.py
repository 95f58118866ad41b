"""The answers to requests that never reach a route's own answer: an invalid field (422),
an unknown address or method, a missing credential (401).

Every one is an error body (`edge.error_body`); a field's value is quoted only when it
cannot be personal data.  An unknown page address gets the 404 page instead.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from urpaq.domain.refusals import quoted
from urpaq.entrypoints.http.audit_note import note_of
from urpaq.entrypoints.http.bodies import (
    ACCOUNT_PATTERN,
    AMOUNT_PATTERN,
    IIN_PATTERN,
    NOT_POSITIVE,
    REFERENCE_PATTERN,
)
from urpaq.entrypoints.http.deps import UnauthenticatedError, iin_if_valid, name_the_operator
from urpaq.entrypoints.http.edge import error_body
from urpaq.entrypoints.http.failures import error_page, speaks_json
from urpaq.entrypoints.http.openapi import PREFIX
from urpaq.entrypoints.http.web.render import not_found

#: The only fields whose offending value an error quotes: none of them is personal data.
#: Any other field (an IIN, an account, a document, a misnamed field) is named, its value
#: never.
_QUOTABLE_FIELDS = frozenset({"amount", "currency", "purpose", "sub_purpose", "share"})

#: What each pattern of a request's fields asks for, said to the caller instead of the
#: pattern itself.
_PATTERN_WORDS = {
    AMOUNT_PATTERN: "must be dollars and exactly two decimals, without a leading zero,"
    " at most 13 digits before the point (such as 60.00)",
    ACCOUNT_PATTERN: "must be 1–34 capital Latin letters and digits",
    IIN_PATTERN: "must be exactly 12 digits",
    REFERENCE_PATTERN: "must be 1–100 characters long",
}

#: Where FastAPI places a problem with the `Idempotency-Key` header.
_KEY_HEADER = ("header", "Idempotency-Key")
_KEY_LENGTH = ("string_too_long", "string_too_short")


async def invalid_request(request: Request, error: RequestValidationError) -> Response:
    """422 naming each invalid field and what is wrong with it: `invalid_amount` when all
    that is wrong is an amount that is not positive, `invalid_idempotency_key` when it is
    the key (missing, empty, too long, or two different keys), else `invalid_request`.
    (A key holding a comma is refused later, where a write it began can still be
    answered: `api._COMMA_IN_KEY`.)"""
    if not speaks_json(request.url.path):  # a page's address (a sign-in's return): a page
        page = error_page(400, request_id=note_of(request).request_id)
        return HTMLResponse(page, status_code=400, headers={"Cache-Control": "no-store"})
    problems = error.errors()
    _note_who_was_asked_about(request, error.body)
    content_type = request.headers.get("content-type")
    fields = [_field_problem(problem, content_type=content_type) for problem in problems]
    names = ", ".join(problem["field"] for problem in fields)
    code = "invalid_request"
    if problems and all(problem.get("type") == NOT_POSITIVE for problem in problems):
        code = "invalid_amount"
    elif problems and all(tuple(problem.get("loc", ())) == _KEY_HEADER for problem in problems):
        code = "invalid_idempotency_key"
    return JSONResponse(
        error_body(code, f"the request has invalid fields: {names}", fields=fields),
        status_code=422,
    )


#: The fields naming people in the bodies of the API's writes that have them: the
#: holder's IIN, and the heir's.  No other body names a person (a stray `iin` in a
#: confirmation is no one's).
_PEOPLE_IN_BODY = {
    f"{PREFIX}/payouts": ("iin", None),
    f"{PREFIX}/heir-payouts": ("iin", "heir_iin"),
}


def _note_who_was_asked_about(request: Request, body: Any) -> None:
    """The person (and the heir) a refused payout's body names, where the IIN is valid:
    an auditor's `urpaq audit --iin` finds a request about someone refused for another
    field (an amount `6x`), as it finds one answered."""
    fields = _PEOPLE_IN_BODY.get(request.url.path)
    if fields is None or request.method != "POST" or not isinstance(body, dict):
        return
    holder, heir_field = fields
    note = note_of(request)
    note.iin = note.iin or iin_if_valid(body.get(holder))
    heir = iin_if_valid(body.get(heir_field)) if heir_field else None
    if heir is not None:
        note.heirs = (heir,)


async def http_error(request: Request, error: StarletteHTTPException) -> Response:
    """An unknown address, a wrong method, a malformed body: the page for a page's address,
    an error body for the API's."""
    json = speaks_json(request.url.path)
    if not json and error.status_code == 404:
        return not_found(request)
    if json and error.status_code in (404, 405) and request.url.path.startswith("/api/"):
        await name_the_operator(request)
    if error.status_code == 405 and (allowed := _allowed(request)):
        # (An address no route matches, such as a static file's, keeps its own `Allow`.)
        error.headers = {**(getattr(error, "headers", None) or {}), "Allow": allowed}
    if not json and error.status_code in (400, 405, 413):
        # A form's body unreadable (a broken upload) or grown too large while read, a
        # method the page does not take: the page the edge gives a request it refuses,
        # not the parser's words in JSON.
        page = error_page(error.status_code, request_id=note_of(request).request_id)
        return HTMLResponse(
            page, status_code=error.status_code, headers=getattr(error, "headers", None)
        )
    if error.status_code == 400 and json:
        # A body FastAPI could not parse at all (not UTF-8, nested too deeply): answered as
        # any other body that is not JSON.
        return JSONResponse(
            error_body(
                "invalid_request",
                "the request has invalid fields: body",
                fields=[
                    {"field": "body", "problem": "is not JSON: not UTF-8, or nested too deeply"}
                ],
            ),
            status_code=422,
        )
    code = {
        400: "malformed_body", 404: "not_found", 405: "method_not_allowed",
        413: "body_too_large",
    }.get(error.status_code, "http_error")  # fmt: skip
    return JSONResponse(
        error_body(code, str(error.detail)),
        status_code=error.status_code,
        headers=getattr(error, "headers", None),
    )


#: The methods an address may take, in the order `Allow` names them.
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _allowed(request: Request) -> str:
    """Every method the address takes, as the application's routes match it, not only the
    first route's (GET alone, for a page that takes GET and POST); HEAD wherever GET is,
    which the edge answers as its GET."""
    routes = request.app.router.routes
    taken = [
        method
        for method in _METHODS
        if any(r.matches({**request.scope, "method": method})[0] is Match.FULL for r in routes)
    ]
    return ", ".join(["GET", "HEAD", *taken[1:]] if taken[:1] == ["GET"] else taken)


async def unauthenticated(request: Request, error: UnauthenticatedError) -> JSONResponse:
    """401: no credential, or one that belongs to no active operator."""
    return JSONResponse(
        error_body("unauthenticated", "a valid operator credential is required"),
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )


def _field_problem(problem: Any, *, content_type: str | None) -> dict[str, str]:
    if problem.get("type") == "json_invalid":  # its location is a character offset
        why = (problem.get("ctx") or {}).get("error")
        return {
            "field": "body",
            "problem": f"is not JSON: {why}" if why else str(problem.get("msg", "is not JSON")),
        }
    if tuple(problem.get("loc", ())) == ("body",) and isinstance(problem.get("input"), bytes):
        # Not read as JSON at all: the body was sent as something else.
        said = "none" if content_type is None else quoted(content_type)
        return {
            "field": "body",
            "problem": f"is not sent as JSON: give the header Content-Type: application/json"
            f" (the request's: {said})",
        }
    location = [str(part) for part in problem.get("loc", ()) if part not in ("body",)]
    name = ".".join(location) or "body"
    message = str(problem.get("msg", "is invalid"))
    message = message.removeprefix("Value error, ")
    if tuple(problem.get("loc", ())) == _KEY_HEADER and problem.get("type") in _KEY_LENGTH:
        # A header is bytes: its length is counted in them (a character outside ASCII
        # counts as its UTF-8 bytes), where pydantic's message says characters.
        message = "must be 1–200 bytes long (a character outside ASCII counts as its UTF-8 bytes)"
    if problem.get("type") == "string_pattern_mismatch":  # the pattern, in words
        pattern = str((problem.get("ctx") or {}).get("pattern", ""))
        message = _PATTERN_WORDS.get(pattern, message)
    if location and location[-1] in _QUOTABLE_FIELDS and "input" in problem:
        value = problem["input"]
        if isinstance(value, str | int | bool) and len(str(value)) <= 100:
            said = json.dumps(value) if isinstance(value, bool) else repr(value)  # JSON's `true`
            message = f"{message} (got {said})"
    return {"field": name, "problem": message}

"""The edge: what every HTTP request passes through, before and after its route.

A request id, an audit event written before the answer leaves (so no answer about a person
goes out unrecorded), a `HEAD` answered as its `GET` without the body, an access log with
IINs redacted, security headers on every answer (no-store on the API's, HSTS over TLS), a
limit on the size of a body while it is read, forms that another site's page sent
refused, and error bodies that never carry a stack trace or personal data.

Who records a request's audit event is data, decided in this order:

1. **The answer**, when it knows better than its route.  A response of class
   `RecordedAnswer` says `Audit.BY_ROUTE`: the route recorded the event itself, durably
   in the serving store before the transaction that made the answer committed
   (`answer_once`), so the edge writes none.  An
   `UnauditedRedirect` says `Audit.NONE`: the statement's redirect to sign in touches
   nobody's data.  Such a response puts its decision on its `http.response.start`
   message (key `urpaq.audit`), which the edge takes off before the message leaves.
2. **The route's declaration**, for every other answer the route gives (its 401s and 422s
   too): its class, `AuditedRoute` (`Audit.BY_EDGE`, the API and the answers about a
   person) or `UnauditedRoute` (`Audit.NONE`, the public pages and forms).  The edge reads
   it from the route the router matched (`scope["route"]`), and also when the route fails
   with an exception.
3. **The path**, for a request no route answered (an unknown address, a method the route
   does not take, a body too large, a form from another site): the API, the person pages
   and the back office (`AUDITED_PATHS`) are recorded, the rest is not.

What the event says — who asked (`RequestNote.actor`: the client's address until the
route, the operator's authentication or a staff session knows better) and about whom
(`RequestNote.iin`) — is noted as soon as it is known, so an event written after a
failure still names the person.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
import traceback
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from urpaq import bootstrap
from urpaq.entrypoints.http.audit_note import (
    AUDITED_PATHS,
    HEAD_KEY,
    NOTE_KEY,
    RequestNote,
    audit_events,
    method_of,
)
from urpaq.entrypoints.http.context import Context
from urpaq.entrypoints.http.failures import error_page, failure_of, speaks_json
from urpaq.entrypoints.http.framing import (
    ambiguous_length,
    declared_length,
    in_origin_form,
    own_address_as_path,
)
from urpaq.entrypoints.http.json_body import StrictJsonRequest
from urpaq.entrypoints.http.log_text import redact
from urpaq.entrypoints.http.threads import awaitable, writes_database
from urpaq.services.audit import record_event_later

access_log = logging.getLogger("urpaq.access")
error_log = logging.getLogger("urpaq.error")

#: On every answer: no script or resource from elsewhere, no referrer, no framing.
SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none';"
     b" frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
]  # fmt: skip

#: Over TLS: browsers keep to https for a year.
HSTS = (b"strict-transport-security", b"max-age=31536000")

#: The actor of an API request until a credential found active names its operator.
UNAUTHENTICATED = "unauthenticated"

#: Larger request bodies are refused (no route needs more): at once when the
#: `Content-Length` says so, else as soon as the body read so far passes it (chunked).
BODY_BYTES_MAX = 64 * 1024

#: The methods that change something.  A form of the pages or the back office sent with
#: one of them from another site's page is refused (`cross_site`).
_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: Where an answer's audit decision is kept in its `http.response.start` message.
_AUDIT_KEY = "urpaq.audit"

#: The status the access log gives a request whose client went away before its request
#: was whole (nothing was answered).
CLIENT_GONE = 499
#: Set in a request's scope when the server answered it 400 itself, its body unreadable
#: once its head had been handed on: the server's line in the access log is its only one.
ANSWERED_UNREADABLE_KEY = "urpaq.answered_unreadable"


def error_body(code: str, message: str, **extra: object) -> dict[str, object]:
    return {"error": code, "message": message, **extra}


class BodyTooLarge(HTTPException):
    """A request body grew past `BODY_BYTES_MAX` while it was read: answered with 413."""

    def __init__(self) -> None:
        super().__init__(413, f"a request body is at most {BODY_BYTES_MAX} bytes")


# --- who records a request ---------------------------------------------------------------


class Audit(enum.Enum):
    """Who writes a request's audit event."""

    BY_EDGE = "by_edge"  # the edge, as the answer starts (or fails)
    BY_ROUTE = "by_route"  # the route, in the transaction that made its answer
    NONE = "none"  # nobody: the answer touches no person's data


class DeclaredRoute(APIRoute):
    """A route that declares, by its class, who records its answers (and whose endpoint,
    if written `def`, runs in the event loop's worker threads: `threads.awaitable`)."""

    audit: ClassVar[Audit]

    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        super().__init__(path, awaitable(endpoint, writes=writes_database(endpoint)), **options)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The handler, given the request with its JSON body read strictly (UTF-8, every
        field once: `json_body.py`)."""
        handler = super().get_route_handler()

        async def strictly(request: Request) -> Response:
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strictly


class AuditedRoute(DeclaredRoute):
    """Each answer is recorded by the edge: the API, and the pages about a person."""

    audit = Audit.BY_EDGE


class AuditedPathRoute(AuditedRoute):
    """Each answer is recorded by the edge, and its action names the path as asked
    (`POST /office/parameters/2026/approve`), not the route's template: for the back
    office's routes whose path parameters are no person's data (a reporting year, an
    operator's name), so that the log says which one was changed."""

    names_path: ClassVar[bool] = True


class UnauditedRoute(DeclaredRoute):
    """No answer is recorded: the route touches nobody's data."""

    audit = Audit.NONE


class RecordedAnswer(JSONResponse):
    """A JSON answer whose audit event the route has written, in the transaction that
    made the answer."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, _carrying(Audit.BY_ROUTE, send))


class UnauditedRedirect(RedirectResponse):
    """A redirect that touches nobody's data, from a route whose answers are recorded."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, _carrying(Audit.NONE, send))


def _carrying(audit: Audit, send: Send) -> Send:
    async def carry(message: Message) -> None:
        if message["type"] == "http.response.start":
            message[_AUDIT_KEY] = audit
        await send(message)

    return carry


def declared_audit(scope: Scope) -> Audit:
    """Who records a request, by the route that answers it, else by its path."""
    route = scope.get("route")
    if isinstance(route, DeclaredRoute) and scope["method"] in (route.methods or ()):
        return route.audit
    return Audit.BY_EDGE if scope["path"].startswith(AUDITED_PATHS) else Audit.NONE


# --- the middleware -------------------------------------------------------------------------


@dataclass
class _Progress:
    """How far the answer to one request has gone."""

    status: int = 500
    started: bool = False  # its http.response.start has been sent
    replaced: bool = False  # by a 500 (its audit event could not be written), or by nothing
    gone: bool = False  # its client went away before its request was whole


class Edge:
    """ASGI middleware: request id, audit event, redacted access log, no leaked errors."""

    def __init__(self, app: ASGIApp, *, context: Context) -> None:
        self.app = app
        self.context = context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        in_origin_form(scope)  # every step after sees the target as a path
        if scope["method"] == "HEAD":  # answered as its GET, without the body
            scope, send = {**scope, "method": "GET", HEAD_KEY: True}, _headers_only(send)
        client = scope.get("client")
        note = RequestNote(
            request_id=uuid.uuid4().hex,
            # Until a route knows better (a bank's credential, a session), the client's
            # address (as a trusted proxy gave it), as the public pages record it.
            actor=UNAUTHENTICATED
            if scope["path"].startswith("/api/")
            else f"public:{client[0] if client else 'unknown'}",
        )
        scope[NOTE_KEY] = note
        started = time.perf_counter()
        progress = _Progress()
        try:
            if refusal := _refusal(scope):
                progress.status = refusal[0]
                await self._refuse(scope, note, send, *refusal)
            else:
                recording = self._recording(scope, note, send, progress)
                await self.app(scope, _limited(receive, progress), recording)
        except ClientDisconnect:  # gone before its request was whole: nobody to answer
            progress.status = CLIENT_GONE
        except Exception as error:  # every failure is answered and logged once, here
            await self._answer_failure(scope, note, send, progress, error)
        finally:
            if not scope.get(ANSWERED_UNREADABLE_KEY):
                access_log.info(
                    "%s %s %s %d %.1fms %s",
                    _client_of(scope), method_of(scope), redact(scope["path"]),
                    progress.status, (time.perf_counter() - started) * 1000, note.request_id,
                )  # fmt: skip

    def _recording(self, scope: Scope, note: RequestNote, send: Send, progress: _Progress) -> Send:
        """`send`, with the audit event written before the answer starts, and the request
        id and security headers added to it."""

        async def send_after_audit(message: Message) -> None:
            if message["type"] == "http.response.start" and progress.gone:
                # The client went away before its request was whole: what the route made
                # of the part it had (a body cut short) is nobody's answer, and nothing
                # was asked of anyone's data.
                progress.replaced, progress.status = True, CLIENT_GONE
                return
            if message["type"] == "http.response.start":
                progress.started = True
                progress.status = message["status"]
                audit = message.pop(_AUDIT_KEY, None) or declared_audit(scope)
                refused = None
                if audit is Audit.BY_EDGE:
                    refused = await self._audit(scope, note, progress.status)
                if refused is not None:  # the answer is replaced: the log says what went
                    failure = failure_of(refused, request_id=note.request_id, what="recorded")
                    progress.replaced, progress.status = True, failure.status
                    await self._send_error(
                        scope, send, note, failure.status, failure.message, code=failure.code,
                        extra=list(failure.headers),
                    )  # fmt: skip
                    return
                message["headers"] = [
                    *own_address_as_path(scope, message.get("headers", [])),
                    *_edge_headers(scope, note),
                ]
            elif progress.replaced:
                return
            await send(message)

        return send_after_audit

    async def _answer_failure(
        self, scope: Scope, note: RequestNote, send: Send, progress: _Progress, error: Exception
    ) -> None:
        """Log a failure inside the application and answer it with a bare 500 (503 when
        the database could not be reached), if no answer has started."""
        failure = failure_of(error, request_id=note.request_id)
        where = (method_of(scope), redact(scope["path"]), note.request_id, _failure(error))
        if failure.status == 503:  # the database's words say it all: no trace to read
            error_log.error(
                "the database could not be reached answering %s %s (request %s): %s", *where
            )
        elif bootstrap.storage_failure(error):  # a disk full or read-only: nor here
            self.context.storage.note(error)  # a write refused: not ready for a while
            error_log.error("the storage failed answering %s %s (request %s): %s", *where)
        else:
            error_log.error(
                "internal error answering %s %s (request %s): %s\n%s",
                *where, "".join(traceback.format_tb(error.__traceback__)),
            )  # fmt: skip
        if progress.started:
            return
        progress.status = failure.status
        if declared_audit(scope) is Audit.BY_EDGE:
            await self._audit(scope, note, progress.status)
        await self._send_error(
            scope, send, note, failure.status, failure.message, code=failure.code,
            extra=list(failure.headers),
        )  # fmt: skip

    async def _refuse(
        self, scope: Scope, note: RequestNote, send: Send, status: int, code: str, message: str
    ) -> None:
        """A request refused before its route: recorded as its route would be, and
        answered with the headers of every answer (the connection closed after a 400:
        what follows on it cannot be told apart from this request's body)."""
        if declared_audit(scope) is Audit.BY_EDGE:
            await self._audit(scope, note, status)
        closing = [(b"connection", b"close")] if status == 400 else []
        await self._send_error(scope, send, note, status, message, code=code, extra=closing)

    async def _audit(self, scope: Scope, note: RequestNote, status: int) -> Exception | None:
        """Record the request's event; None once it is durable, else why not."""
        events = audit_events(scope, note, status=status, at=self.context.clock.now())
        try:
            # The store's writer commits them with their neighbours'; the loop waits for
            # that commit without a worker thread.
            recorded = [record_event_later(self.context.uow(), event) for event in events]
            for durable in recorded:
                await asyncio.wrap_future(durable)
        except Exception as error:
            self.context.storage.note(error)
            error_log.error(
                "the audit log refused request %s: %s", note.request_id, _failure(error)
            )
            return error
        return None

    async def _send_error(
        self, scope: Scope, send: Send, note: RequestNote, status: int, message: str,
        code: str = "internal_error", extra: list[tuple[bytes, bytes]] | None = None,
    ) -> None:  # fmt: skip
        """An error body, sent past the application, with the headers of every answer: a
        page for a page's address (a browser shows it), JSON for the API's."""
        if not speaks_json(scope["path"]):
            page = error_page(status, request_id=note.request_id)
            # Never kept by a cache: the next visitor's answer is not this failure's.
            response: Response = HTMLResponse(page, status_code=status, headers=_NOT_KEPT)
        else:
            response = JSONResponse(error_body(code, message), status_code=status)
        headers = [*response.raw_headers, *_edge_headers(scope, note), *(extra or [])]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": response.body})


_NOT_KEPT = {"Cache-Control": "no-store"}


def _edge_headers(scope: Scope, note: RequestNote) -> list[tuple[bytes, bytes]]:
    """The headers the edge adds to every answer: the request id and the security
    headers; no-store on the API's (personal data: balances, payouts); HSTS over TLS
    (the scheme is https only as the server saw it, or as a trusted proxy said)."""
    headers = [(b"x-request-id", note.request_id.encode()), *SECURITY_HEADERS]
    if scope["path"].startswith("/api/"):
        headers.append((b"cache-control", b"no-store"))
    if scope.get("scheme") == "https":
        headers.append(HSTS)
    return headers


def _refusal(scope: Scope) -> tuple[int, str, str] | None:
    """Why a request is refused before its route, if it is: status, code and message."""
    if ambiguous_length(scope):
        return (
            400,
            "ambiguous_length",
            "a request gives its length by Content-Length or by Transfer-Encoding, not both",
        )
    if declared_length(scope) > BODY_BYTES_MAX:
        return 413, "body_too_large", BodyTooLarge().detail
    if cross_site(scope):
        return 403, "cross_site", "a form of this site is sent from its own pages only"
    return None


def _headers_only(send: Send) -> Send:
    """`send` for a `HEAD` request answered as its `GET` (RFC 9110: every resource that
    answers GET answers HEAD, as load balancers and monitors ask): the status and the
    headers, `Content-Length` included, and no body."""

    async def send_headers(message: Message) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body", False):
                return
            message = {"type": "http.response.body", "body": b"", "more_body": False}
        await send(message)

    return send_headers


def _limited(receive: Receive, progress: _Progress) -> Receive:
    """`receive`, refusing with `BodyTooLarge` a body that grows past `BODY_BYTES_MAX`
    while it is read, whatever its `Content-Length` said (or a chunked one, which says
    nothing): no more of it is taken from the server.  A client gone before its body was
    whole is noted in `progress` (`gone`)."""
    read, whole = 0, False

    async def receive_within_limit() -> Message:
        nonlocal read, whole
        if read > BODY_BYTES_MAX:
            raise BodyTooLarge
        message = await receive()
        if message["type"] == "http.disconnect" and not whole:
            progress.gone = True
        whole = whole or not message.get("more_body", False)
        read += len(message.get("body", b""))
        if read > BODY_BYTES_MAX:
            raise BodyTooLarge
        return message

    return receive_within_limit


def cross_site(scope: Scope) -> bool:
    """Whether a browser sent this request, which changes something, from another
    site's page (a forged form: sign-out, a sign-in code, a back-office decision).

    As Go's `net/http.CrossOriginProtection` decides: the browser's `Sec-Fetch-Site`
    when it sends one (only `same-origin` and `none`, an address typed or bookmarked,
    pass), else its `Origin`, which must name the host the request was sent to; a
    request with neither did not come from a browser's page and passes.  The API is
    exempt: its callers send a credential in a header, which no page of another site
    can make a browser send."""
    if scope["method"] not in _CHANGING or scope["path"].startswith("/api/"):
        return False
    headers: dict[bytes, bytes] = dict(scope.get("headers", []))
    fetched_from = headers.get(b"sec-fetch-site")
    if fetched_from is not None:
        return fetched_from not in (b"same-origin", b"none")
    origin = headers.get(b"origin")
    if origin is None:
        return False
    return urlsplit(origin.decode("latin-1")).netloc != headers.get(b"host", b"").decode("latin-1")


def _client_of(scope: Scope) -> str:
    """The client's address for the log: the peer, or the address a named proxy gave
    (`server.ForwardedClient`), masked and escaped like a path all the same."""
    client = scope.get("client")
    return redact(str(client[0])) if client else "-"


def _failure(error: Exception) -> str:
    """An error as the log names it: its class, and the database's words where the
    storage failed (a full disk, a lost server), which carry no personal data; any
    other message may quote a value of the request, and is left out."""
    why = bootstrap.storage_failure(error)
    return type(error).__name__ + (f" ({why})" if why else "")

"""The HTTP server: one ASGI application serving the operators' API and the web pages.

What every request shares lives here: a unit of work per worker thread, the clock, the request
id, the audit log (written before the answer leaves, so no answer about a person goes out
unrecorded), an access log with IINs redacted, and error bodies that never carry a stack
trace or personal data.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
import threading
import time
import traceback
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from urpaq import bootstrap
from urpaq.domain.audit import AuditEvent
from urpaq.services.audit import record_event
from urpaq.services.ports.identity import IdentityProvider
from urpaq.services.ports.unit_of_work import UnitOfWork
from urpaq.services.statistics import participant_statistics

if TYPE_CHECKING:
    from urpaq.entrypoints.http.web import WebSettings

access_log = logging.getLogger("urpaq.access")
error_log = logging.getLogger("urpaq.error")

#: Kazakhstan keeps one time zone, UTC+5, since 1 March 2024; "today" is Kazakhstan's.
KAZAKHSTAN = dt.timezone(dt.timedelta(hours=5), "Asia/Almaty")

_IIN_IN_PATH = re.compile(r"\d{12}")

#: On every answer: no script or resource from elsewhere, no referrer, no framing.
SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none';"
     b" frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
]  # fmt: skip

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def redact(path: str) -> str:
    """A request path fit for a log: every run of 12 digits (an IIN) masked."""
    return _IIN_IN_PATH.sub("************", path)


class UnitOfWorkProvider:
    """One unit of work per worker thread: a database connection is not shared by threads."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._by_thread: dict[int, UnitOfWork] = {}
        self._lock = threading.Lock()

    def __call__(self) -> UnitOfWork:
        thread = threading.get_ident()
        uow = self._by_thread.get(thread)
        if uow is None:
            uow = bootstrap.open_unit_of_work(self.url)
            with self._lock:
                self._by_thread[thread] = uow
        return uow

    def close_all(self) -> None:
        """Close every connection; a later call opens new ones (a server can start again)."""
        with self._lock:
            units = list(self._by_thread.values())
            self._by_thread.clear()
        for uow in units:
            uow.close()


@dataclass
class Clock:
    """The time at the edge; tests set it."""

    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)

    def today(self) -> dt.date:
        return self.now().astimezone(KAZAKHSTAN).date()


@dataclass
class Context:
    """What the routes need: a unit of work for the calling thread and the clock."""

    uow: UnitOfWorkProvider
    clock: Clock


@dataclass
class RequestNote:
    """Filled in while a request is answered, read by the audit log when it ends."""

    request_id: str
    actor: str
    iin: str | None = None
    audited: bool = True


def note_of(request: Request) -> RequestNote:
    note: RequestNote = request.scope["urpaq.note"]
    return note


def error_body(code: str, message: str, **extra: object) -> dict[str, object]:
    return {"error": code, "message": message, **extra}


class Edge:
    """ASGI middleware: request id, audit event, redacted access log, no leaked errors."""

    def __init__(self, app: ASGIApp, *, context: Context) -> None:
        self.app = app
        self.context = context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        note = RequestNote(
            request_id=uuid.uuid4().hex,
            actor="unauthenticated" if path.startswith("/api/") else "public",
            audited=path.startswith(("/api/", "/lookup", "/statement", "/sign-in")),
        )
        scope["urpaq.note"] = note
        started = time.perf_counter()
        if _declared_length(scope) > BODY_BYTES_MAX:
            if note.audited:
                await self._audit(scope, note, 413)
            await self._send_error(
                send, note, 413, f"a request body is at most {BODY_BYTES_MAX} bytes",
                code="body_too_large",
            )  # fmt: skip
            return
        status = 500
        response_started = False
        replaced = False

        async def send_after_audit(message: Message) -> None:
            nonlocal status, response_started, replaced
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                if note.audited and not await self._audit(scope, note, status):
                    replaced = True
                    await self._send_error(
                        send, note, 500,
                        f"the request could not be recorded (request {note.request_id})",
                    )  # fmt: skip
                    return
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", note.request_id.encode()))
                headers.extend(SECURITY_HEADERS)
                message["headers"] = headers
            elif replaced:
                return
            await send(message)

        try:
            await self.app(scope, receive, send_after_audit)
        except Exception as error:  # every failure is answered and logged once, here
            error_log.error(
                "internal error answering %s %s (request %s): %s\n%s",
                scope["method"], redact(path), note.request_id, type(error).__name__,
                "".join(traceback.format_tb(error.__traceback__)),
            )  # fmt: skip
            if not response_started:
                status = 500
                if note.audited:
                    await self._audit(scope, note, status)
                await self._send_error(
                    send,
                    note,
                    500,
                    f"the request could not be completed (request {note.request_id})",
                )
        finally:
            access_log.info(
                "%s %s %s %d %.1fms %s",
                scope.get("client", ("-",))[0] if scope.get("client") else "-",
                scope["method"], redact(path), status,
                (time.perf_counter() - started) * 1000, note.request_id,
            )  # fmt: skip

    async def _audit(self, scope: Scope, note: RequestNote, status: int) -> bool:
        event = audit_event(scope, note, status=status, at=self.context.clock.now())
        try:
            await anyio.to_thread.run_sync(lambda: record_event(self.context.uow(), event))
        except Exception as error:
            error_log.error(
                "the audit log refused request %s: %s", note.request_id, type(error).__name__
            )
            return False
        return True

    async def _send_error(
        self, send: Send, note: RequestNote, status: int, message: str,
        code: str = "internal_error",
    ) -> None:  # fmt: skip
        response = JSONResponse(
            error_body(code, message), status_code=status,
            headers={"x-request-id": note.request_id},
        )  # fmt: skip
        body = response.body
        await send(
            {"type": "http.response.start", "status": status, "headers": response.raw_headers}
        )
        await send({"type": "http.response.body", "body": body})


def _count_participants(database_url: str) -> None:
    """At start, count the last close's participants for the statistics if nobody has
    yet (seconds at national scale), so that no visitor waits for it."""
    try:
        uow = bootstrap.open_unit_of_work(database_url)
        try:
            participant_statistics(uow)
        finally:
            uow.close()
    except Exception as error:  # the page computes them on demand instead
        error_log.error("counting participants at start failed: %s", type(error).__name__)


#: Larger request bodies are refused before they are read (no route needs more).
BODY_BYTES_MAX = 64 * 1024


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


def audit_event(scope: Scope, note: RequestNote, *, status: int, at: dt.datetime) -> AuditEvent:
    """The audit event of a request, as answered with `status`."""
    return AuditEvent(
        at=at,
        actor=note.actor,
        action=f"{scope['method']} {_route_of(scope)}",
        iin=note.iin,
        outcome=status,
        request_id=note.request_id,
    )


def _route_of(scope: Scope) -> str:
    """The route a request matched (`/api/v1/savings/{iin}`), never the raw path."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    return template if isinstance(template, str) else redact(scope["path"])


def create_app(
    *,
    database_url: str,
    clock: Clock | None = None,
    identity: IdentityProvider | None = None,
    web_settings: WebSettings | None = None,
) -> FastAPI:
    """The whole HTTP face of urpaq on one database: the operators' API and the pages."""
    from urpaq.entrypoints import api
    from urpaq.entrypoints.http import web

    context = Context(uow=UnitOfWorkProvider(database_url), clock=clock or Clock())

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        counting = threading.Thread(target=_count_participants, args=(database_url,), daemon=True)
        counting.start()
        yield
        counting.join(timeout=120)  # it holds a connection of its own until it ends
        context.uow.close_all()

    app = FastAPI(
        title="urpaq",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.context = context
    app.include_router(api.router(context))
    app.include_router(
        web.router(
            context,
            identity=identity or bootstrap.identity_provider(),
            settings=web_settings,
        )
    )
    app.mount("/static", StaticFiles(packages=[("urpaq.entrypoints.http.web", "static")]))
    app.add_middleware(Edge, context=context)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        fields = [_field_problem(problem) for problem in error.errors()]
        names = ", ".join(problem["field"] for problem in fields)
        return JSONResponse(
            error_body(
                "invalid_request", f"the request has invalid fields: {names}", fields=fields
            ),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if not request.url.path.startswith("/api/") and error.status_code == 404:
            return web.not_found(request)
        code = {400: "malformed_body", 404: "not_found", 405: "method_not_allowed"}.get(
            error.status_code, "http_error"
        )
        return JSONResponse(
            error_body(code, str(error.detail)),
            status_code=error.status_code,
            headers=getattr(error, "headers", None),
        )

    api.install_openapi(app)
    return app


#: The only fields whose offending value an error quotes: none of them is personal data.
#: Any other field (an IIN, an account, a document, a misnamed field) is named, its value
#: never.
_QUOTABLE_FIELDS = frozenset({"amount", "currency", "purpose", "sub_purpose"})


def _field_problem(problem: Any) -> dict[str, str]:
    location = [str(part) for part in problem.get("loc", ()) if part not in ("body",)]
    name = ".".join(location) or "body"
    message = str(problem.get("msg", "is invalid"))
    message = message.removeprefix("Value error, ")
    if location and location[-1] in _QUOTABLE_FIELDS and "input" in problem:
        value = problem["input"]
        if isinstance(value, str | int | bool) and len(str(value)) <= 100:
            message = f"{message} (got {value!r})"
    return {"field": name, "problem": message}

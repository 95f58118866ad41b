"""The edge: what every HTTP request passes through, before and after its route.

A request id, an audit event written before the answer leaves (so no answer about a person
goes out unrecorded), an access log with IINs redacted, security headers on every answer,
a limit on the size of a body, and error bodies that never carry a stack trace or personal
data.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

import anyio
from fastapi import Request
from fastapi.responses import JSONResponse

from urpaq.domain.audit import AuditEvent
from urpaq.entrypoints.http.context import Context
from urpaq.services.audit import record_event

access_log = logging.getLogger("urpaq.access")
error_log = logging.getLogger("urpaq.error")

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

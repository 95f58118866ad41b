"""Serving the application with uvicorn, as `urpaq serve` does: the options it runs with,
the factory every server process builds the application from, and the HTTP protocol
that closes connections whose request does not arrive in time.

`urpaq serve --workers N` starts N processes sharing one port; each builds its own
application with `app_from_environment`, from the environment the command set
(`URPAQ_DB`, the pages' settings as JSON in `URPAQ_WEB_SETTINGS`, the proxies it believes
in `URPAQ_FORWARDED_ALLOW_IPS`).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import os
import socket
import sys
import uuid
from typing import Any, ClassVar

import h11
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware
from uvicorn.protocols.http.h11_impl import H11Protocol

from urpaq import bootstrap
from urpaq.entrypoints.http.app import create_app
from urpaq.entrypoints.http.audit_note import NOTE_KEY
from urpaq.entrypoints.http.edge import ANSWERED_UNREADABLE_KEY, SECURITY_HEADERS, access_log
from urpaq.entrypoints.http.log_text import UtcFormatter, redact
from urpaq.entrypoints.http.web.settings import WebSettings

#: The environment variable that carries the pages' settings to every server process.
WEB_SETTINGS_VARIABLE = "URPAQ_WEB_SETTINGS"
#: The environment variable that names the proxies every server process believes
#: (`--forwarded-allow-ips`, comma-separated addresses or networks; empty: none).
FORWARDED_VARIABLE = "URPAQ_FORWARDED_ALLOW_IPS"

#: A request (its head and its body) must arrive whole within this many seconds of the
#: connection, or of its first byte on a kept-alive connection.
REQUEST_SECONDS = 10.0
#: A kept-alive connection with no new request is closed after this many seconds.
KEEP_ALIVE_SECONDS = 5
#: With `--workers N`, a server process that does not answer its supervisor's health
#: check within this many seconds is killed and replaced.  uvicorn's own 5 s is less than
#: a new process takes on a busy machine to import what it runs before it can answer: on
#: two loaded cores each replacement was killed in turn, for a minute, before one lived.
WORKER_HEALTHCHECK_SECONDS = 30

_LOG_FORMAT = "%(asctime)s [%(process)d] %(name)s %(message)s"


def app_from_environment() -> ASGIApp:
    """The application of one server process, from the environment `urpaq serve` set:
    the database of `URPAQ_DB`, the pages' settings of `URPAQ_WEB_SETTINGS` (JSON), the
    identity provider of `URPAQ_IDENTITY`, behind the proxies of
    `URPAQ_FORWARDED_ALLOW_IPS`."""
    configure_logging()
    settings = json.loads(os.environ.get(WEB_SETTINGS_VARIABLE) or "{}")
    app = create_app(
        database_url=bootstrap.database_url(None),
        identity=None,  # URPAQ_IDENTITY's, built by create_app on this process's store
        web_settings=WebSettings(**settings),
    )
    proxies = os.environ.get(FORWARDED_VARIABLE, "")
    return ForwardedClient(app, proxies) if proxies else app


#: Where `ForwardedClient` keeps the connection's own peer while a proxy's word is weighed.
_PEER = "urpaq.peer"


#: The states of a connection whose answer has begun or gone: no other may be sent.
_ANSWERED = frozenset({h11.SEND_BODY, h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.ERROR})


class ForwardedClient:
    """`X-Forwarded-For` and `X-Forwarded-Proto` believed from the proxies named, as
    uvicorn's `ProxyHeadersMiddleware` believes them (the right-most entry not itself a
    named proxy is the client), and only as far as that entry is an address: a proxy
    passing on `unknown`, a host name or any other text leaves the client as the
    connection's peer, the proxy, so that such text never becomes whom a limit counts
    or the audit log names."""

    def __init__(self, app: ASGIApp, proxies: str) -> None:
        self.app = app
        # uvicorn's middleware is typed with uvicorn's own ASGI types, Starlette's here.
        addressed: Any = self._addressed
        self.proxy_headers = ProxyHeadersMiddleware(addressed, trusted_hosts=proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[_PEER] = scope.get("client")
        await self.proxy_headers(scope, receive, send)  # type: ignore[arg-type]

    async def _addressed(self, scope: Scope, receive: Receive, send: Send) -> None:
        peer = scope.pop(_PEER, None)
        client = scope.get("client")
        if client is not None and client != peer and not _is_address(str(client[0])):
            scope["client"] = peer
        await self.app(scope, receive, send)


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def configure_logging() -> None:
    """urpaq's logs (`urpaq.access`, `urpaq.error`, `urpaq.identity`) on stderr, each line
    beginning with its moment in UTC and naming the server process that wrote it."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(UtcFormatter(_LOG_FORMAT))
    logging.basicConfig(level=logging.INFO, handlers=[handler])


class UvicornNamed(logging.Filter):
    """uvicorn writes its news (started, stopped) as `uvicorn.error`: named `uvicorn`
    in the log, its level named where it is not news (a warning, an error)."""

    def filter(self, record: logging.LogRecord) -> bool:
        level = "" if record.levelno <= logging.INFO else f" {record.levelname}"
        record.name = f"uvicorn{level}"
        return True


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own lines (a process started, stopped or replaced, a malformed request)
    in the format of urpaq's, in every server process: their moment in UTC and the
    process that wrote them, where uvicorn's default says neither."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"utc": {"()": UtcFormatter, "fmt": _LOG_FORMAT}},
        "filters": {"named": {"()": UvicornNamed}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "utc",
                "filters": ["named"],
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {"uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False}},
    }


def uvicorn_options(*, host: str, port: int, workers: int = 1) -> dict[str, Any]:
    """How `urpaq serve` runs uvicorn.

    uvicorn's own proxy headers are off: `X-Forwarded-For` and `X-Forwarded-Proto` are
    believed only from the proxies the application is told of (`FORWARDED_VARIABLE`,
    `ForwardedClient`); with none, from nobody, so the client is the peer of the
    connection.  uvicorn's own access log, which would print raw paths (an IIN), is off:
    `urpaq.access` logs every request instead, with IINs masked; uvicorn's other lines
    are written as urpaq's (`uvicorn_log_config`).
    """
    return {
        "host": host,
        "port": port,
        "workers": workers,
        "factory": True,
        "access_log": False,
        "log_config": uvicorn_log_config(),
        "proxy_headers": False,
        "http": TimelyH11Protocol,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "timeout_worker_healthcheck": WORKER_HEALTHCHECK_SECONDS,
    }


#: The states in which the client has sent its whole request (or can send no more).
_REQUEST_WHOLE = (h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.ERROR, h11.SWITCHED_PROTOCOL)


class TimelyH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with one more timeout: a request must arrive whole —
    head and body — within `request_seconds` of the connection (or of the first byte of
    the next request on a kept-alive connection), else the connection is closed.  A
    client that opens connections and sends nothing, or a head or a body a byte at a
    time, holds none for long; an application waiting for the body then sees the client
    gone.  Between requests, uvicorn's keep-alive timeout applies."""

    request_seconds: ClassVar[float] = REQUEST_SECONDS

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._request_timer: asyncio.TimerHandle | None = None
        # An answer goes out in more than one write; with Nagle's algorithm on, the second
        # waits for the client's delayed acknowledgement (some 40 ms).  asyncio turns it
        # off itself only for sockets it sees as TCP, which a socket handed to a worker
        # process (`--workers`) no longer is.
        connection = transport.get_extra_info("socket")
        if connection is not None and connection.family in (socket.AF_INET, socket.AF_INET6):
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
        self._watch_request()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch_request()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.conn.their_state is not h11.IDLE:  # a pipelined request, partly here
            self._watch_request()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_request_timer()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        """A request the HTTP parser cannot read (two lengths that disagree, a chunk size
        that is no number, no `Host`, a NUL in a header): uvicorn's bare 400, with the
        request id and the security headers of every answer, and a line in the access log
        (it never reaches the application: no route, no audit event, no path to name).
        A body that turns unreadable once its head was handed on to the application (a
        bad chunk) is this line alone too, the edge's replaced: one request, one line,
        one id (the edge's, if it had given one yet)."""
        if self.conn.our_state in _ANSWERED:
            # Answered already (401 before a body that then turned out unreadable was
            # read): the connection is closed; the edge's line says what was answered.
            self.transport.close()
            return
        scope = getattr(getattr(self, "cycle", None), "scope", None)
        note = scope.get(NOTE_KEY) if scope is not None else None
        request_id = note.request_id if note is not None else uuid.uuid4().hex
        if scope is not None:  # handed on: the edge writes no line of its own for it
            scope[ANSWERED_UNREADABLE_KEY] = request_id
        headers = [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"connection", b"close"),
            (b"x-request-id", request_id.encode()),
            (b"cache-control", b"no-store"),
            *SECURITY_HEADERS,
        ]
        answer = h11.Response(status_code=400, headers=headers, reason=b"Bad Request")
        self.transport.write(self.conn.send(answer))
        self.transport.write(self.conn.send(h11.Data(data=msg.encode("ascii"))))
        self.transport.write(self.conn.send(h11.EndOfMessage()))
        self.transport.close()
        client = redact(str(self.client[0])) if self.client else "-"
        access_log.info("%s - (unreadable) 400 0.0ms %s", client, request_id)

    def _watch_request(self) -> None:
        if self.conn.their_state in _REQUEST_WHOLE or self.transport.is_closing():
            self._stop_request_timer()
        elif self._request_timer is None:
            self._request_timer = self.loop.call_later(self.request_seconds, self._too_slow)

    def _stop_request_timer(self) -> None:
        if self._request_timer is not None:
            self._request_timer.cancel()
            self._request_timer = None

    def _too_slow(self) -> None:
        self._request_timer = None
        if self.conn.their_state not in _REQUEST_WHOLE and not self.transport.is_closing():
            self.transport.close()

# ruff: noqa: F811  (the `edge` fixture, imported from test_edge, is the tests' argument)
"""How the edge reads a request's framing, over a real socket: a target in absolute form,
a length told two ways, a `Host` that names no host, a client gone mid-body."""

from __future__ import annotations

import logging
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from api_server import serving
from test_edge import CREDENTIAL, Edge, edge, wait_for_access_lines  # noqa: F401 (a fixture)
from urpaq.entrypoints.http.app import create_app
from urpaq.entrypoints.http.server import TimelyH11Protocol
from urpaq.services.audit import audit_events
from world import ADULT


def exchange(url: str, request: bytes, *, wait: float = 5.0) -> bytes:
    """Send `request` whole and read until the server closes the connection."""
    address = urlsplit(url)
    with socket.create_connection((address.hostname, address.port), timeout=wait) as sock:
        sock.sendall(request)
        answer = b""
        try:
            while part := sock.recv(65536):
                answer += part
        except TimeoutError:
            pass
    return answer


def test_a_length_told_two_ways_is_refused_and_its_connection_closed(edge: Edge) -> None:
    """`Content-Length` and `Transfer-Encoding` both: a proxy believing the first would
    take the bytes after the chunks for this request's body, the server for a request of
    its own (request smuggling).  One 400 answers, and the connection closes: the second
    request is never served."""
    smuggled = b"GET /statistics/smuggled HTTP/1.1\r\nHost: test\r\n\r\n"
    request = (
        b"POST /api/v1/payouts HTTP/1.1\r\nHost: test\r\nContent-Type: application/json"
        b"\r\nContent-Length: " + str(5 + len(smuggled)).encode() + b"\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled
    )
    answer = exchange(edge.url, request)
    assert answer.count(b"HTTP/1.1 ") == 1, answer
    assert answer.startswith(b"HTTP/1.1 400 ") and b"ambiguous_length" in answer
    assert b"connection: close" in answer.lower() and b"x-request-id" in answer.lower()


def test_a_target_in_absolute_form_is_served_and_audited_as_its_path(edge: Edge) -> None:
    """`GET http://host/api/v1/savings/… HTTP/1.1` (RFC 9112, 3.2.2: a server accepts it):
    answered as the path, and the read recorded against the person like any other."""
    address = urlsplit(edge.url)
    request = (
        f"GET http://{address.netloc}/api/v1/savings/{ADULT} HTTP/1.1\r\nHost: elsewhere\r\n"
        f"Authorization: Bearer {CREDENTIAL}\r\nConnection: close\r\n\r\n"
    ).encode()
    answer = exchange(edge.url, request)
    assert answer.startswith(b"HTTP/1.1 200 "), answer
    assert b'"available"' in answer
    read = audit_events(edge.uow, iin=str(ADULT), limit=1)
    assert [(e.action, e.outcome) for e in read] == [("GET /api/v1/savings/{iin}", 200)]


@pytest.mark.parametrize("host", ["evil.example:99999", "[::1", "a b", "", "x@evil.example"])
def test_a_redirect_names_no_address_whatever_the_host(edge: Edge, host: str) -> None:
    """A `Host` that is no host at all: the framework's slash redirect falls back on the
    address the server listens on (behind a proxy, an address no browser should be sent
    to).  It is a path alone, as for any other `Host`."""
    answer = exchange(
        edge.url,
        f"GET /statistics/ HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode(),
    )
    assert answer.startswith(b"HTTP/1.1 307 "), answer
    assert b"\r\nlocation: /statistics\r\n" in answer.lower(), answer


def test_a_payout_whose_client_went_away_mid_body_is_nobodys_answer(
    edge: Edge, caplog: pytest.LogCaptureFixture
) -> None:
    """The client sends half a payout's body and goes: the access log says 499, as for a
    form cut short, and the audit log records no answer that was never given (it said
    422, a refusal of a body nobody had finished sending)."""
    caplog.set_level(logging.INFO, logger="urpaq.access")
    address = urlsplit(edge.url)
    with socket.create_connection((address.hostname, address.port), timeout=5) as sock:
        sock.sendall(
            b"POST /api/v1/payouts HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer " + CREDENTIAL.encode() + b"\r\nIdempotency-Key: gone\r\n"
            b'Content-Length: 200\r\n\r\n{"iin": "06'
        )
        time.sleep(0.3)
    lines = wait_for_access_lines(caplog, 1)
    assert any("POST /api/v1/payouts 499" in line for line in lines), lines
    assert [e.outcome for e in audit_events(edge.uow, limit=10)] == []


@pytest.mark.parametrize(
    "head",
    [
        b"GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        b"POST /lookup HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"GET /healthz HTTP/1.1\r\n\r\n",
    ],
    ids=["two lengths", "no chunk size", "no host"],
)
def test_a_request_the_parser_cannot_read_is_answered_like_any_other(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, head: bytes
) -> None:
    """The HTTP parser's own 400 (`urpaq serve`'s protocol) carried no request id and no
    security headers, and no log line said it was given: it has both now, and its line
    in the access log."""
    caplog.set_level(logging.INFO, logger="urpaq.access")
    url = f"sqlite:///{tmp_path / 'urpaq.db'}"
    with serving(create_app(database_url=url), http=TimelyH11Protocol) as served:
        answer = exchange(served, head)
    assert answer.startswith(b"HTTP/1.1 400 "), answer
    found = dict(
        line.split(b": ", 1) for line in answer.split(b"\r\n\r\n")[0].lower().split(b"\r\n")[1:]
    )
    for header in (b"x-request-id", b"x-content-type-options", b"content-security-policy"):
        assert header in found, answer
    lines = wait_for_access_lines(caplog, 1)
    assert any(found[b"x-request-id"].decode() in line and " 400 " in line for line in lines)


def test_a_target_in_absolute_form_is_split_before_it_is_decoded(edge: Edge) -> None:
    """`%3F` in a whole-URL target is part of the path, as in the origin form: the
    same answer for both (it was taken for a query and dropped, and a malformed IIN
    passed); `http%3A//…` is a path of its own, not a whole URL."""
    address = urlsplit(edge.url)
    answers = [
        exchange(
            edge.url,
            (
                f"GET {prefix}/api/v1/savings/{ADULT}%3Fx HTTP/1.1\r\nHost: t\r\n"
                f"Authorization: Bearer {CREDENTIAL}\r\nConnection: close\r\n\r\n"
            ).encode(),
        ).split(b" ", 2)[1]
        for prefix in ("", f"http://{address.netloc}")
    ]
    assert answers == [b"422", b"422"], answers
    encoded = exchange(edge.url, b"GET http%3A//h/statistics HTTP/1.1\r\nHost: t\r\n\r\n")
    assert encoded.startswith(b"HTTP/1.1 404 "), encoded[:80]

"""The hardened edge, over real HTTP to a real server on loopback (security review
2026-11: D1, D3, D7, D8, D9, D11, D12 and probe 5.10): bodies limited while they are
read, the credential before the body, control characters kept out of logs and
references, no-store and HSTS, per-IIN sign-in limits, stalled connections closed."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api_server import serving
from fakes import FakeServing
from urpaq.adapters.identity import DevelopmentIdentityProvider
from urpaq.bootstrap import UnsupportedIdentityProvider, identity_provider, open_unit_of_work
from urpaq.domain.operators import Purpose
from urpaq.entrypoints.http.app import create_app
from urpaq.entrypoints.http.bodies import REFERENCE_PATTERN
from urpaq.entrypoints.http.context import Clock
from urpaq.entrypoints.http.edge import BODY_BYTES_MAX
from urpaq.entrypoints.http.server import REQUEST_SECONDS, TimelyH11Protocol, uvicorn_options
from urpaq.entrypoints.http.web.rate_limit import client_of, limited_client
from urpaq.entrypoints.http.web.settings import WebSettings
from urpaq.services.audit import audit_events
from urpaq.services.ports.unit_of_work import UnitOfWork
from world import ADULT, add_bank, build_world

NOW = dt.datetime(2026, 11, 20, 6, 0, tzinfo=dt.UTC)
CREDENTIAL = "edge-bank-credential"
SECURITY_HEADERS = ("content-security-policy", "referrer-policy", "x-content-type-options",
                    "x-frame-options", "x-request-id")  # fmt: skip


class CountingReceive:
    """ASGI wrapper that counts the body bytes the application has taken from the server."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.received = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def counted() -> Message:
            message = await receive()
            self.received += len(message.get("body", b""))
            return message

        await self.app(scope, counted, send)


@dataclass
class Edge:
    url: str
    uow: UnitOfWork
    counter: CountingReceive

    def client(self, credential: str | None = CREDENTIAL) -> httpx.Client:
        headers = {"Authorization": f"Bearer {credential}"} if credential else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


@pytest.fixture
def edge(tmp_path: Path) -> Iterator[Edge]:
    path = tmp_path / "urpaq.db"
    uow = open_unit_of_work(f"sqlite:///{path}")
    uow.schema.initialise()
    build_world(uow, tmp_path)
    add_bank(uow, name="Edge Bank", purposes=frozenset(Purpose), credential=CREDENTIAL)
    counter = CountingReceive(
        create_app(database_url=f"sqlite:///{path}", clock=Clock(lambda: NOW))
    )
    with serving(counter) as url:
        yield Edge(url, uow, counter)
    uow.close()


def chunked_post(
    url: str, path: str, *, total: int, headers: dict[str, str],
    content_type: str = "application/json",
) -> tuple[int, bytes]:  # fmt: skip
    """POST `total` bytes of a JSON string to `path` in 64 KiB chunks (no Content-Length),
    stopping as soon as the server answers or stops reading; the status and the answer's
    head and start."""
    address = urlsplit(url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        head = f"POST {path} HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        head += f"Content-Type: {content_type}\r\n\r\n"
        sock.sendall(head.encode())
        chunk = b'{"pad": "' + b"x" * (64 * 1024 - 9)
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        sock.settimeout(2)
        sent = 0
        while sent < total and not select.select([sock], [], [], 0)[0]:
            try:
                sock.sendall(frame)
            except OSError:  # the server stopped reading, or closed
                break
            sent += len(chunk)
        sock.settimeout(10)
        answer = b""
        while not _whole(answer):
            part = sock.recv(65536)
            if not part:
                break
            answer += part
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0
    return status, answer


def _whole(answer: bytes) -> bool:
    """Whether `answer` holds an HTTP answer's head and its Content-Length of body."""
    head, found, body = answer.partition(b"\r\n\r\n")
    if not found:
        return False
    for line in head.lower().split(b"\r\n"):
        if line.startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return True


# --- 1. bodies limited while read; the credential before the body (D1) ----------------------


def test_an_unauthenticated_chunked_body_is_answered_401_unread(edge: Edge) -> None:
    """64 MB sent chunked without a credential: 401, and the application never took a
    byte of it."""
    status, answer = chunked_post(
        edge.url, "/api/v1/payouts", total=64 * 1024 * 1024, headers={"Idempotency-Key": "k"}
    )
    assert status == 401, answer[:300]
    assert edge.counter.received == 0


def test_an_authenticated_chunked_body_is_cut_off_past_the_limit(edge: Edge) -> None:
    """With a credential, a chunked body is read only until it passes 64 KiB: 413."""
    status, answer = chunked_post(
        edge.url, "/api/v1/payouts", total=64 * 1024 * 1024,
        headers={"Idempotency-Key": "k", "Authorization": f"Bearer {CREDENTIAL}"},
    )  # fmt: skip
    assert status == 413, answer[:300]
    assert b"body_too_large" in answer
    assert edge.counter.received <= 4 * BODY_BYTES_MAX


def test_a_chunked_form_past_the_limit_is_refused(edge: Edge) -> None:
    """The pages' forms are limited the same way."""
    status, answer = chunked_post(
        edge.url, "/lookup", total=2 * 1024 * 1024, headers={},
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert status == 413
    assert edge.counter.received <= 4 * BODY_BYTES_MAX
    assert b"What was sent is too large." in answer  # a page, as for a length said


def test_a_small_chunked_body_is_still_read(edge: Edge) -> None:
    def body() -> Iterator[bytes]:
        yield b'{"documents": '
        yield b'["contract 1"]}'

    with edge.client() as client:
        answer = client.post(
            "/api/v1/payouts/" + "0" * 32 + "/confirmation",
            content=body(),
            headers={"Idempotency-Key": "small", "Content-Type": "application/json"},
        )  # fmt: skip
    assert (answer.status_code, answer.json()["error"]) == (404, "unknown_payout")


# --- 5. a 413 is logged and carries the security headers (D8, D9) ----------------------------


def wait_for_access_lines(caplog: pytest.LogCaptureFixture, count: int) -> list[str]:
    """The access log's lines, once `count` are there (each is written after its answer)."""
    deadline = time.monotonic() + 5
    while True:
        lines = [r.getMessage() for r in caplog.records if r.name == "urpaq.access"]
        if len(lines) >= count or time.monotonic() > deadline:
            return lines
        time.sleep(0.01)


@pytest.mark.parametrize("chunked", [False, True])
def test_a_413_is_logged_and_carries_the_security_headers(
    edge: Edge, caplog: pytest.LogCaptureFixture, chunked: bool
) -> None:
    caplog.set_level(logging.INFO, logger="urpaq.access")
    big = b"x" * (BODY_BYTES_MAX + 1)
    content = iter([big]) if chunked else big
    with edge.client() as client:
        answer = client.post("/api/v1/payouts", content=content, headers={"Idempotency-Key": "b"})
    assert (answer.status_code, answer.json()["error"]) == (413, "body_too_large")
    for header in SECURITY_HEADERS:
        assert header in answer.headers, header
    lines = wait_for_access_lines(caplog, 1)
    assert any("POST /api/v1/payouts 413" in line for line in lines), lines
    events = audit_events(edge.uow, limit=1)
    assert (events[0].action, events[0].outcome) == ("POST /api/v1/payouts", 413)


def test_a_body_unreadable_once_handed_on_is_one_line_under_one_id(tmp_path: Path) -> None:
    """A valid head, then a chunk size that is no number: answered 400 by the server, which
    logged `(unreadable)` under an id of its own while the edge logged the same request
    499 (a client gone, which it was not) under another."""
    with urpaq_serve(tmp_path) as served:
        address = urlsplit(served.url)
        with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
            sock.sendall(
                b"POST /lookup HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n\r\nzz\r\n\r\n"
            )
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        # Answered (401) before its body was read, which then turns out unreadable: the
        # server tried to answer a second time and logged a traceback.
        with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
            sock.sendall(b"POST /api/v1/payouts HTTP/1.1\r\nHost: t\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n")  # fmt: skip
            early = sock.recv(65536)
            sock.sendall(b"zz\r\n\r\n")
            while sock.recv(65536):
                pass
        time.sleep(0.5)  # the edge's line, were there one, is written as its request ends
    assert answer.startswith(b"HTTP/1.1 400 ")
    request_id = answer.split(b"x-request-id: ")[1].split(b"\r\n")[0].decode()
    lines = [
        line for line in served.log.splitlines() if "/lookup" in line or "(unreadable)" in line
    ]
    assert len(lines) == 1 and "(unreadable) 400" in lines[0] and request_id in lines[0], lines
    assert early.startswith(b"HTTP/1.1 401 ") and "Traceback" not in served.log, served.log
    assert "POST /api/v1/payouts 401" in served.log  # what it was answered, logged once


def test_an_answer_replaced_for_want_of_its_audit_event_is_logged_as_sent(
    edge: Edge, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The audit log refuses the event of a read: the client gets 500, and the access log
    says 500, not the 200 the route had made."""
    with edge.client() as client:  # the serving file and its tables are made on first use
        assert client.get(f"/api/v1/savings/{ADULT}").status_code == 200
    caplog.set_level(logging.INFO, logger="urpaq.access")
    serving_file = sqlite3.connect(tmp_path / "urpaq-serving.db")
    serving_file.execute(
        "CREATE TRIGGER audit_refuses_200 BEFORE INSERT ON audit_event WHEN NEW.outcome = 200"
        " BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END"
    )
    serving_file.commit()
    serving_file.close()
    with edge.client() as client:
        answer = client.get(f"/api/v1/savings/{ADULT}")
    assert answer.status_code == 500
    request_id = answer.headers["x-request-id"]
    deadline = time.monotonic() + 10
    while not (mine := [line for line in wait_for_access_lines(caplog, 1) if request_id in line]):
        assert time.monotonic() < deadline, "no access-log line for the request"
        time.sleep(0.01)
    assert "GET /api/v1/savings/************ 500 " in mine[0], mine


def test_a_full_disk_under_the_serving_file_is_named_in_the_error_log(
    edge: Edge, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the storage fails a request (here the serving file's pages capped at what it
    has, as on a full disk), the error log says so in the database's words beside the
    error's class, and the client gets a bare 500."""
    from urpaq.adapters.sqlite import connection

    opened = connection.connect

    def capped(path: str, **options: object) -> sqlite3.Connection:
        db = opened(path, **options)  # type: ignore[arg-type]
        if path.endswith("-serving.db"):
            pages = db.execute("PRAGMA page_count").fetchone()[0]
            db.execute(f"PRAGMA max_page_count = {pages}")
        return db

    monkeypatch.setattr(connection, "connect", capped)
    caplog.set_level(logging.ERROR, logger="urpaq.error")
    with edge.client() as client:
        answer = client.get(f"/api/v1/savings/{ADULT}")
        # It said `ready` while every audited request answered 500: a load balancer kept
        # sending them.
        failing = client.get("/readyz")
    assert answer.status_code == 500
    assert (failing.status_code, failing.json()["error"]) == (503, "storage_failing")
    assert "database or disk is full" in failing.json()["message"]
    assert failing.headers["retry-after"] == "10"
    logged = [record.getMessage() for record in caplog.records if record.name == "urpaq.error"]
    assert any("OperationalError (database or disk is full)" in line for line in logged), logged
    assert not any(str(ADULT) in line for line in logged)
    assert not any("Traceback" in line or 'File "' in line for line in logged), logged


def test_a_redirect_to_the_sites_own_address_names_no_host(edge: Edge) -> None:
    """The framework's redirect of a path with a slash too many was built from the
    request's `Host`: `Host: evil.example` made it send browsers (and any cache keeping
    it) to evil.example.  It is a path alone, its query kept; a redirect elsewhere (the
    identity provider's) is left as it is."""
    with edge.client() as client:
        answer = client.get(
            "/statistics/?year=2023", headers={"Host": "evil.example"}, follow_redirects=False
        )
    assert answer.status_code == 307
    assert answer.headers["location"] == "/statistics?year=2023"


# --- 6. malformed JSON (D11) -----------------------------------------------------------------


def test_malformed_json_without_a_credential_is_401(edge: Edge) -> None:
    with edge.client(None) as client:
        answer = client.post(
            "/api/v1/payouts", content=b"{bad",
            headers={"Idempotency-Key": "k", "Content-Type": "application/json"},
        )  # fmt: skip
    assert (answer.status_code, answer.json()["error"]) == (401, "unauthenticated")


def test_malformed_json_names_the_body_as_the_field(edge: Edge) -> None:
    with edge.client() as client:
        answers = [
            client.post(
                "/api/v1/payouts", content=content,
                headers={"Idempotency-Key": "k", "Content-Type": "application/json"},
            )
            for content in (b"{bad", b'{"iin": "1"} trailing')
        ]  # fmt: skip
    for answer in answers:
        assert answer.status_code == 422
        assert [problem["field"] for problem in answer.json()["fields"]] == ["body"]


def test_an_unauthenticated_request_is_still_audited(edge: Edge) -> None:
    with edge.client("wrong") as client:
        answer = client.post("/api/v1/payouts", json={"iin": str(ADULT)},
                             headers={"Idempotency-Key": "k"})  # fmt: skip
    assert answer.status_code == 401
    events = audit_events(edge.uow, limit=1)
    assert (events[0].actor, events[0].outcome) == ("unauthenticated", 401)


def test_an_unauthenticated_read_about_a_person_is_recorded_against_them(edge: Edge) -> None:
    """Someone probing balances without a valid credential shows in the audit log of each
    person asked about (`urpaq audit --iin`); a path that holds no valid IIN names nobody."""
    with edge.client("wrong") as client, edge.client(None) as stranger:
        assert client.get(f"/api/v1/savings/{ADULT}").status_code == 401
        assert stranger.get("/api/v1/savings/123456789012").status_code == 401
    about = audit_events(edge.uow, iin=str(ADULT), limit=5)
    assert [(e.actor, e.action, e.outcome) for e in about] == [
        ("unauthenticated", "GET /api/v1/savings/{iin}", 401)
    ]
    assert audit_events(edge.uow, limit=1)[0].iin is None


# --- 7. no-store on the API, HSTS over TLS (D12) ---------------------------------------------


def test_every_api_answer_is_no_store(edge: Edge) -> None:
    """Savings, payouts, heirs' payouts, refusals and errors: no cache keeps any of them."""
    heir = {"iin": str(ADULT), "amount": "1.00", "currency": "USD",
            "notary_certificate": "N-1", "account": "KZ1"}  # fmt: skip
    with edge.client() as client, edge.client(None) as stranger:
        paid = client.post("/api/v1/payouts", headers={"Idempotency-Key": "p"}, json={
            "iin": str(ADULT), "amount": "1.00", "currency": "USD", "purpose": "education",
            "sub_purpose": "tuition_period", "account": "KZ1"})  # fmt: skip
        answers = [
            client.get(f"/api/v1/savings/{ADULT}"),
            paid,
            client.get(f"/api/v1/payouts/{paid.json()['payout_id']}"),
            client.post("/api/v1/heir-payouts", json=heir, headers={"Idempotency-Key": "h"}),
            client.get("/api/v1/savings/1"),
            client.get("/api/v1/nowhere"),
            client.post("/api/v1/payouts", content=b"x" * (BODY_BYTES_MAX + 1)),
            stranger.get(f"/api/v1/savings/{ADULT}"),
        ]
    assert [a.status_code for a in answers] == [200, 201, 200, 403, 422, 404, 413, 401]
    for answer in answers:
        assert answer.headers.get("cache-control") == "no-store", answer.request.url


def test_head_is_answered_as_get_without_a_body_and_audited_as_head(edge: Edge) -> None:
    """Every address answered `405` to `HEAD`, `/healthz` too, which load balancers and
    monitors ask with it (RFC 9110: what answers GET answers HEAD). Now the status and
    headers of the `GET`, no body; an API read is recorded as `HEAD`, a pipelined request
    after it is read whole."""
    with edge.client() as client:
        for path in ("/", "/healthz", "/readyz", "/lookup?lang=ru", "/statistics",
                     f"/api/v1/savings/{ADULT}", "/nowhere"):  # fmt: skip
            got, head = client.get(path), client.head(path)
            assert (head.status_code, head.content) == (got.status_code, b""), path
            assert head.headers["content-length"] == str(len(got.content)), path
            assert head.headers["x-content-type-options"] == "nosniff", path
    events = audit_events(edge.uow, iin=str(ADULT), limit=5)
    assert [e.action for e in events[:2]] == [
        "HEAD /api/v1/savings/{iin}", "GET /api/v1/savings/{iin}",
    ]  # fmt: skip
    address = urlsplit(edge.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        head, get = b"HEAD / HTTP/1.1\r\nHost: t\r\n\r\n", b"GET /healthz HTTP/1.1\r\nHost: t\r\n"
        sock.sendall(head + get + b"Connection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.count(b"HTTP/1.1 200 OK") == 2 and answer.endswith(b'{"status":"ok"}')
    assert b"<html" not in answer


def test_hsts_only_when_served_over_https(edge: Edge) -> None:
    """The test server trusts loopback's X-Forwarded-Proto, as a named proxy is trusted."""
    with edge.client(None) as client:
        plain = client.get("/healthz")
        secure = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
        page = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "strict-transport-security" not in plain.headers
    assert secure.headers["strict-transport-security"] == "max-age=31536000"
    assert page.headers["strict-transport-security"] == "max-age=31536000"


# --- 7b. forms sent from another site's page refused (D12) ---------------------------------


@pytest.mark.parametrize(
    ("path", "sent_from"),
    [
        ("/sign-out", {"Sec-Fetch-Site": "cross-site"}),
        ("/sign-in/code", {"Origin": "https://evil.example"}),
        ("/lookup", {"Sec-Fetch-Site": "same-site"}),
        ("/lookup", {"Origin": "https://evil.example", "Referer": "https://evil.example/"}),
        ("/office/sign-in", {"Origin": "null"}),
    ],
)
def test_a_form_sent_from_another_sites_page_is_refused(
    edge: Edge, path: str, sent_from: dict[str, str]
) -> None:
    """A page of another site cannot make a visitor's browser sign out, send a code, look
    up an IIN or act in the back office: 403 before any route, with the headers of every
    answer; a refused lookup is recorded like any other."""
    with edge.client(None) as client:
        answer = client.post(path, data={"iin": str(ADULT)}, headers=sent_from)
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"].startswith("text/html")  # a page, for a browser
    assert "The form was sent from another site." in answer.text
    assert "content-security-policy" in answer.headers
    if path == "/lookup":
        event = audit_events(edge.uow, limit=1)[0]
        assert (event.action, event.outcome) == ("POST /lookup", 403)


def test_forms_of_the_sites_own_pages_and_other_clients_pass(edge: Edge) -> None:
    """Sent from the site's own page (as the browser says, or as its Origin names the
    host), typed in, or by a program that is no browser: answered; and so is a read, or
    an API call with its credential, whatever page it came from."""
    host = urlsplit(edge.url).netloc
    own = [{"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"},
           {"Origin": f"http://{host}"}, {}]  # fmt: skip
    with edge.client(None) as client:
        statuses = [client.post("/lookup", data={"iin": str(ADULT)}, headers=h).status_code
                    for h in own]  # fmt: skip
        read = client.get("/lookup", headers={"Sec-Fetch-Site": "cross-site"})
    with edge.client() as bank:
        paid = bank.post("/api/v1/payouts", json={
            "iin": str(ADULT), "amount": "1.00", "currency": "USD", "purpose": "education",
            "sub_purpose": "tuition_period", "account": "KZ1"},
            headers={"Idempotency-Key": "x", "Sec-Fetch-Site": "cross-site"})  # fmt: skip
    assert statuses == [200, 200, 200, 200]
    assert (read.status_code, paid.status_code) == (200, 201)


# --- 4. control characters: escaped in logs, refused in references (D7, D12) -----------------

FORGED = "/x%0a2026-11-26%2001:10:00,000%20urpaq.access%20203.0.113.7%20POST%20/api/v1/payouts"


@pytest.mark.parametrize(
    ("path", "escaped"),
    [
        # (its date, digits grouped as an IIN may be, masked as one)
        (FORGED, "/x\\x0a*************:10:00,000 urpaq.access"),
        ("/api/v1/savings/%00", "/api/v1/savings/\\x00"),
        ("/api/v1/nowhere%E2%80%AE%0D%1B[31m", "/api/v1/nowhere\\u202e\\x0d\\x1b[31m"),
        ("/lookup%C2%85%5C", "/lookup\\x85\\\\"),
    ],
)
def test_control_characters_in_a_path_are_escaped_in_the_log(
    edge: Edge, caplog: pytest.LogCaptureFixture, path: str, escaped: str
) -> None:
    """No forged log line, no raw NUL, no terminal escape, no bidi override: one line per
    request, the path's controls written as escapes; the audit log likewise."""
    caplog.set_level(logging.INFO, logger="urpaq")
    with edge.client() as client:
        client.get(path)
    lines = wait_for_access_lines(caplog, 1)
    assert len(lines) == 1 and escaped in lines[0], lines
    for line in [r.getMessage() for r in caplog.records]:
        assert line.isprintable(), repr(line)
    if path.startswith("/api/"):
        action = audit_events(edge.uow, limit=1)[0].action
        assert action.isprintable(), repr(action)


def test_a_server_log_line_begins_with_its_moment_in_utc_whatever_the_time_zone() -> None:
    """Under `TZ=America/New_York` the log said `2026-11-27 18:46:21,639`, a third clock
    beside the audit log's UTC and the office's UTC+5, unmarked."""
    script = (
        "import logging, time\n"
        "from urpaq.entrypoints.http.server import configure_logging\n"
        "configure_logging()\n"
        "logging.getLogger('urpaq.access').info('GET / 200')\n"
        "print(time.strftime('%Y-%m-%dT%H', time.gmtime()))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
        env={**os.environ, "TZ": "America/New_York"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    line = done.stderr.strip()
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[\d+\] urpaq\.access GET / 200", line
    )
    assert line[:13] == done.stdout.strip()  # the hour is UTC's (read just after)


def test_a_path_no_route_answers_is_not_kept_in_the_audit_log(edge: Edge) -> None:
    """Anyone may write a name or a birth date into a path: the audit log, kept for
    years, keeps only the audited beginning of a path no route answers."""
    with edge.client() as client:
        client.get("/lookup/Ivanov Ivan born 2006-01-02")
        client.get("/api/v1/people/Ivanov")
        client.get("/sign-inIvanov/2006")
    actions = [event.action for event in audit_events(edge.uow, limit=3)]
    assert actions == [
        "GET /sign-in… (no route)",
        "GET /api/… (no route)",
        "GET /lookup/… (no route)",
    ]


def test_a_session_cookie_is_ended_with_the_flags_it_was_set_with(edge: Edge) -> None:
    """Signing out sent `urpaq_session=""; Max-Age=0; Path=/; SameSite=lax`: neither
    `HttpOnly` nor the `Strict` it was set with."""
    with edge.client(None) as client:
        client.cookies.set("urpaq_session", "x")
        out = client.post("/sign-out")
    assert out.status_code == 303
    ended = out.headers["set-cookie"]
    assert ended.startswith("urpaq_session=") and "HttpOnly" in ended
    assert "samesite=strict" in ended.lower()


def test_an_api_request_no_route_takes_names_the_operator_whose_credential_it_carries(
    edge: Edge,
) -> None:
    """A bank's request to an unknown API address, or with a method its address does not
    take, was recorded as `unauthenticated` with a credential found valid."""
    with edge.client() as client:
        assert client.get("/api/v1/nothing").status_code == 404
        assert client.delete(f"/api/v1/savings/{ADULT}").status_code == 405
    with edge.client("not-a-credential") as client:
        assert client.get("/api/v1/nothing").status_code == 404
    events = [(e.actor, e.outcome) for e in audit_events(edge.uow, limit=3)]
    assert events == [("unauthenticated", 404), ("operator:Edge Bank", 405),
                      ("operator:Edge Bank", 404)]  # fmt: skip


@pytest.mark.parametrize(
    ("address", "counted_as"),
    [
        ("198.51.100.7", "198.51.100.7"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("64:ff9b::198.51.100.7", "198.51.100.7"),
        ("64:ff9b::198.51.100.8", "198.51.100.8"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("testclient", "testclient"),
    ],
)
def test_a_limit_per_client_counts_an_ipv6_network_and_an_ipv4_address_once(
    address: str, counted_as: str
) -> None:
    """Every address of one IPv6 /64 (one subscriber's) is one client to the limits, and
    an IPv4 address is the same client however it is written."""
    request = Request({"type": "http", "client": (address, 4321), "headers": []})
    assert limited_client(request) == counted_as
    assert client_of(request) == address  # the audit log keeps the address itself


@pytest.mark.parametrize(
    ("forwarded", "client"),
    [
        (f"{ADULT} admin\x1b[2J", "127.0.0.1"),
        ("unknown", "127.0.0.1"),
        ("proxy.example", "127.0.0.1"),
        ("198.51.100.7, not an address", "127.0.0.1"),
        ("198.51.100.7", "198.51.100.7"),
        ("not an address, 2001:db8::7", "2001:db8::7"),
        ("198.51.100.7:4431", "198.51.100.7"),
    ],
)
def test_a_named_proxy_is_believed_only_where_it_names_an_address(
    edge: Edge, caplog: pytest.LogCaptureFixture, forwarded: str, client: str
) -> None:
    """The test server believes loopback's X-Forwarded-For, as a named proxy is
    believed; an entry that is no address (an IIN and control characters, `unknown`, a
    host name) leaves the client as the proxy: it never becomes whom the log names."""
    caplog.set_level(logging.INFO, logger="urpaq.access")
    with edge.client(None) as http:
        http.get("/healthz", headers={"X-Forwarded-For": forwarded})
    lines = wait_for_access_lines(caplog, 1)
    assert lines[0].startswith(f"{client} GET /healthz 200"), lines
    assert str(ADULT) not in lines[0]


BAD_REFERENCES = [
    "a\x7fb", "a\x85b", "a\u202eb", "a\u2066b", "a\u200bb", "a\ufeffb", "a\nb",
    # format characters, private use, tags, invisible fillers; nothing visible at all
    "\u00ad", "a\u180eb", "a\u206ab", "a\ufff9b", "a\U000e0001b", "a\ue000b", "\u3164",
    "a\u034fb", "a\u17b4b", "a\u180bb", "a\ufe0fb", "a\U000e0101b", "   ", "\u0301",
]  # fmt: skip


@pytest.mark.parametrize("reference", BAD_REFERENCES)
def test_control_characters_are_refused_in_references(edge: Edge, reference: str) -> None:
    """DEL, C0 and C1 controls, bidirectional or invisible formatting characters, private
    use, and references with nothing visible in them: 422 naming the field, in documents,
    the notary's certificate, the notary and the account."""
    heir = {"iin": str(ADULT), "amount": "1.00", "currency": "USD",
            "notary_certificate": "N-1", "account": "KZ1"}  # fmt: skip
    payout = {"iin": str(ADULT), "amount": "1.00", "currency": "USD", "purpose": "education",
              "sub_purpose": "tuition_period", "account": "KZ1"}  # fmt: skip
    with edge.client() as client:
        answers = {
            "documents.0": client.post(
                "/api/v1/payouts/" + "0" * 32 + "/confirmation",
                json={"documents": [reference]}, headers={"Idempotency-Key": "d"},
            ),
            "notary_certificate": client.post(
                "/api/v1/heir-payouts", json={**heir, "notary_certificate": reference},
                headers={"Idempotency-Key": "n"},
            ),
            "notary": client.post(
                "/api/v1/heir-payouts", json={**heir, "notary": reference},
                headers={"Idempotency-Key": "o"},
            ),
            "account": client.post(
                "/api/v1/payouts", json={**payout, "account": "KZ1" + reference},
                headers={"Idempotency-Key": "a"},
            ),
        }  # fmt: skip
    for field, answer in answers.items():
        assert answer.status_code == 422, (field, answer.text)
        assert [problem["field"] for problem in answer.json()["fields"]] == [field]


def test_the_openapi_pattern_of_a_reference_refuses_what_the_server_refuses() -> None:
    """The OpenAPI document's pattern for documents and certificates let through a soft
    hyphen, a filler, a variation selector and private use, which the server refuses: a
    bank checking its requests against the document sent them."""
    pattern = re.compile(REFERENCE_PATTERN)
    expressible = [r for r in BAD_REFERENCES if r.strip() and max(map(ord, r)) < 0x10000]
    assert [r for r in expressible if r != "\u0301" and pattern.match(r)] == []
    assert pattern.match("N-1/2025 Нотариус Әлия") and pattern.match("№ 12")


@pytest.mark.parametrize(
    ("reference", "named"),
    [("N-1\u00ad", "U+00AD (SOFT HYPHEN)"), ("N-1\n", "U+000A (a control)"),
     ("N\u202e-1", "U+202E (RIGHT-TO-LEFT OVERRIDE)")],
)  # fmt: skip
def test_an_invisible_character_in_a_reference_is_named(
    edge: Edge, reference: str, named: str
) -> None:
    heir = {"iin": str(ADULT), "amount": "1.00", "currency": "USD",
            "notary_certificate": reference, "account": "KZ1"}  # fmt: skip
    with edge.client() as client:
        answer = client.post("/api/v1/heir-payouts", json=heir, headers={"Idempotency-Key": "i"})
    assert answer.status_code == 422
    [problem] = answer.json()["fields"]
    assert problem["field"] == "notary_certificate"
    assert named in problem["problem"]


def test_ordinary_references_are_accepted(edge: Edge) -> None:
    with edge.client() as client:
        answer = client.post(
            "/api/v1/payouts/" + "0" * 32 + "/confirmation",
            json={"documents": ["Шарт №17/2026 (contract)", "invoice 4411-A"]},
            headers={"Idempotency-Key": "ok"},
        )
    assert (answer.status_code, answer.json()["error"]) == (404, "unknown_payout")


# --- 8. stalled connections closed (probe 5.10) ------------------------------------------------


class QuickProtocol(TimelyH11Protocol):
    """The server's protocol with a short deadline, so that a test need not wait long."""

    request_seconds = 1.0


def open_stalled(url: str, payload: bytes) -> socket.socket:
    address = urlsplit(url)
    sock = socket.create_connection((address.hostname, address.port), timeout=10)
    sock.sendall(payload)
    return sock


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closes `sock` (without answering) within `seconds`."""
    sock.settimeout(seconds)
    try:
        return sock.recv(1024) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    finally:
        sock.close()


STALLED_UPLOAD = (
    b"POST /lookup HTTP/1.1\r\nHost: test\r\nContent-Length: 1000\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\n\r\niin=0601"
)


def test_stalled_requests_are_closed_and_whole_ones_answered(tmp_path: Path) -> None:
    """300 stalled uploads, an unfinished head and a silent connection are all closed
    after the deadline; a request that arrives whole is answered, twice on one kept-alive
    connection."""
    path = tmp_path / "urpaq.db"
    uow = open_unit_of_work(f"sqlite:///{path}")
    uow.schema.initialise()
    uow.close()
    app = create_app(database_url=f"sqlite:///{path}")
    with serving(app, http=QuickProtocol) as url:
        stalled = [open_stalled(url, STALLED_UPLOAD) for _ in range(300)]
        stalled += [open_stalled(url, b"GET / HTTP/1.1\r\nHo"), open_stalled(url, b"")]
        with httpx.Client(base_url=url) as client:
            first = client.get("/healthz")
            time.sleep(0.5)
            again = client.get("/healthz")
        started = time.monotonic()
        assert all(closed_within(sock, 5) for sock in stalled)
        assert time.monotonic() - started < 6
    assert (first.status_code, again.status_code) == (200, 200)


def test_urpaq_serve_runs_uvicorn_with_the_hardened_options() -> None:
    options = uvicorn_options(host="127.0.0.1", port=8000)
    assert options["http"] is TimelyH11Protocol
    assert options["proxy_headers"] is False
    assert options["timeout_keep_alive"] == 5
    assert options["timeout_worker_healthcheck"] == 30
    assert options["access_log"] is False


# --- urpaq serve: proxies (D3), TLS, stalled connections, workers ------------------------------


@dataclass
class Served:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def log(self) -> str:
        """What the server has written to stderr so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextmanager
def urpaq_serve(
    tmp_path: Path, *options: str, environment: dict[str, str] | None = None
) -> Iterator[Served]:
    """`urpaq serve OPTIONS` on a fresh database and a free port, until SIGINT, which
    must stop it cleanly; its stderr goes to a file, readable while it runs."""
    database = f"sqlite:///{tmp_path}/served.db"
    urpaq = [sys.executable, "-m", "urpaq"]
    subprocess.run([*urpaq, "init", "--db", database], check=True, capture_output=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*urpaq, "serve", "--db", database, "--port", str(port), *options],
            stderr=log, env={**os.environ, "PYTHONUNBUFFERED": "1", **(environment or {})},
        )  # fmt: skip
    served = Served(f"http://127.0.0.1:{port}", process, log_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{served.url}/healthz", timeout=5)
                break
            except httpx.TransportError:
                assert process.poll() is None, served.log
                assert time.monotonic() < deadline, "urpaq serve did not start"
                time.sleep(0.2)
        yield served
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    assert process.returncode == 0, served.log


def lookups(url: str, forwarded_for: list[str]) -> list[int]:
    with httpx.Client(base_url=url) as client:
        return [
            client.post("/lookup", data={"iin": str(ADULT)},
                        headers={"X-Forwarded-For": address}).status_code
            for address in forwarded_for
        ]  # fmt: skip


def test_forwarded_headers_are_ignored_unless_the_proxy_is_named(tmp_path: Path) -> None:
    """By default the client is the connection's peer, whatever X-Forwarded-For says, and
    X-Forwarded-Proto makes no https; a silent connection is closed after 10 s."""
    with urpaq_serve(tmp_path, "--lookup-limit", "1", "--lookup-floor", "0") as served:
        silent = open_stalled(served.url, b"")
        started = time.monotonic()
        statuses = lookups(served.url, ["198.51.100.1", "198.51.100.2"])
        proto = httpx.get(f"{served.url}/healthz", headers={"X-Forwarded-Proto": "https"})
        assert closed_within(silent, REQUEST_SECONDS + 5)
        assert time.monotonic() - started >= REQUEST_SECONDS - 1
    assert statuses == [200, 429]
    assert "strict-transport-security" not in proto.headers
    assert "127.0.0.1 POST /lookup 429" in served.log
    assert "198.51.100" not in served.log


def test_a_named_proxy_is_believed_and_limits_follow_the_real_client(tmp_path: Path) -> None:
    options = ("--lookup-limit", "1", "--lookup-floor", "0", "--forwarded-allow-ips", "127.0.0.1")
    with urpaq_serve(tmp_path, *options) as served:
        statuses = lookups(served.url, ["198.51.100.1", "198.51.100.2", "198.51.100.1"])
        proto = httpx.get(f"{served.url}/healthz", headers={"X-Forwarded-Proto": "https"})
    assert statuses == [200, 200, 429]
    assert proto.headers["strict-transport-security"] == "max-age=31536000"
    assert "198.51.100.1 POST /lookup 429" in served.log


def test_a_named_proxy_passing_on_no_address_leaves_its_own_as_the_client(
    tmp_path: Path,
) -> None:
    """Entries that are no address all count as the proxy's own: one bucket, then 429;
    the proxy's networks may be named as networks."""
    options = ("--lookup-limit", "1", "--lookup-floor", "0",
               "--forwarded-allow-ips", "10.0.0.0/8, 127.0.0.0/8")  # fmt: skip
    with urpaq_serve(tmp_path, *options) as served:
        statuses = lookups(served.url, ["unknown", f"{ADULT} admin", "198.51.100.1"])
    assert statuses == [200, 429, 200]
    assert "127.0.0.1 POST /lookup 429" in served.log
    assert "unknown" not in served.log and "admin" not in served.log


@pytest.mark.parametrize("listed", ["10.0.0.0/33", "proxy.example", "127.0.0.1,10.0.0.300"])
def test_a_proxy_that_is_no_address_or_network_is_refused(tmp_path: Path, listed: str) -> None:
    database = f"sqlite:///{tmp_path}/served.db"
    urpaq = [sys.executable, "-m", "urpaq"]
    subprocess.run([*urpaq, "init", "--db", database], check=True, capture_output=True)
    refused = subprocess.run(
        [*urpaq, "serve", "--db", database, "--forwarded-allow-ips", listed],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert refused.returncode == 3, refused.stderr
    wrong = listed.split(",")[-1]
    assert f"--forwarded-allow-ips: '{wrong}' is not an address or a network" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_urpaq_serve_workers_runs_that_many_processes_on_one_port(tmp_path: Path) -> None:
    """`--workers 2`: both processes answer (each access-log line names its process)."""

    def answering(served: Served) -> set[str]:
        return set(re.findall(r"\[(\d+)\] urpaq\.access 127\.0\.0\.1 GET /healthz 200", served.log))

    with urpaq_serve(tmp_path, "--workers", "2") as served:
        deadline = time.monotonic() + 30
        with ThreadPoolExecutor(max_workers=16) as pool:
            while len(answering(served)) < 2 and time.monotonic() < deadline:
                statuses = pool.map(
                    lambda _: httpx.get(f"{served.url}/healthz", timeout=10).status_code,
                    range(32),
                )
                assert set(statuses) == {200}
                time.sleep(0.2)
        pids = answering(served)
    assert len(pids) == 2, served.log
    assert str(served.process.pid) not in pids


def test_server_processes_slow_to_start_on_a_busy_machine_are_not_killed(
    tmp_path: Path,
) -> None:
    """A new server process on two loaded cores took over 5 s to import what it runs
    before it could answer its supervisor, which then killed it and started another,
    killed in turn: a minute of "Child process died" before one lived.  Here each new
    process spends 7 s starting (a `sitecustomize` that sleeps in processes the
    supervisor spawns): both live and answer."""
    slow = tmp_path / "slow"
    slow.mkdir()
    (slow / "sitecustomize.py").write_text(
        "import sys, time\nif '--multiprocessing-fork' in sys.argv:\n    time.sleep(7)\n",
        encoding="utf-8",
    )
    path = os.pathsep.join([str(slow), os.environ.get("PYTHONPATH", "")])
    with urpaq_serve(tmp_path, "--workers", "2", environment={"PYTHONPATH": path}) as served:
        assert httpx.get(f"{served.url}/healthz", timeout=10).status_code == 200
        time.sleep(6)  # a health check or two more
        assert httpx.get(f"{served.url}/healthz", timeout=10).status_code == 200
    assert "died" not in served.log, served.log


# --- 3. sign-in limited per IIN; every wrong code audited with the person (D3, D8) -----------

OTHER = "150101500011"


def signing_app(tmp_path: Path, **settings: int) -> ASGIApp:
    path = tmp_path / "urpaq.db"
    uow = open_unit_of_work(f"sqlite:///{path}")
    uow.schema.initialise()
    uow.close()
    return create_app(
        database_url=f"sqlite:///{path}",
        web_settings=WebSettings(**({"sign_ins_per_client": 100} | settings)),
    )  # fmt: skip


def test_sign_ins_are_limited_per_iin_whatever_the_client(tmp_path: Path) -> None:
    """From ever new addresses (as a trusted proxy says), one IIN gets its allowance of
    challenges, then 429; another IIN is not affected."""
    with serving(signing_app(tmp_path, sign_ins_per_iin=2)) as url, httpx.Client() as client:
        statuses = [
            client.post(f"{url}/sign-in", data={"iin": iin},
                        headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
            for n, iin in enumerate([str(ADULT), str(ADULT), str(ADULT), OTHER])
        ]  # fmt: skip
    assert statuses == [200, 200, 429, 200]


def test_code_guesses_are_limited_per_iin_and_each_audited_with_it(tmp_path: Path) -> None:
    """Wrong codes against two challenges for one IIN, from two addresses: the IIN's
    allowance of guesses is shared, and every guess is in the audit log with the IIN."""
    app = signing_app(tmp_path, codes_per_iin=3)
    with serving(app) as url:
        guesses = []
        for number in (1, 2):
            forwarded = {"X-Forwarded-For": f"198.51.100.{number}"}
            with httpx.Client(base_url=url, headers=forwarded) as client:
                assert client.post("/sign-in", data={"iin": str(ADULT)}).status_code == 200
                guesses += [client.post("/sign-in/code", data={"code": "1234567"}).status_code
                            for _ in range(2)]  # fmt: skip
        with httpx.Client(base_url=url) as stranger:  # no challenge: nobody's code
            nobody = stranger.post("/sign-in/code", data={"code": "000000"}).status_code
    assert guesses == [401, 401, 401, 429]
    assert nobody == 401
    uow = open_unit_of_work(f"sqlite:///{tmp_path / 'urpaq.db'}")
    events = audit_events(uow, iin=str(ADULT), limit=10)
    codes = [e.outcome for e in reversed(events) if e.action == "POST /sign-in/code"]
    uow.close()
    assert codes == [401, 401, 401, 429]


def test_sign_ins_and_guesses_the_client_s_limit_refuses_are_audited_with_the_person(
    tmp_path: Path,
) -> None:
    """A sign-in or a code refused 429 by the client's own limit was audited about
    nobody: refused guesses at a person's code never showed in `urpaq audit --iin`."""
    app = signing_app(tmp_path, sign_ins_per_client=1)  # code guesses: 2 per client
    with serving(app) as url, httpx.Client(base_url=url) as client:
        signed = [client.post("/sign-in", data={"iin": str(ADULT)}).status_code for _ in range(2)]
        guesses = [client.post("/sign-in/code", data={"code": "1234567"}).status_code
                   for _ in range(3)]  # fmt: skip
    assert (signed, guesses) == ([200, 429], [401, 401, 429])
    uow = open_unit_of_work(f"sqlite:///{tmp_path / 'urpaq.db'}")
    events = audit_events(uow, iin=str(ADULT), limit=10)
    uow.close()
    assert [(e.action, e.outcome) for e in reversed(events)] == [
        ("POST /sign-in", 200), ("POST /sign-in", 429),
        ("POST /sign-in/code", 401), ("POST /sign-in/code", 401), ("POST /sign-in/code", 429),
    ]  # fmt: skip


def test_guesses_past_a_challenges_tries_are_audited_with_its_person(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Seven wrong codes against one challenge of five tries, then the right one: every
    guess is in the audit log with the IIN, and the right code no longer opens a session."""
    caplog.set_level(logging.WARNING, logger="urpaq.identity")
    with (
        serving(signing_app(tmp_path, codes_per_iin=100)) as url,
        httpx.Client(base_url=url) as client,
    ):
        assert client.post("/sign-in", data={"iin": str(ADULT)}).status_code == 200
        sent = [r.getMessage() for r in caplog.records if r.name == "urpaq.identity"]
        code = re.search(r"one-time code (\d+)", sent[-1])[1]  # type: ignore[index]
        wrong = "1" + code[1:] if code[0] != "1" else "2" + code[1:]
        answers = [client.post("/sign-in/code", data={"code": wrong}) for _ in range(7)]
        right = client.post("/sign-in/code", data={"code": code}, follow_redirects=False)
    assert [answer.status_code for answer in answers] == [401] * 7
    assert right.status_code == 401
    # Four guesses leave tries, and the code's form asks again; from the fifth, the
    # challenge takes no code (the right one neither): the way to sign in again, saying
    # so, not a form that would call the right code wrong.
    asks_again = ['name="code"' in answer.text for answer in [*answers, right]]
    assert asks_again == [True] * 4 + [False] * 4
    assert all('name="iin"' in answer.text for answer in [*answers[4:], right])
    uow = open_unit_of_work(f"sqlite:///{tmp_path / 'urpaq.db'}")
    events = audit_events(uow, iin=str(ADULT), limit=20)
    uow.close()
    assert [e.outcome for e in reversed(events) if e.action == "POST /sign-in/code"] == [401] * 8


def test_the_development_provider_tells_whose_challenge_it_is(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="urpaq.identity")
    store = FakeServing()
    provider = DevelopmentIdentityProvider(serving=lambda: store)
    challenge = provider.begin(iin=ADULT, now=NOW)
    assert provider.iin_of(challenge_id=challenge.challenge_id, now=NOW) == ADULT
    assert provider.iin_of(challenge_id="unknown", now=NOW) is None
    later = challenge.expires_at
    assert provider.iin_of(challenge_id=challenge.challenge_id, now=later) is None
    for _ in range(4):  # asking is no try: four wrong codes, and the fifth try still counts
        assert provider.iin_of(challenge_id=challenge.challenge_id, now=NOW) == ADULT
        assert provider.complete(challenge_id=challenge.challenge_id, response="x", now=NOW) is None
    assert provider.iin_of(challenge_id=challenge.challenge_id, now=NOW) == ADULT
    provider.complete(challenge_id=challenge.challenge_id, response="x", now=NOW)
    # Out of tries: it still names its person (for the audit log) until it expires, and
    # takes nothing more.
    assert provider.iin_of(challenge_id=challenge.challenge_id, now=NOW) == ADULT
    assert not provider.waits_for_code(challenge_id=challenge.challenge_id, now=NOW)
    assert provider.iin_of(challenge_id=challenge.challenge_id, now=later) is None
    used = provider.begin(iin=ADULT, now=NOW)
    sent = [r.getMessage() for r in caplog.records if r.name == "urpaq.identity"]
    code = re.search(r"one-time code (\d+)", sent[-1])[1]  # type: ignore[index]
    assert provider.complete(challenge_id=used.challenge_id, response=code, now=NOW) == ADULT
    assert provider.iin_of(challenge_id=used.challenge_id, now=NOW) is None  # a code works once


def test_a_copy_of_the_serving_store_completes_no_sign_in(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The store once held the challenge's id (the browser's cookie) and an unkeyed digest
    of six digits: a copy of it, tried against a million codes, signed in as the person."""
    caplog.set_level(logging.WARNING, logger="urpaq.identity")
    store = FakeServing()
    provider = DevelopmentIdentityProvider(serving=lambda: store)
    challenge = provider.begin(iin=ADULT, now=NOW)
    sent = [r.getMessage() for r in caplog.records if r.name == "urpaq.identity"]
    code = re.search(r"one-time code (\d+)", sent[-1])[1]  # type: ignore[index]
    [(row, pending)] = store.challenges.items()
    assert challenge.challenge_id not in row and challenge.challenge_id[:8] not in sent[-1]
    assert pending.code_digest != hashlib.sha256(code.encode()).hexdigest()
    assert code not in row + pending.code_digest
    assert provider.complete(challenge_id=row, response=code, now=NOW) is None
    assert provider.complete(challenge_id=challenge.challenge_id, response=code, now=NOW) == ADULT


def test_a_code_sent_twice_at_once_signs_in_once(
    uow: UnitOfWork, caplog: pytest.LogCaptureFixture
) -> None:
    """Two requests with the right code at the same moment (through one server or two):
    both take a try and both find the code right, but only the one that ends the
    challenge signs in.  The second request is run inside the first one's window, after
    its try and before it ends the challenge, on the serving store of each database."""
    store = uow.serving
    started: list[bool] = []
    finished: list[object] = []

    class Interleaved:
        """The store, with the other request's whole `complete` run inside this one's."""

        def __getattr__(self, name: str) -> object:
            return getattr(store, name)

        def attempt_challenge(self, **arguments: object) -> object:
            pending = store.attempt_challenge(**arguments)  # type: ignore[arg-type]
            if not started:
                started.append(True)
                finished.append(provider.complete(challenge_id=challenge_id, response=code,
                                                  now=NOW))  # fmt: skip
            return pending

    provider = DevelopmentIdentityProvider(serving=lambda: Interleaved())  # type: ignore[arg-type,return-value]
    caplog.set_level(logging.WARNING, logger="urpaq.identity")
    challenge = DevelopmentIdentityProvider(serving=lambda: store).begin(iin=ADULT, now=NOW)
    sent = [r.getMessage() for r in caplog.records if r.name == "urpaq.identity"]
    challenge_id = challenge.challenge_id
    code = re.search(r"one-time code (\d+)", sent[-1])[1]  # type: ignore[index]
    first = provider.complete(challenge_id=challenge_id, response=code, now=NOW)
    assert finished == [ADULT]  # the request that ended the challenge
    assert first is None  # the one that came second to it


class ProviderOfTwoMethods:
    """A provider written before `iin_of` joined the protocol."""

    name = "old"

    def begin(self, **_: object) -> None: ...

    def complete(self, **_: object) -> None: ...


def test_a_provider_without_iin_of_is_refused_when_loaded() -> None:
    """A plugged-in provider written before `iin_of` is refused when loaded, not at a
    visitor's first code."""
    with pytest.raises(UnsupportedIdentityProvider, match="lacks iin_of"):
        identity_provider("test_edge:ProviderOfTwoMethods", serving=FakeServing)


class ProviderWithoutItsConfiguration:
    """A provider whose configuration (an environment variable of its own) is missing."""

    name = "egov"

    def __init__(self) -> None:
        self.gateway = os.environ["TEST_EGOV_GATEWAY_URL_NEVER_SET"]

    def begin(self, **_: object) -> None: ...

    def complete(self, **_: object) -> None: ...

    def iin_of(self, **_: object) -> None: ...


class ProviderWithoutAName:
    def begin(self, **_: object) -> None: ...

    def complete(self, **_: object) -> None: ...

    def iin_of(self, **_: object) -> None: ...


class ProviderWhoseNameFails(ProviderWithoutAName):
    @property
    def name(self) -> str:
        raise RuntimeError("no name yet")


def test_a_provider_that_cannot_be_made_or_has_no_name_is_refused_naming_why() -> None:
    """Once a traceback out of `urpaq serve` (exit 1)."""
    with pytest.raises(
        UnsupportedIdentityProvider, match="could not be made: KeyError: 'TEST_EGOV_GATEWAY"
    ):
        identity_provider("test_edge:ProviderWithoutItsConfiguration", serving=FakeServing)
    for nameless in ("ProviderWithoutAName", "ProviderWhoseNameFails"):
        with pytest.raises(UnsupportedIdentityProvider, match="has no name"):
            identity_provider(f"test_edge:{nameless}", serving=FakeServing)


def test_urpaq_serve_refuses_a_provider_that_cannot_be_made(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path}/served.db"
    environment = {
        **os.environ,
        "URPAQ_IDENTITY": "test_edge:ProviderWithoutItsConfiguration",
        "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")]
        ),
    }
    subprocess.run([sys.executable, "-m", "urpaq", "init", "--db", database], check=True)
    done = subprocess.run(
        [sys.executable, "-m", "urpaq", "serve", "--db", database, "--port", "1"],
        capture_output=True, text=True, env=environment, timeout=60,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert "could not be made: KeyError" in done.stderr and "Traceback" not in done.stderr


def test_answers_are_not_held_back_by_nagle_on_a_worker_s_socket() -> None:
    """A socket a worker process receives no longer says it is TCP (its protocol number
    is lost on the way), so asyncio leaves Nagle's algorithm on and every answer waits
    ~40 ms for an acknowledgement; the protocol turns it off itself."""
    import asyncio
    import socket as sockets

    from urpaq.entrypoints.http.server import TimelyH11Protocol

    listener = sockets.socket(sockets.AF_INET, sockets.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    client = sockets.create_connection(listener.getsockname())
    accepted, _ = listener.accept()
    handed_over = sockets.socket(sockets.AF_INET, sockets.SOCK_STREAM, 0, accepted.detach())

    class Transport(asyncio.Transport):
        def get_extra_info(self, name: str, default: object = None) -> object:
            return {"socket": handed_over, "peername": ("127.0.0.1", 1)}.get(name, default)

        def is_closing(self) -> bool:
            return False

        def close(self) -> None:
            return None

    loop = asyncio.new_event_loop()
    try:
        protocol = TimelyH11Protocol(config=_config(), server_state=_state(), app_state={},
                                     _loop=loop)  # fmt: skip
        assert handed_over.getsockopt(sockets.IPPROTO_TCP, sockets.TCP_NODELAY) == 0
        protocol.connection_made(Transport())
        assert handed_over.getsockopt(sockets.IPPROTO_TCP, sockets.TCP_NODELAY) != 0
        protocol.connection_lost(None)
    finally:
        loop.close()
        for each in (handed_over, client, listener):
            each.close()


def _config() -> object:
    import uvicorn

    async def app(scope: object, receive: object, send: object) -> None:
        return None

    config = uvicorn.Config(app=app, lifespan="off")
    config.load()
    return config


def _state() -> object:
    from uvicorn.server import ServerState

    return ServerState()


def test_uvicorn_s_own_lines_begin_with_their_moment_in_utc_and_their_process(
    tmp_path: Path,
) -> None:
    """uvicorn's own lines (a process started, stopped) said `INFO:     Started server
    process [27140]`, with no moment at all, beside urpaq's lines in UTC."""
    with urpaq_serve(tmp_path, "--workers", "2") as served:
        deadline = time.monotonic() + 60
        while served.log.count("Application startup complete") < 2:
            assert time.monotonic() < deadline, served.log
            time.sleep(0.2)
    news = ("Started", "Waiting", "Application", "Shutting", "Finished", "Stopping")
    lines = [line for line in served.log.splitlines() if any(n in line for n in news)]
    assert len([line for line in lines if "Started server process" in line]) == 2, lines
    stamped = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[\d+\] uvicorn .+"
    assert all(re.fullmatch(stamped, line) for line in lines), lines


def test_a_process_whose_storage_failed_is_not_ready_for_a_while_then_tried_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from urpaq.entrypoints.http import context

    now = [100.0]
    monkeypatch.setattr(context.time, "monotonic", lambda: now[0])
    failures = context.StorageFailures()
    assert failures.recent() is None
    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = sqlite3.SQLITE_FULL  # type: ignore[attr-defined]
    assert failures.note(ValueError("a value")) is None
    # A lock waited on too long, a server busy: not the storage (a DBA's lock_timeout made
    # every process not ready while a batch command held a lock).
    assert failures.note(psycopg.errors.LockNotAvailable("lock timeout")) is None
    assert failures.note(psycopg.errors.TooManyConnections("too many")) is None
    assert failures.recent() is None
    assert failures.note(full) == "database or disk is full"
    now[0] += context.STORAGE_FAILURE_SECONDS - 0.1
    assert failures.recent() == "database or disk is full"
    now[0] += 0.2
    assert failures.recent() is None


class GatewayDown:
    """An identity provider whose service does not answer (an SMS gateway down)."""

    name = "down"

    def begin(self, **_: object) -> object:
        raise ConnectionError("gateway refused the connection")

    def complete(self, **_: object) -> object:
        raise TimeoutError("gateway timed out")

    def iin_of(self, **_: object) -> object:
        return None


def test_signing_in_while_the_identity_service_is_down_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A provider that cannot reach its service answered 500 ("the request could not be
    completed"): the sign-in page says signing in is unavailable for now, in the three
    languages, and the log names the failure's class."""
    url = f"sqlite:///{tmp_path / 'urpaq.db'}"
    uow = open_unit_of_work(url)
    uow.schema.initialise()
    uow.close()
    caplog.set_level(logging.ERROR, logger="urpaq.error")
    app = create_app(database_url=url, identity=GatewayDown())  # type: ignore[arg-type]
    with serving(app) as base, httpx.Client(base_url=base) as client:
        began = client.post("/sign-in?lang=ru", data={"iin": str(ADULT)})
        client.cookies.set("urpaq_challenge", "c", path="/sign-in")
        completed = client.post("/sign-in/code?lang=en", data={"code": "123456"})
    assert began.status_code == 503 and "служба идентификации не отвечает" in began.text
    assert completed.status_code == 503 and "identity service does not answer" in completed.text
    logged = [r.getMessage() for r in caplog.records if r.name == "urpaq.error"]
    assert any("ConnectionError" in line for line in logged), logged
    assert any("TimeoutError" in line for line in logged), logged

"""Accrual day: the service keeps answering while a long write holds the database, and
several server processes share their sessions and allowances through the database."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest

from api_server import serving
from urpaq.adapters.postgres.connection import WRITER_LOCK
from urpaq.adapters.sql.serving import SqlServing
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.bootstrap import open_unit_of_work
from urpaq.domain.operators import Purpose
from urpaq.entrypoints.http.app import create_app
from urpaq.entrypoints.http.threads import WORKER_THREADS
from urpaq.entrypoints.http.web.rate_limit import RateLimits
from urpaq.entrypoints.http.web.settings import WebSettings
from urpaq.services.operators import credential_marks
from world import ADULT, MINOR, add_bank, build_world

KEY = "accrual-day-key"


@contextmanager
def writer_holding(database_url: str) -> Iterator[threading.Event]:
    """Another connection takes the database's writer and keeps it, as a national import
    or close does, until the event is set (at most a minute)."""
    release = threading.Event()
    taken = threading.Event()

    def hold() -> None:
        if database_url.startswith("sqlite"):
            import sqlite3

            held = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
            held.execute("BEGIN IMMEDIATE")
            held.execute("INSERT INTO year_parameters VALUES (2031, 1, '0', 'held', '2026-01-01')")
        else:
            held = psycopg.connect(database_url, autocommit=True)
            held.execute("BEGIN")
            held.execute("SELECT pg_advisory_xact_lock(%s)", (WRITER_LOCK,))
            held.execute("INSERT INTO year_parameters VALUES (2031, 1, '0', 'held', '2026-01-01')")
        taken.set()
        release.wait(timeout=60)
        held.execute("ROLLBACK")
        held.close()

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert taken.wait(timeout=30), "the writer could not be taken"
    try:
        yield release
    finally:
        release.set()
        holder.join(timeout=60)


def test_lookups_and_api_reads_answer_while_a_writer_holds_the_database(
    uow: SqlUnitOfWork, database_url: str, tmp_path: Path
) -> None:
    """With the writer held by another connection for as long as the requests take, a
    lookup, a sign-in start and an API read are all answered and audited; nothing waits
    for the writer to let go."""
    build_world(uow, tmp_path)
    add_bank(uow, name="Bank", purposes=frozenset({Purpose.EDUCATION}), credential=KEY)
    settings = WebSettings(lookup_seconds_min=0)
    app = create_app(database_url=database_url, web_settings=settings)
    with serving(app) as url, httpx.Client(base_url=url, timeout=20) as client:
        client.get("/healthz")
        with writer_holding(database_url):
            looked_up = client.post("/lookup", data={"iin": str(MINOR)})
            savings = client.get(
                f"/api/v1/savings/{ADULT}", headers={"Authorization": f"Bearer {KEY}"}
            )
            signing_in = client.post("/sign-in", data={"iin": str(MINOR)})
    assert (looked_up.status_code, savings.status_code, signing_in.status_code) == (200,) * 3
    assert savings.json()["available"] == "100.00"
    actions = [e.action for e in uow.serving.audit_events(iin=None, since=None, limit=10)]
    assert {"POST /lookup", "GET /api/v1/savings/{iin}", "POST /sign-in"} <= set(actions)


def test_payouts_waiting_for_the_writer_leave_the_reads_their_threads(
    uow: SqlUnitOfWork, database_url: str, tmp_path: Path
) -> None:
    """More payouts than the server has worker threads, all waiting for a writer held by
    an import: the health check, a lookup and a read still answer at once, and every
    payout is made once the writer lets go."""
    build_world(uow, tmp_path)
    add_bank(uow, name="Bank", purposes=frozenset({Purpose.EDUCATION}), credential=KEY)
    app = create_app(database_url=database_url, web_settings=WebSettings(lookup_seconds_min=0))
    waiting = WORKER_THREADS + 10
    headers = {"Authorization": f"Bearer {KEY}"}
    body = {
        "iin": str(ADULT), "amount": "1.00", "currency": "USD", "purpose": "education",
        "sub_purpose": "tuition_period", "account": "KZ86125KZT5004100100",
    }  # fmt: skip
    limits = httpx.Limits(max_connections=waiting + 10)
    with (
        serving(app) as url,
        httpx.Client(base_url=url, timeout=60, limits=limits) as client,
        ThreadPoolExecutor(max_workers=waiting) as requests,
    ):
        client.get("/healthz")
        with writer_holding(database_url) as release:
            payouts = [
                requests.submit(
                    client.post,
                    "/api/v1/payouts",
                    json=body,
                    headers={**headers, "Idempotency-Key": f"held-{number}"},
                )
                for number in range(waiting)
            ]
            time.sleep(2)  # every payout is in, waiting for the writer
            assert not any(payout.done() for payout in payouts)
            started = time.monotonic()
            health = client.get("/healthz", timeout=5)
            looked_up = client.post("/lookup", data={"iin": str(MINOR)}, timeout=5)
            savings = client.get(f"/api/v1/savings/{ADULT}", headers=headers, timeout=5)
            answered_in = time.monotonic() - started
            release.set()
        made = [payout.result().status_code for payout in payouts]
    assert (health.status_code, looked_up.status_code, savings.status_code) == (200,) * 3
    assert answered_in < 5
    assert made == [201] * waiting
    assert savings.json()["available"] == "100.00"


def test_statistics_visitors_never_wait_for_a_count_a_writer_holds_up(
    uow: SqlUnitOfWork, database_url: str, tmp_path: Path
) -> None:
    """When the statistics have changed and the participants' counts are not kept yet
    (as after a close), they are counted in the background, whose keeping waits for a
    writer held by an import; more visitors than the server has worker threads come
    meanwhile: each is answered within seconds (the page before the change, or without
    the participants' tables, saying they are being counted), a lookup at once, and the
    counts are kept and shown once the writer lets go."""
    build_world(uow, tmp_path)
    add_bank(uow, name="Bank", purposes=frozenset({Purpose.EDUCATION}), credential=KEY)
    app = create_app(database_url=database_url, web_settings=WebSettings(lookup_seconds_min=0))
    visitors = WORKER_THREADS + 10
    limits = httpx.Limits(max_connections=visitors + 10)
    counting = "are being counted"
    with (
        serving(app) as url,
        httpx.Client(base_url=url, timeout=60, limits=limits) as client,
        ThreadPoolExecutor(max_workers=visitors) as requests,
    ):
        assert counting not in client.get("/statistics?lang=en").text  # counted and kept
        with uow:
            uow.db.execute("DELETE FROM participant_count")
            uow.commit()
        paid = client.post(
            "/api/v1/payouts",
            json={
                "iin": str(ADULT), "amount": "1.00", "currency": "USD",
                "purpose": "education", "sub_purpose": "tuition_period",
                "account": "KZ86125KZT5004100100",
            },
            headers={"Authorization": f"Bearer {KEY}", "Idempotency-Key": "changes-them"},
        )  # fmt: skip
        assert paid.status_code == 201  # the statistics changed with the ledger
        with writer_holding(database_url) as release:
            started = time.monotonic()
            pages = [requests.submit(client.get, "/statistics?lang=en") for _ in range(visitors)]
            shown = [page.result(timeout=30) for page in pages]
            pages_in = time.monotonic() - started
            looked_up = client.post("/lookup", data={"iin": str(MINOR)}, timeout=5)
            answered_in = time.monotonic() - started - pages_in
            after = client.get("/statistics?lang=en")
            release.set()
        deadline = time.monotonic() + 30
        while uow.reads.kept_participant_groups(year=2023) is None:
            assert time.monotonic() < deadline, "the counts were never kept"
            time.sleep(0.1)
        counted = client.get("/statistics?lang=en")
    assert [page.status_code for page in shown] == [200] * visitors
    assert pages_in < 10 and answered_in < 5 and looked_up.status_code == 200
    assert counting in after.text and 'id="participants_by_age"' not in after.text
    assert counting not in counted.text and 'id="participants_by_age"' in counted.text


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """`urpaq serve` in a process of its own; collects the one-time codes it logs."""

    def __init__(self, database_url: str, *options: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.codes: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "urpaq", "serve", "--db", database_url,
             "--port", str(self.port), *options],
            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        self.reader = threading.Thread(target=self._read_log, daemon=True)
        self.reader.start()

    def _read_log(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            found = re.search(r"one-time code (\d{6})", line)
            if found:
                self.codes.append(found[1])

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{self.url}/healthz", timeout=5)
                return
            except httpx.TransportError:
                assert self.process.poll() is None, "the server stopped"
                assert time.monotonic() < deadline, "the server did not start in 60 s"
                time.sleep(0.2)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=30)


@pytest.fixture
def two_servers(database_url: str) -> Iterator[tuple[Server, Server]]:
    """Two server processes on one database, lookups limited to 3 a client."""
    options = ("--lookup-limit", "3", "--lookup-refill", "600", "--lookup-floor", "0")
    servers = (Server(database_url, *options), Server(database_url, *options))
    try:
        for server in servers:
            server.wait_until_up()
        yield servers
    finally:
        for server in servers:
            server.stop()


def test_two_processes_count_one_allowance(two_servers: tuple[Server, Server]) -> None:
    """A client's lookups on either process count against the one allowance."""
    first, second = two_servers
    statuses = [
        httpx.post(f"{server.url}/lookup", data={"iin": str(MINOR)}, timeout=20).status_code
        for server in (first, second, first, second)
    ]
    assert statuses == [200, 200, 200, 429]


def test_a_session_opened_on_one_process_works_on_the_other(
    two_servers: tuple[Server, Server],
) -> None:
    """Start signing in on one process and enter the code on the other; the session opened
    there answers on the first; signing out on the second ends it on both."""
    first, second = two_servers
    with httpx.Client(base_url=first.url, timeout=20) as at_first:
        at_first.post("/sign-in", data={"iin": str(MINOR)})
        challenge = at_first.cookies["urpaq_challenge"]
    deadline = time.monotonic() + 10
    while not first.codes:
        assert time.monotonic() < deadline, "no one-time code was logged"
        time.sleep(0.05)
    signed_in = httpx.post(
        f"{second.url}/sign-in/code", data={"code": first.codes[-1]},
        cookies={"urpaq_challenge": challenge}, timeout=20,
    )  # fmt: skip
    assert signed_in.status_code == 303
    cookies = {"urpaq_session": signed_in.cookies["urpaq_session"]}
    assert httpx.get(f"{first.url}/statement", cookies=cookies, timeout=20).status_code == 200
    with httpx.Client(base_url=second.url, timeout=20, cookies=cookies) as at_second:
        statement = at_second.get("/statement")
        assert statement.status_code == 200  # signed out, it would be a 303 to sign in
        at_second.post("/sign-out")
    again = httpx.get(f"{first.url}/statement", cookies=cookies, timeout=20)
    assert again.status_code == 303


def test_a_clock_that_went_back_does_not_empty_an_allowance(uow: SqlUnitOfWork) -> None:
    """A bucket taken at 1000 s and asked again at 400 s (a clock stepped back) refills
    nothing and takes nothing it has not got; later it refills as before."""

    def take(now: float) -> float:
        taken = uow.serving.take_token_later(bucket="b", capacity=2, refill_seconds=60, now=now)
        return taken.result()

    assert [take(1000), take(1000)] == [0, 0]
    assert take(400) == pytest.approx(60)
    assert take(1060) == 0


def test_a_failed_wait_for_the_writer_leaves_the_connection_usable(postgres_url: str) -> None:
    """If waiting for the writers' lock fails (here a lock timeout while another holds
    it), the transaction is ended, and the connection serves the next request."""
    from urpaq.bootstrap import open_unit_of_work

    waiting = open_unit_of_work(postgres_url)
    assert isinstance(waiting, SqlUnitOfWork)
    waiting.db.execute("SET lock_timeout = '200ms'")
    with writer_holding(postgres_url), pytest.raises(psycopg.errors.LockNotAvailable), waiting:
        pass
    assert waiting.register.watermark() == 0
    with waiting:
        waiting.commit()
    waiting.close()


def test_ended_sign_ins_do_not_stay_in_the_serving_store(uow: SqlUnitOfWork) -> None:
    """A session or challenge that ended a day before a new one begins is deleted then:
    the store keeps no IIN of a sign-in long over."""
    import datetime as dt

    start = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
    serving = uow.serving
    serving.open_session(token_digest="old", iin=str(MINOR), expires_at=start)
    serving.save_challenge(challenge_id="old", iin=str(MINOR), code_digest="d",
                           expires_at=start, attempts=5)  # fmt: skip
    later = start + dt.timedelta(days=2)
    serving.open_session(token_digest="new", iin=str(ADULT), expires_at=later)
    serving.save_challenge(challenge_id="new", iin=str(ADULT), code_digest="d",
                           expires_at=later, attempts=5)  # fmt: skip
    assert isinstance(serving, SqlServing)
    table = "" if uow.db.migrations_package.endswith("sqlite") else "serving."
    for kind, key in (("session", "token_digest"), ("challenge", "challenge_id")):
        left = serving.db.query(f"SELECT {key} FROM {table}{kind}")
        assert left == [("new",)], kind


def test_full_rate_limit_buckets_are_swept_from_the_serving_store(uow: SqlUnitOfWork) -> None:
    """A bucket untouched for longer than the slowest allowance takes to refill is full:
    the sweep (at most once a minute per process) deletes it, and a client that comes
    back gets its whole allowance, as if it had never come."""
    settings = WebSettings(lookups_per_client=3, lookup_refill_seconds=60)
    limits = RateLimits.from_settings(settings, serving=lambda: uow.serving)
    horizon = max(
        limiter.capacity * limiter.refill_seconds
        for limiter in (limits.lookups, limits.sign_ins, limits.codes,
                        limits.sign_ins_per_iin, limits.codes_per_iin)
    )  # fmt: skip
    start = 1_000_000.0

    def take(client: str, now: float) -> float:
        return asyncio.run(limits.lookups.take(client, now=now))

    assert [take("192.0.2.1", start) for _ in range(3)] == [0, 0, 0]
    assert take("192.0.2.1", start) > 0  # used up
    take("192.0.2.2", start + horizon)  # a sweep too recent to forget anyone
    assert len(buckets(uow)) == 2
    take("192.0.2.3", start + horizon + 61)  # a minute later: the first two are full
    assert len(buckets(uow)) == 2, "the sweep runs before the new bucket is written"
    assert take("192.0.2.1", start + horizon + 62) == 0  # back, with a whole allowance
    assert len(buckets(uow)) == 3
    take("192.0.2.3", start + 2 * horizon + 30)
    assert len(buckets(uow)) == 2  # 192.0.2.2 is gone; .1 and .3 were touched since


def buckets(uow: SqlUnitOfWork) -> list[tuple[object, ...]]:
    serving = uow.serving
    assert isinstance(serving, SqlServing)
    return list(serving.db.query(f"SELECT bucket FROM {serving.schema}bucket"))


def test_the_operators_list_reads_without_waiting_for_the_writer(
    uow: SqlUnitOfWork, database_url: str, tmp_path: Path
) -> None:
    """The back office's list of operators reads each credential's mark for its rotation
    forms: read inside a write transaction, it waited for an import's writer."""
    add_bank(uow, name="Bank", purposes=frozenset({Purpose.EDUCATION}), credential=KEY)
    found: list[dict[str, str]] = []
    with writer_holding(database_url):
        reader = open_unit_of_work(database_url)
        reading = threading.Thread(target=lambda: found.append(credential_marks(reader)))
        reading.start()
        reading.join(timeout=10)
        answered = not reading.is_alive()
    reading.join(timeout=60)
    reader.close()
    assert answered and list(found[0]) == ["Bank"]

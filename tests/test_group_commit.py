"""The serving store's writer: many requests' writes in one transaction, each durable
before its future is done, a failing write failing alone, on both databases."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from pg_server import drop_other_connections
from urpaq.adapters.sql.group_commit import GroupCommit, release_writer, shared_writer
from urpaq.adapters.sql.serving import SqlServing
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.adapters.sqlite.connection import serving_path
from urpaq.bootstrap import open_unit_of_work
from urpaq.domain.audit import AuditEvent

AT = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)


def event(number: int) -> AuditEvent:
    return AuditEvent(AT, "public:192.0.2.1", "POST /lookup", None, 200, f"r{number:04d}")


def serving_of(uow: SqlUnitOfWork) -> SqlServing:
    serving = uow.serving
    assert isinstance(serving, SqlServing)
    return serving


def writer_of(uow: SqlUnitOfWork) -> GroupCommit:
    writer = serving_of(uow).writer
    assert writer is not None, "a database on disk has a writer for its serving store"
    return writer


def request_ids(url: str) -> list[str]:
    """What another connection (another server process) sees committed."""
    other = open_unit_of_work(url)
    try:
        return sorted(
            e.request_id for e in other.serving.audit_events(iin=None, since=None, limit=10_000)
        )
    finally:
        other.close()


@contextlib.contextmanager
def store_held(url: str) -> Iterator[None]:
    """Another server holds the serving store's audit log for writing meanwhile."""
    if url.startswith("sqlite"):
        path = serving_path(url.removeprefix("sqlite:///"))
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    with psycopg.connect(url) as held:
        held.execute("LOCK TABLE serving.audit_event IN SHARE MODE")
        yield
        held.rollback()


def test_writes_that_arrive_together_share_one_commit(database_url: str) -> None:
    uow = open_unit_of_work(database_url)
    try:
        serving, writer = serving_of(uow), writer_of(uow)
        serving.record(event(0))
        commits_before = writer.commits
        with store_held(database_url):
            # The first write waits in the writer thread while 99 more arrive.
            futures = [serving.record_later(event(n)) for n in range(1, 100)]
            time.sleep(0.2)
            assert not any(future.done() for future in futures)
        for future in futures:
            future.result(timeout=30)
        assert writer.commits - commits_before <= 3  # not one commit per write
        assert request_ids(database_url) == [f"r{n:04d}" for n in range(100)]
    finally:
        uow.close()


def test_an_event_is_committed_when_its_future_is_done(database_url: str) -> None:
    uow = open_unit_of_work(database_url)
    try:
        for number in range(5):
            serving_of(uow).record_later(event(number)).result(timeout=30)
            # seen at once by another connection: committed, not only written
            assert f"r{number:04d}" in request_ids(database_url)
    finally:
        uow.close()


def test_a_write_that_fails_fails_alone(database_url: str) -> None:
    uow = open_unit_of_work(database_url)
    try:
        serving, writer = serving_of(uow), writer_of(uow)
        with store_held(database_url):
            before = serving.record_later(event(1))
            broken = writer.submit(f"INSERT INTO {serving.schema}no_such_table VALUES (1)", ())
            after = serving.record_later(event(2))
        before.result(timeout=30)
        after.result(timeout=30)
        with pytest.raises(Exception, match="no_such_table"):
            broken.result(timeout=30)
        assert request_ids(database_url) == ["r0001", "r0002"]
        # and the writer goes on writing
        serving.record(event(3))
        assert request_ids(database_url) == ["r0001", "r0002", "r0003"]
    finally:
        uow.close()


def test_rate_limit_tokens_taken_together_are_counted_exactly(database_url: str) -> None:
    """30 threads take from a bucket of 10 at once: exactly 10 are granted, whatever the
    batches."""
    uow = open_unit_of_work(database_url)
    try:
        serving = serving_of(uow)
        barrier = threading.Barrier(30)
        answers: list[float] = []

        def take() -> None:
            barrier.wait()
            future = serving.take_token_later(bucket="b", capacity=10, refill_seconds=3600, now=1e9)
            answers.append(future.result(timeout=30))

        threads = [threading.Thread(target=take) for _ in range(30)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(answers)[:10] == [0.0] * 10
        assert all(wait > 0 for wait in sorted(answers)[10:])
    finally:
        uow.close()


def test_one_writer_per_store_and_process_until_the_last_user_lets_go(database_url: str) -> None:
    first, second = open_unit_of_work(database_url), open_unit_of_work(database_url)
    try:
        assert writer_of(first) is writer_of(second)
    finally:
        first.close()
    serving_of(second).record(event(7))  # still running for the other user
    writer = writer_of(second)
    second.close()
    again = open_unit_of_work(database_url)
    try:
        assert writer_of(again) is not writer  # the stopped one is not handed out
        again.serving.record(event(8))
        assert request_ids(database_url) == ["r0007", "r0008"]
    finally:
        again.close()


def test_a_writer_that_cannot_connect_answers_every_write_with_the_reason() -> None:
    def unreachable() -> SqlServing:
        raise OSError("the serving store cannot be reached")

    writer = shared_writer("test:unreachable", unreachable, begin="BEGIN")  # type: ignore[arg-type]
    try:
        future = writer.submit("SELECT 1", ())
        with pytest.raises(OSError, match="cannot be reached"):
            future.result(timeout=30)
    finally:
        release_writer(writer)


@pytest.mark.parametrize("idle", [False, True])
def test_a_writer_whose_connection_was_lost_connects_again(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, idle: bool
) -> None:
    """The database server drops the writer's connection (a restart, a failover).  Under
    load, the write that finds it gone fails with the reason, and the next one is written
    on a new connection; after a quiet spell, the connection is checked first and the
    write goes through (a server restarted at night does not fail the morning's first
    request)."""
    from urpaq.adapters.sql import group_commit

    monkeypatch.setattr(group_commit, "IDLE_CHECK_SECONDS", 0.0 if idle else 3600.0)
    uow = open_unit_of_work(postgres_url)
    try:
        serving = serving_of(uow)
        serving.record(event(1))
        drop_other_connections(postgres_url)
        if idle:
            serving.record_later(event(2)).result(timeout=30)
        else:
            with pytest.raises(psycopg.OperationalError):
                serving.record_later(event(2)).result(timeout=30)
        serving.record_later(event(3)).result(timeout=30)
        with psycopg.connect(postgres_url) as reader:  # this process's readers were dropped too
            rows = reader.execute("SELECT request_id FROM serving.audit_event ORDER BY 1")
            written = ["r0001", "r0002", "r0003"] if idle else ["r0001", "r0003"]
            assert [row[0] for row in rows] == written
    finally:
        uow.close()


def test_a_writer_that_could_not_connect_again_tries_before_the_next_write(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database server is away when the writer first tries to connect again (stopped
    a moment, then started): the write that found the connection gone fails, and so
    would every write that came before the next idle check, on the connection known
    lost.  The writer connects again before writing on it instead."""
    from urpaq.adapters.sql import group_commit

    monkeypatch.setattr(group_commit, "IDLE_CHECK_SECONDS", 3600.0)
    uow = open_unit_of_work(postgres_url)
    try:
        serving = serving_of(uow)
        serving.record(event(1))
        writer = writer_of(uow)
        connect, refused = writer._connect, []

        def away_once() -> object:
            if not refused:
                refused.append(True)
                raise OSError("the server is away")
            return connect()

        monkeypatch.setattr(writer, "_connect", away_once)
        drop_other_connections(postgres_url)
        with pytest.raises(psycopg.OperationalError):
            serving.record_later(event(2)).result(timeout=30)
        serving.record_later(event(3)).result(timeout=30)
        assert refused  # the writer had tried at once, while the server was away
        assert request_ids(postgres_url) == ["r0001", "r0003"]
    finally:
        uow.close()


def test_a_write_cancelled_before_it_is_taken_is_dropped_and_the_writer_goes_on(
    database_url: str,
) -> None:
    """A request that went away cancels its write while it waits (an event loop cancels
    the future it awaited): that write is not made, the others are, and the writer keeps
    writing."""
    uow = open_unit_of_work(database_url)
    try:
        serving = serving_of(uow)
        with store_held(database_url):
            first = serving.record_later(event(1))  # taken: it waits for the store
            time.sleep(0.2)
            writer = writer_of(uow)
            gone = writer.submit(
                f"INSERT INTO {serving.schema}bucket (bucket, tokens, at, granted)"
                " VALUES ('gone', 1, 1, 1)",
                (),
            )
            kept = serving.record_later(event(2))
            assert gone.cancel()
        first.result(timeout=30)
        kept.result(timeout=30)
        serving.record(event(3))
        assert request_ids(database_url) == ["r0001", "r0002", "r0003"]
        assert list(serving.db.query(f"SELECT bucket FROM {serving.schema}bucket")) == []
    finally:
        uow.close()


def test_a_serving_file_deleted_while_served_fails_every_write_instead_of_losing_it(
    tmp_path: Path,
) -> None:
    """An operator deletes the serving file under running servers: each process went on
    writing into the deleted file (its audit events lost as it ends), and a connection
    opened afterwards made a new empty one (the processes no longer sharing sessions and
    limits). Now every write fails, naming the file, and no new file is made."""
    from urpaq.bootstrap import DatabaseUnavailable

    url = f"sqlite:///{tmp_path / 'urpaq.db'}"
    uow = open_unit_of_work(url)
    uow.schema.initialise()
    try:
        serving_of(uow).record_later(event(1)).result(timeout=30)
        file = Path(serving_path(url.removeprefix("sqlite:///")))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{file}{suffix}").unlink(missing_ok=True)
        with pytest.raises(DatabaseUnavailable, match="was deleted or replaced"):
            serving_of(uow).record_later(event(2)).result(timeout=30)
        other = open_unit_of_work(url)  # as a new thread of the same server would
        try:
            with pytest.raises(DatabaseUnavailable, match="was deleted or replaced"):
                other.serving.audit_events(iin=None, since=None, limit=1)
        finally:
            other.close()
        assert not file.exists()
    finally:
        uow.close()

"""The serving store's writes, many at a time: one writer thread per store and process.

Every audited answer writes its audit event before it leaves, and a lookup or a sign-in
also takes a rate-limit token: two durable writes per request.  Written one by one, each
costs a commit (on SQLite a flush of its log to the disk, on PostgreSQL a flush of its
WAL) and, from the event loop, a hop to a worker thread and back.  Here each write is
handed to the store's writer thread, which takes every write that arrived meanwhile and
runs them in **one transaction**: one commit for all of them, and a request's future is
done only when that commit is (an event is as durable as before, it waits for it).

A write that fails (a broken constraint) must not fail its neighbours: when the batch
fails, it is rolled back and each write is run again alone, in a transaction of its
own, and only the one that fails again gets the error.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from urpaq.adapters.sql.connection import Params, SqlConnection

log = logging.getLogger("urpaq.serving")

Row = tuple[Any, ...] | None

#: At most this many writes share one transaction (a bound on how long the first waits).
BATCH_MAX = 256
#: A connection left idle this long is checked before a batch is written on it, and made
#: again if the database server dropped it meanwhile (a restart, a failover): a read can
#: be sent twice, a write cannot, so the first write after a quiet spell does not fail.
IDLE_CHECK_SECONDS = 1.0


@dataclass(eq=False)
class _Write:
    sql: str
    params: Params
    future: Future[Row] = field(default_factory=Future)


class GroupCommit:
    """A writer thread with a connection of its own; `submit` returns at once."""

    def __init__(self, connect: Callable[[], SqlConnection], *, begin: str, name: str) -> None:
        """`connect` opens the writer's connection (in the writer's thread); `begin`
        starts one of its transactions (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: `BEGIN`,
        without the writers' advisory lock, which the serving store never takes)."""
        self._connect = connect
        self._begin = begin
        self._pending: queue.SimpleQueue[_Write | None] = queue.SimpleQueue()
        self.commits = 0  # transactions committed, for the curious (tests, benchmarks)
        self._used_at = time.monotonic()
        self._thread = threading.Thread(
            target=self._run, name=f"serving-writer {name}", daemon=True
        )
        self._thread.start()

    def submit(self, sql: str, params: Params) -> Future[Row]:
        """Write one statement; the future gives its first row (or None) once committed."""
        write = _Write(sql, params)
        self._pending.put(write)
        return write.future

    def stop(self) -> None:
        """Write what was submitted, then end the thread and close its connection."""
        self._pending.put(None)
        self._thread.join()

    def _run(self) -> None:
        try:
            db = self._connect()
        except Exception as error:  # every write is answered: with the reason it failed
            self._fail_all(error)
            return
        try:
            while (batch := self._next_batch()) is not None:
                db = self._write(db, batch)
        finally:
            db.close()

    def _next_batch(self) -> list[_Write] | None:
        """The writes waiting now (at least one); None when the writer is to stop.  A
        write whose future was cancelled before it was taken (its request is gone, and
        the answer it was recorded for never leaves) is dropped; one taken can no longer
        be cancelled."""
        batch: list[_Write] = []
        while not batch:
            first = self._pending.get()
            if first is None:
                return None
            if first.future.set_running_or_notify_cancel():
                batch.append(first)
        while len(batch) < BATCH_MAX:
            try:
                more = self._pending.get_nowait()
            except queue.Empty:
                break
            if more is None:  # stop after this batch
                self._pending.put(None)
                break
            if more.future.set_running_or_notify_cancel():
                batch.append(more)
        return batch

    def _write(self, db: SqlConnection, batch: list[_Write]) -> SqlConnection:
        """Write one batch; the connection to go on with (a new one if this one broke)."""
        if db.broken:  # lost, and not made again then (the server was still away): now
            db = self._usable(db)
        try:
            with db.statement_lock():
                if time.monotonic() - self._used_at > IDLE_CHECK_SECONDS:
                    with contextlib.suppress(Exception):  # else the write says why
                        db.execute("SELECT 1")  # connects again where the server dropped it
                rows = self._in_one_transaction(db, batch)
        except Exception as error:
            if len(batch) == 1:
                batch[0].future.set_exception(error)
            else:
                log.info("a batch of %d serving writes failed; writing each alone", len(batch))
                for write in batch:
                    self._alone(db, write)
            return self._usable(db)
        finally:
            self._used_at = time.monotonic()
        for write, row in zip(batch, rows, strict=True):
            write.future.set_result(row)
        return db

    def _usable(self, db: SqlConnection) -> SqlConnection:
        """`db`, or a new connection if it broke (a database server restarted): the
        writes that failed on it have their errors; the next ones get a new try."""
        if not db.broken:
            return db
        log.warning("the serving store's writer lost its connection; connecting again")
        with contextlib.suppress(Exception):
            db.close()
        try:
            return self._connect()
        except Exception as error:
            log.error("the serving store's writer cannot connect: %s", type(error).__name__)
            return db  # still broken: the next batch fails with the reason, and tries again

    def _in_one_transaction(self, db: SqlConnection, batch: list[_Write]) -> list[Row]:
        # Into a file deleted under this process, every write would be lost unseen (and
        # the other processes would share nothing with this one): each fails instead.
        db.check_still_there()
        if len(batch) == 1:  # a statement alone is a transaction of its own: one trip
            row = _first_row(db, batch[0])
            self.commits += 1
            return [row]
        db.execute(self._begin)
        try:
            rows = [_first_row(db, write) for write in batch]
            db.execute("COMMIT")
            self.commits += 1
        except BaseException:
            with contextlib.suppress(Exception):  # a failed COMMIT may have ended it
                db.execute("ROLLBACK")
            raise
        return rows

    def _alone(self, db: SqlConnection, write: _Write) -> None:
        try:
            with db.statement_lock():
                row = self._in_one_transaction(db, [write])[0]
        except Exception as error:
            write.future.set_exception(error)
        else:
            write.future.set_result(row)

    def _fail_all(self, error: Exception) -> None:
        while (write := self._pending.get()) is not None:
            if write.future.set_running_or_notify_cancel():
                write.future.set_exception(error)


def _first_row(db: SqlConnection, write: _Write) -> Row:
    cursor = db.execute(write.sql, write.params)
    # Read to the end: on SQLite a statement alone commits when it has run to its end.
    rows = cursor.fetchall() if cursor.description else []
    return tuple(rows[0]) if rows else None


# --- one writer per store and process ---------------------------------------------------------


@dataclass
class _Shared:
    writer: GroupCommit
    users: int = 0


_WRITERS: dict[str, _Shared] = {}
_GUARD = threading.Lock()


def shared_writer(key: str, connect: Callable[[], SqlConnection], *, begin: str) -> GroupCommit:
    """The writer of the store named `key` in this process, started on first use; each
    caller gives it back with `release_writer` when its unit of work closes."""
    with _GUARD:
        shared = _WRITERS.get(key)
        if shared is None:
            shared = _WRITERS[key] = _Shared(GroupCommit(connect, begin=begin, name=key))
        shared.users += 1
        return shared.writer


def release_writer(writer: GroupCommit) -> None:
    """One user fewer; the last one stops the writer (after its pending writes)."""
    with _GUARD:
        for key, shared in _WRITERS.items():
            if shared.writer is writer:
                shared.users -= 1
                if shared.users > 0:
                    return
                del _WRITERS[key]
                break
        else:
            return
    writer.stop()

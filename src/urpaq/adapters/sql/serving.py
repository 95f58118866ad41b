"""The serving port in SQL, on a connection of its own (`open_serving` in each binding).

Each write is a single statement where one suffices (SQLite and PostgreSQL both take
`INSERT … ON CONFLICT … RETURNING`), so that no server waits for another longer than one
statement; the process's writer for the store (`group_commit.py`) commits the writes of
many requests at once.  Reads go straight to the connection.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

from urpaq.adapters.sql.connection import Params, SqlConnection
from urpaq.adapters.sql.group_commit import GroupCommit, Row
from urpaq.domain.audit import AuditEvent
from urpaq.domain.kazakhstan_time import day_begins
from urpaq.services.ports.serving import PendingChallenge

T = TypeVar("T")

_EVENT_COLUMNS = "at, actor, action, iin, outcome, request_id"

#: Upper bounds of how long a session and a sign-in challenge last (their owners set the
#: exact lengths): when a new one begins, those that ended this long before it are gone.
SESSION_LASTS_AT_MOST = dt.timedelta(hours=24)
CHALLENGE_LASTS_AT_MOST = dt.timedelta(hours=1)


#: How many ids a search by text reads first, from the newest; each next stretch is four
#: times as long.  A text that many events hold is found within the first (PostgreSQL
#: otherwise read the whole log, 1.4 s over 3 million events, not knowing how many hold
#: it); one that few hold reads the log once, in a few stretches.
FIRST_STRETCH = 65_536


def audit_events_in(
    db: SqlConnection,
    table: str,
    *,
    iin: str | None,
    since: dt.date | None,
    limit: int,
    actor: str | None = None,
    action: str | None = None,
    until: dt.date | None = None,
) -> list[AuditEvent]:
    """The latest events of one audit table, newest first (in the order they were
    written), filtered before the limit.

    A search of some days (`since`, `until`) reads only the events written between the
    first and the last of those days' events, found by the index on their moments
    (`audit_event_at`): one that few events match reads no others, however long the log.
    """
    # Days in Kazakhstan; the events' times are UTC's, in ISO text, which sorts as they do.
    moments: list[str] = []
    params: list[object] = []
    if since is not None:
        moments.append("at >= ?")
        params.append(day_begins(since).isoformat())
    if until is not None and until < dt.date.max:
        moments.append("at < ?")
        params.append(day_begins(until + dt.timedelta(days=1)).isoformat())
    conditions = list(moments)
    texts = [(column, text) for column, text in (("actor", actor), ("action", action)) if text]
    for column, text in texts:
        lowered = unicodedata.normalize("NFC", text).lower()
        escaped = lowered.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        condition = db.contains_sql(column)
        conditions.append(condition)
        params.extend([f"%{escaped}%"] * condition.count("?"))
    if iin is not None:  # a person's events are found by the index on the IIN
        return _events(db, table, [*conditions, "iin = ?"], [*params, iin], limit)
    first, last = _first_and_last(db, table, moments, params[: len(moments)])
    if first is None or last is None:
        return []
    found: list[AuditEvent] = []
    stretch = FIRST_STRETCH if texts else last - first + 1
    while last >= first and len(found) < limit:
        low = max(first, last - stretch + 1)
        between = [*conditions, "event_id BETWEEN ? AND ?"]
        found += _events(db, table, between, [*params, low, last], limit - len(found))
        last, stretch = low - 1, stretch * 4
    return found


def _first_and_last(
    db: SqlConnection, table: str, moments: list[str], params: list[object]
) -> tuple[int | None, int | None]:
    """The first and the last id of the events of those moments (of all, with none).
    `+ 0`: an aggregate of the bare id would send PostgreSQL along the ids from either end
    until one is of those days (0.75 s for a day in 3 million events), not to the index
    on the moment (milliseconds)."""
    if moments:
        where = " AND ".join(moments)
        sql = f"SELECT MIN(event_id + 0), MAX(event_id + 0) FROM {table} WHERE {where}"
    else:  # each from its end of the ids (SQLite reads the whole log for both in one)
        sql = f"SELECT (SELECT MIN(event_id) FROM {table}), (SELECT MAX(event_id) FROM {table})"
    first, last = db.execute(sql, tuple(params)).fetchone()
    return (None, None) if first is None else (int(first), int(last))


def _events(
    db: SqlConnection, table: str, conditions: list[str], params: list[object], limit: int
) -> list[AuditEvent]:
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    rows = db.execute(
        f"SELECT {_EVENT_COLUMNS} FROM {table}{where} ORDER BY event_id DESC LIMIT {int(limit)}",
        tuple(params),
    )
    return [
        AuditEvent(dt.datetime.fromisoformat(at), actor, action, person, int(outcome), rid)
        for at, actor, action, person, outcome, rid in rows
    ]


def write_soon(
    db: SqlConnection, writer: GroupCommit | None, sql: str, params: Params
) -> Future[Row]:
    """One statement that writes, through the store's writer (else on `db`, committed on
    its own); the future gives its first row, if any, once it is durable."""
    if writer is not None:
        return writer.submit(sql, params)
    done: Future[Row] = Future()
    try:
        with db.statement_lock():
            cursor = db.execute(sql, params)
            row = cursor.fetchone() if cursor.description else None
    except Exception as error:
        done.set_exception(error)
    else:
        done.set_result(None if row is None else tuple(row))
    return done


def _then(future: Future[Row], convert: Callable[[Row], T]) -> Future[T]:
    """A future of `convert(row)` once `future` has its row."""
    converted: Future[T] = Future()

    def finish(done: Future[Row]) -> None:
        try:
            converted.set_result(convert(done.result()))
        except Exception as error:
            converted.set_exception(error)

    future.add_done_callback(finish)
    return converted


class SqlServing:
    """`schema` is where the tables are: "" for SQLite's own file, "serving." on
    PostgreSQL; `writer` the process's writer for the store (None: write on `db`)."""

    def __init__(
        self, db: SqlConnection, *, schema: str, writer: GroupCommit | None = None
    ) -> None:
        self.db = db
        self.schema = schema
        self.writer = writer

    def _write(self, sql: str, params: Params) -> Row:
        """One statement that writes; its first row, if any, once durable."""
        return write_soon(self.db, self.writer, sql, params).result()

    def record(self, event: AuditEvent) -> None:
        self.record_later(event).result()

    def record_later(self, event: AuditEvent) -> Future[None]:
        written = write_soon(
            self.db, self.writer,
            f"INSERT INTO {self.schema}audit_event ({_EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
            (
                event.at.isoformat(), event.actor, event.action, event.iin, event.outcome,
                event.request_id,
            ),
        )  # fmt: skip
        return _then(written, lambda row: None)

    def audit_events(
        self,
        *,
        iin: str | None,
        since: dt.date | None,
        limit: int,
        actor: str | None = None,
        action: str | None = None,
        until: dt.date | None = None,
    ) -> list[AuditEvent]:
        # A log read from a file replaced under its name would not be the one written
        # (and `/readyz`, which reads it, would call the process ready).
        self.db.check_still_there()
        return audit_events_in(
            self.db, f"{self.schema}audit_event", iin=iin, since=since, until=until,
            limit=limit, actor=actor, action=action,
        )  # fmt: skip

    def open_session(self, *, token_digest: str, iin: str, expires_at: dt.datetime) -> None:
        self._forget_expired(now=expires_at - SESSION_LASTS_AT_MOST)
        self._write(
            f"INSERT INTO {self.schema}session (token_digest, iin, expires_at) VALUES (?, ?, ?)",
            (token_digest, iin, expires_at.isoformat()),
        )

    def _forget_expired(self, *, now: dt.datetime) -> None:
        """Sessions and challenges that ended are deleted as new ones begin: the store
        keeps a person's IIN no longer than a day after their sign-in ended."""
        for table in ("session", "challenge"):
            self._write(
                f"DELETE FROM {self.schema}{table} WHERE expires_at <= ?", (now.isoformat(),)
            )

    def session_holder(self, *, token_digest: str, now: dt.datetime) -> str | None:
        row = self.db.execute(
            f"SELECT iin FROM {self.schema}session WHERE token_digest = ? AND expires_at > ?",
            (token_digest, now.isoformat()),
        ).fetchone()
        return None if row is None else str(row[0])

    def close_session(self, *, token_digest: str) -> None:
        self._write(f"DELETE FROM {self.schema}session WHERE token_digest = ?", (token_digest,))

    def save_challenge(
        self,
        *,
        challenge_id: str,
        iin: str,
        code_digest: str,
        expires_at: dt.datetime,
        attempts: int,
    ) -> None:
        self._forget_expired(now=expires_at - CHALLENGE_LASTS_AT_MOST)
        self._write(
            f"INSERT INTO {self.schema}challenge (challenge_id, iin, code_digest, expires_at,"
            " attempts_left) VALUES (?, ?, ?, ?, ?)",
            (challenge_id, iin, code_digest, expires_at.isoformat(), attempts),
        )

    def challenge_of(self, *, challenge_id: str, now: dt.datetime) -> PendingChallenge | None:
        row = self.db.execute(
            f"SELECT iin, code_digest, attempts_left FROM {self.schema}challenge"
            " WHERE challenge_id = ? AND expires_at > ?",
            (challenge_id, now.isoformat()),
        ).fetchone()
        return None if row is None else PendingChallenge(str(row[0]), str(row[1]), int(row[2]))

    def attempt_challenge(self, *, challenge_id: str, now: dt.datetime) -> PendingChallenge | None:
        row = self._write(
            f"UPDATE {self.schema}challenge SET attempts_left = attempts_left - 1"
            " WHERE challenge_id = ? AND expires_at > ? AND attempts_left > 0"
            " RETURNING iin, code_digest, attempts_left",
            (challenge_id, now.isoformat()),
        )
        return None if row is None else PendingChallenge(str(row[0]), str(row[1]), int(row[2]))

    def forget_challenge(self, *, challenge_id: str) -> bool:
        row = self._write(
            f"DELETE FROM {self.schema}challenge WHERE challenge_id = ? RETURNING challenge_id",
            (challenge_id,),
        )
        return row is not None

    def take_token_later(
        self, *, bucket: str, capacity: int, refill_seconds: float, now: float
    ) -> Future[float]:
        # The bucket refilled since it was last touched, capped at its capacity; one token
        # is taken when there is a whole one.  One statement, so two servers never take
        # the same token.
        # A clock that went back (a step of the time service, or two hosts a little
        # apart) refills nothing, rather than emptying the bucket.
        elapsed = "CASE WHEN :now > b.at THEN :now - b.at ELSE 0 END"
        refilled = (
            f"CASE WHEN b.tokens + ({elapsed}) / :refill > :capacity THEN :capacity"
            f" ELSE b.tokens + ({elapsed}) / :refill END"
        )
        row = write_soon(
            self.db, self.writer,
            f"INSERT INTO {self.schema}bucket AS b (bucket, tokens, at, granted)"
            " VALUES (:bucket, :capacity - 1, :now, 1)"
            " ON CONFLICT (bucket) DO UPDATE"
            " SET at = CASE WHEN :now > b.at THEN :now ELSE b.at END,"
            f" tokens = CASE WHEN {refilled} >= 1 THEN {refilled} - 1 ELSE {refilled} END,"
            f" granted = CASE WHEN {refilled} >= 1 THEN 1 ELSE 0 END"
            " RETURNING tokens, granted",
            {"bucket": bucket, "capacity": float(capacity), "refill": refill_seconds, "now": now},
        )  # fmt: skip

        def wait(row: Row) -> float:
            if row is None:
                raise RuntimeError(f"bucket {bucket!r} was not written")
            tokens, granted = float(row[0]), int(row[1])
            return 0.0 if granted else (1 - tokens) * refill_seconds

        return _then(row, wait)

    def forget_full_buckets(self, *, untouched_since: float) -> Future[None]:
        deleted = write_soon(
            self.db,
            self.writer,
            f"DELETE FROM {self.schema}bucket WHERE at < ?",
            (untouched_since,),
        )
        return _then(deleted, lambda row: None)

"""The PostgreSQL connection: the production database of urpaq.

The same SQL as SQLite (`urpaq.adapters.sql`), with PostgreSQL's fast paths:
register rows are staged with COPY, and every write transaction first takes one
transaction-scoped advisory lock, so writers run one after the other (as on SQLite)
while readers — statements and lookups — never wait for them.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from importlib import resources
from typing import Any, TypeVar
from urllib.parse import unquote

import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv

from urpaq.adapters.sql.connection import (
    DatabaseUnavailable,
    DatabaseUnusable,
    Params,
    SqlConnection,
)
from urpaq.adapters.sql.group_commit import GroupCommit, shared_writer
from urpaq.services.ports.unit_of_work import TransactionError

#: The advisory lock that makes writers take turns ("urpaq" in ASCII).
WRITER_LOCK = 0x75727061_71
#: The advisory lock under which one server creates the serving schema ("serve").
SERVING_SCHEMA_LOCK = 0x73657276_65

#: Statements sent again on a new connection when the server had dropped the old one,
#: outside a transaction (`PostgresConnection._again_if_lost`).
_RETRIED = ("SELECT", "BEGIN")

T = TypeVar("T")

_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


@functools.lru_cache(maxsize=1024)
def translate(sql: str) -> str:
    """Rewrite `:name` and `?` parameters in psycopg's `%(name)s` and `%s` style (the
    statements are few and said again and again: each is rewritten once)."""
    return _NAMED.sub(r"%(\1)s", sql.replace("%", "%%")).replace("?", "%s")


class MalformedDatabaseUrl(ValueError):
    """The driver cannot read the URL at all (a bad query parameter, percent escape or
    address); the message names it, its password masked, and why."""


class PostgresConnection(SqlConnection):
    """A connection to one PostgreSQL database."""

    migrations_package = "urpaq.adapters.postgres"
    unique_violation = psycopg.errors.UniqueViolation
    header_first = True  # the balance is checked at commit, by a deferred trigger
    snapshot_begin = "BEGIN ISOLATION LEVEL REPEATABLE READ"
    snapshot_begin_read_only = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"
    # Unicode's lower case whatever the database's own locale ("C" lowers ASCII only),
    # where the server has ICU; else the database's own (`__init__`).
    lower_sql = 'lower({0} COLLATE "und-x-icu")'
    table_names_sql = (
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = current_schema() ORDER BY table_name"
    )

    def __init__(self, url: str) -> None:
        self.url = url
        self.description = without_password(url)
        self.db = self._connect()
        icu, encoding = self.db.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu'),"
            " current_setting('server_encoding')"
        ).fetchone() or (False, "")
        # Letters written composed or decomposed (`й`, or `и` and its breve) are one text:
        # normalised where the database's text is UTF-8, which `normalize` asks for.
        text = "normalize({0}, NFC)" if encoding == "UTF8" else "{0}"
        lowered = f'lower({text} COLLATE "und-x-icu")' if icu else f"lower({text})"
        # A text of ASCII alone (as many bytes as characters) is lowered as it is: the
        # normalising and ICU's lower case of every event tripled a search's time.
        self.lower_sql = (
            f"(CASE WHEN octet_length({{0}}) = length({{0}}) THEN lower({{0}}) ELSE {lowered} END)"
        )

    def _connect(self) -> psycopg.Connection[Any]:
        self._check_ports()
        try:
            return psycopg.connect(self.url, autocommit=True)
        except psycopg.OperationalError as error:
            said = _first_line(error, self.url)
            if _BAD_SETTING.search(said):  # libpq read a setting's value before connecting
                raise MalformedDatabaseUrl(
                    f"database URL {self.description} is malformed:"
                    f" {said.removeprefix('connection is bad: ')}"
                ) from None
            if _NO_SUCH_DATABASE.search(said):
                raise DatabaseUnusable(
                    f"cannot connect to {self.description}: {said}; create it (docs/operations.md)"
                    " or name one that exists"
                ) from None
            raise DatabaseUnavailable(f"cannot connect to {self.description}: {said}") from None
        except psycopg.ProgrammingError as error:  # raised while reading the URL
            raise MalformedDatabaseUrl(
                f"database URL {self.description} is malformed: {_first_line(error, self.url)}"
            ) from None

    def _check_ports(self) -> None:
        """A port that is no number from 1 to 65535 is a malformed URL, not a server that
        cannot be reached (libpq tells it only when connecting)."""
        try:
            ports = str(psycopg.conninfo.conninfo_to_dict(self.url).get("port") or "")
        except psycopg.ProgrammingError:
            return  # the driver names what it cannot read when connecting
        for port in ports.split(","):
            if port and not (
                port.isascii() and port.isdigit() and len(port) <= 5 and 1 <= int(port) <= 65535
            ):
                shown = port if len(port) <= 10 else port[:10] + "…"
                raise MalformedDatabaseUrl(
                    f"database URL {self.description} is malformed:"
                    f" invalid port number {shown!r} (1 to 65535)"
                )

    def execute(self, sql: str, params: Params = None) -> Any:
        if self.in_transaction or not sql.lstrip().upper().startswith(_RETRIED):
            return self._execute(sql, params)
        return self._again_if_lost(lambda: self._execute(sql, params))

    def _execute(self, sql: str, params: Params) -> Any:
        if params is None:  # psycopg sends a statement without parameters as it is
            return self.db.execute(sql)
        return self.db.execute(translate(sql), params)

    def _again_if_lost(self, run: Callable[[], T]) -> T:
        """`run()`; if the server had dropped the connection (a restart, a failover), once
        more on a new one.  Only for what is safe to send twice: a read, or the start of
        a transaction, outside any transaction."""
        try:
            return run()
        except psycopg.OperationalError:
            if not self.db.broken:
                raise
            self.db = self._connect()
            return run()

    def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self.db.cursor() as cursor:
            cursor.executemany(translate(sql), list(rows))

    def close(self) -> None:
        self.db.close()

    @property
    def broken(self) -> bool:
        return bool(self.db.closed or self.db.broken)

    #: Where the journal's entry numbers stood before this transaction took its first
    #: (`last_value`, `is_called`), and whether it runs beside other shared writers,
    #: which take numbers of their own meanwhile.
    _numbers_before: tuple[int, bool] | None = None
    _shared: bool = False

    def _begin(self, *, shared: bool) -> None:
        self._shared = shared
        lock = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        try:
            # One round trip: the two statements in one message (no parameters).
            self._again_if_lost(lambda: self.db.execute(f"BEGIN; SELECT {lock}({WRITER_LOCK})"))
        except BaseException:
            # A wait that failed (a lock or statement timeout, a cancel) leaves the
            # transaction aborted: end it, or every later statement on this connection fails.
            if not self.db.broken:
                self.db.execute("ROLLBACK")
            raise

    def next_entry_id(self) -> int:
        # Only a writer alone restores the numbering when it discards (a preview): a
        # shared one (a payout) need not read where it stood.
        if self._numbers_before is None and not self._shared:
            last, called = self.execute(
                "SELECT last_value, is_called FROM journal_entry_number"
            ).fetchone()
            self._numbers_before = (int(last), bool(called))
        return int(self.scalar("SELECT nextval('journal_entry_number')"))

    def _end(self) -> None:
        self._numbers_before = None

    def discard(self) -> None:
        if not self.in_transaction:
            raise TransactionError(f"no transaction is open on {self.description}")
        try:
            # The deferred checks (every entry balances) run now, as at a commit.
            self.execute("SET CONSTRAINTS ALL IMMEDIATE")
            if self._numbers_before is not None and not self._shared:
                # A sequence ignores rollbacks; the writers' lock, held until the
                # rollback, keeps anyone else from taking a number meanwhile.
                self.execute("SELECT setval('journal_entry_number', ?, ?)", self._numbers_before)
        finally:
            self.rollback()

    def lock_rows_sql(self) -> str:
        return " FOR UPDATE"

    def lock_name(self, scope: str, name: str) -> None:
        # Two 32-bit keys: a key space of their own, apart from the writers' 64-bit lock.
        self.execute("SELECT pg_advisory_xact_lock(hashtext(?), hashtext(?))", (scope, name))

    def bulk_load(self, table: str, columns: Sequence[str], data: pa.Table) -> None:
        # The table as CSV, written by Arrow and read by COPY: no Python object per row.
        # An empty text is written quoted, a null as nothing (COPY's NULL in CSV).  Empty
        # record batches are left out: Arrow's CSV writer writes garbage for them.
        batches = [batch for batch in data.to_batches() if batch.num_rows]
        if not batches:
            return
        sink = pa.BufferOutputStream()
        with pacsv.CSVWriter(
            sink, data.schema, write_options=pacsv.WriteOptions(include_header=False)
        ) as writer:
            for batch in batches:
                writer.write_batch(batch)
        copy_sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT csv)"
        with self.db.cursor() as cursor, cursor.copy(copy_sql) as copy:
            copy.write(memoryview(sink.getvalue()))

    def refresh_statistics(self, tables: Sequence[str]) -> None:
        # Temporary tables are never analysed automatically, and a large import leaves the
        # planner's statistics behind: the checks and the next close need them.
        for table in tables:
            self.execute(f"ANALYZE {table}")

    def set_aside_for_first_import(self, tables: Sequence[str]) -> list[tuple[str, str]]:
        # Every index, the primary keys' too (docs/decisions/0026), read from the
        # catalogue, so that an index a later migration adds is included as it stands; an
        # index behind a PRIMARY KEY or UNIQUE constraint goes and comes back with it.
        rows = self.execute(
            """SELECT t.relname, i.relname, pg_get_indexdef(i.oid), c.conname,
                      pg_get_constraintdef(c.oid)
               FROM pg_index x
               JOIN pg_class i ON i.oid = x.indexrelid
               JOIN pg_class t ON t.oid = x.indrelid
               LEFT JOIN pg_constraint c ON c.conindid = i.oid AND c.conrelid = t.oid
               WHERE t.oid = ANY(CAST(? AS regclass[]))
               ORDER BY t.relname, i.relname""",
            (list(tables),),
        ).fetchall()
        indexes = [
            (f"ALTER TABLE {table} DROP CONSTRAINT {constraint}",
             f"ALTER TABLE {table} ADD CONSTRAINT {constraint} {definition}")
            if constraint is not None
            else (f"DROP INDEX {index}", create)
            for table, index, create, constraint, definition in rows
        ]  # fmt: skip
        # Dropping an index waits for every transaction that has read its table; while it
        # waits, every new reader of the table queues behind it.  A session left idle in a
        # transaction would hold the import, and the service, for as long as it stays:
        # the import waits a bounded time instead, and fails whole (docs/operations.md).
        waits = [
            (
                f"SET LOCAL lock_timeout = '{SET_ASIDE_WAIT_SECONDS}s'",
                "SET LOCAL lock_timeout = DEFAULT",
            )
        ]
        checks = []
        if "register_record" in tables:
            trigger = self.scalar(
                "SELECT pg_get_triggerdef(oid) FROM pg_trigger"
                " WHERE tgrelid = CAST('register_record' AS regclass)"
                " AND tgname = 'register_record_references'"
            )
            checks.append((_RECORD_REFERENCES_OFF, _RECORD_REFERENCES_ON.format(trigger=trigger)))
        return waits + indexes + checks

    def tidy(self, tables: Sequence[str]) -> None:
        # Marks the new rows visible to all, so the close's counts read indexes alone,
        # and refreshes the planner's statistics; cannot run inside a transaction.
        for table in tables:
            self.execute(f"VACUUM (ANALYZE) {table}")

    def has_schema_table(self) -> bool:
        return bool(self.scalar("SELECT to_regclass('schema_version') IS NOT NULL"))

    def run_script(self, script: str) -> None:
        self.db.execute(script.encode())


#: How long a first import waits for the register's tables to be free of other sessions'
#: transactions before it sets their indexes aside.
SET_ASIDE_WAIT_SECONDS = 10

#: The statement trigger that checks that new register records belong to a known person
#: and import batch keeps every inserted row aside to look them up after the statement:
#: 14 s of writing the national register's records.  Into an empty register, it is
#: dropped while the rows go in (switched off, it still had them kept aside), and the
#: same check then runs once over the whole table, in the same transaction, as the
#: trigger is created again from its definition (docs/decisions/0018).
_RECORD_REFERENCES_OFF = "DROP TRIGGER register_record_references ON register_record"
# Counted with the people hashed once (an EXISTS over tables just written is planned as a
# lookup per row, twice as slow).
_RECORD_REFERENCES_ON = """DO $$ BEGIN
           {trigger};
           IF (SELECT COUNT(*) FROM register_record n
               LEFT JOIN person p ON p.person_id = n.person_id
               WHERE p.person_id IS NULL) > 0
              OR (SELECT COUNT(*) FROM register_record
                  WHERE batch_id NOT IN (SELECT batch_id FROM import_batch)) > 0 THEN
               RAISE EXCEPTION 'register record of an unknown person or import batch';
           END IF;
       END $$"""


def writes_refused(error: BaseException) -> str | None:
    """The server's first line where it refuses writes (out of disk, a read-only
    transaction — a standby —, an I/O error): those of `storage_failure` for these, or
    None."""
    state = getattr(error, "sqlstate", None) or ""
    return storage_failure(error) if state in ("53100", "25006", "58030") else None


def storage_failure(error: BaseException) -> str | None:
    """The server's first line on a failure that is not the statement's: the server out of
    disk or memory, an I/O error, damaged data, a read-only transaction, a lock not had
    in time, the connection lost; or None for any other error.  No value of a row is in such a
    line."""
    if not isinstance(error, psycopg.OperationalError | psycopg.InternalError):
        return None
    state = error.sqlstate or ""  # none where the connection itself failed
    if state not in ("", "25006", "55P03", "XX001", "XX002") and not state.startswith(
        ("08", "53", "57P", "58")
    ):
        return None  # a statement timeout, a cancel, a bad statement: not the storage
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def unreachable(error: BaseException) -> bool:
    """Whether `error` says the server could not be reached or dropped the connection (a
    restart, a failover, a server shutting down or still starting): trying again later
    may pass."""
    if not isinstance(error, psycopg.OperationalError):
        return False
    state = error.sqlstate or ""
    return state == "" or state.startswith("08") or state in ("57P01", "57P02", "57P03")


#: libpq's refusal of a setting's value (`?sslmode=bogus`), before it connects.
_BAD_SETTING = re.compile(r'^(connection is bad: )?invalid "?[a-z_]+"? value', re.IGNORECASE)
#: The server's answer to a URL naming a database it does not have (SQLSTATE 3D000, not
#: given with a failed connection: its words, as the server says them in English).
_NO_SUCH_DATABASE = re.compile(r'FATAL: +database ".*" does not exist')

#: A password in a URL: after the user name (which may be empty), as a parameter
#: (`?password=…`, its name percent-encoded or not, up to the next `&`), or in a
#: connection string of keywords (`password=… host=…`, quoted or not).
_PASSWORD_IN_USER = re.compile(r"(://[^:/@]*):([^@]*)@")
_PARAMETER = re.compile(r"([?&])([^=&]*)=([^&]*)")
_KEYWORD = re.compile(r"(\b(?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)
_SECRETS = frozenset({"password", "sslpassword"})
_URL = re.compile(r"^\s*[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def without_password(text: str) -> str:
    """A database URL (or a message quoting one) to be shown: every password in it masked,
    wherever it gives one."""
    if not _URL.match(text):  # a string of keywords, or a message
        return _KEYWORD.sub(r"\1***", text)
    masked = _PASSWORD_IN_USER.sub(r"\1:***@", text)
    return _PARAMETER.sub(
        lambda m: f"{m[1]}{m[2]}=***" if unquote(m[2]).lower() in _SECRETS else m[0], masked
    )


def _passwords(url: str) -> set[str]:
    """The passwords a URL gives, as written and as libpq reads them."""
    found = {m[2] for m in _PASSWORD_IN_USER.finditer(url)}
    found |= {m[3] for m in _PARAMETER.finditer(url) if unquote(m[2]).lower() in _SECRETS}
    try:
        settings = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.Error:
        settings = {}
    found |= {str(settings[key]) for key in _SECRETS if settings.get(key)}
    return {*found, *map(unquote, found)} - {""}


def _first_line(error: Exception, url: str) -> str:
    """The first line of the driver's message, with the URL's passwords masked wherever
    the driver quoted them (as written in the URL, or decoded)."""
    text = str(error).strip()
    line = text.splitlines()[0] if text else "no answer"
    for password in sorted(_passwords(url), key=len, reverse=True):
        line = line.replace(password, "***")
    return without_password(line)


class SharedServing(PostgresConnection):
    """The serving connection of one database, shared by this process's units of work
    (threads): its statements commit one by one and never take the writers' lock, and
    psycopg runs one thread's statement at a time.  One per process rather than per
    thread keeps a server's connections at its threads plus one.  It closes when the last
    unit of work using it lets go."""

    users = 0

    def release(self) -> None:
        with _SERVING_GUARD:
            self.users -= 1
            if self.users == 0:
                _SERVING.pop(self.url, None)
                self.close()


_SERVING: dict[str, SharedServing] = {}
_SERVING_GUARD = threading.Lock()


def open_serving(url: str) -> SharedServing:
    """This process's serving connection to the database at `url`, its schema created
    on first use."""
    with _SERVING_GUARD:
        found = _SERVING.get(url)
        if found is None or found.db.closed:
            found = _SERVING[url] = _connect_serving(url)
        found.users += 1
        return found


def serving_writer(url: str) -> GroupCommit:
    """This process's writer of the serving schema of the database at `url`: a
    connection of its own, whose transactions never take the writers' lock."""
    return shared_writer(f"postgresql:{url}", lambda: PostgresConnection(url), begin="BEGIN")


def _connect_serving(url: str) -> SharedServing:
    serving = SharedServing(url)
    # The newest index names the newest version; the script creates only what is missing.
    if serving.scalar("SELECT to_regclass('serving.audit_event_at') IS NULL"):
        serving.execute("BEGIN")
        try:
            serving.execute("SELECT pg_advisory_xact_lock(?)", (SERVING_SCHEMA_LOCK,))
            script = resources.files(__package__).joinpath("serving.sql").read_text("utf-8")
            serving.run_script(script)
        except BaseException:
            serving.execute("ROLLBACK")
            raise
        serving.execute("COMMIT")
    return serving

"""One database connection: statements, transactions and the schema's migrations.

The SQL of the other modules here is the common ground of SQLite and PostgreSQL; each
database's binding (`adapters/sqlite/`, `adapters/postgres/`) supplies the connection,
how a writer begins, bulk loading and its migrations.  Parameters are written `:name`
(or `?`); PostgreSQL's binding translates them.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from importlib import resources
from typing import Any

import pyarrow as pa

from urpaq.services.ports.schema import (
    NotUrpaqDatabase,
    SchemaIncomplete,
    SchemaTooNew,
    UpgradeRefused,
)
from urpaq.services.ports.unit_of_work import TransactionError

Params = Sequence[Any] | Mapping[str, Any] | None


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached, or its storage cannot take the work now (a server
    down, a disk full); the message says which and why.  Trying again may pass."""


class DatabaseUnusable(RuntimeError):
    """The URL names no database that can be opened (a SQLite path that is no database, a
    PostgreSQL database its server does not have): trying again cannot help; the message
    says why."""


class SqlConnection(ABC):
    """A connection to one database, with the few things each database does its own way."""

    #: The package holding this database's `migrations/` folder.
    migrations_package: str
    #: Where the data lives, for messages (a URL without its password).
    description: str
    #: Whether an entry's header is written before its postings (PostgreSQL checks the
    #: balance at commit) or after them (SQLite's trigger checks it as the header lands).
    header_first: bool = False
    in_transaction: bool = False
    #: Inside a write transaction (not a snapshot): what is read may yet be rolled back.
    writing: bool = False

    #: What the driver raises when a unique index or key meets a value twice.
    unique_violation: type[Exception]
    #: The type of the line number of an import's staged rows, its key.
    staged_line_type: str = "BIGINT NOT NULL"
    #: How a transaction that sees one state and takes no writer's lock begins; where a
    #: read-only one cannot write temporary tables, the second.
    snapshot_begin: str = "BEGIN"
    snapshot_begin_read_only: str = "BEGIN"

    # --- what each database supplies -------------------------------------------------

    @abstractmethod
    def execute(self, sql: str, params: Params = None) -> Any:
        """Run one statement; return a cursor (iterable, with fetchone and fetchall)."""

    @abstractmethod
    def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    @abstractmethod
    def _begin(self, *, shared: bool) -> None:
        """Start a write transaction that excludes every other writer until it ends; a
        `shared` one runs beside other shared ones (each locks the rows it changes) and
        excludes only the others."""

    def _end(self) -> None:  # noqa: B027 — a hook: most databases need nothing here
        """After a transaction ends, committed or not."""

    @abstractmethod
    def close(self) -> None: ...

    def release(self) -> None:
        """Let go of the connection: close it, unless others share it."""
        self.close()

    @property
    def broken(self) -> bool:
        """Whether the connection was lost (a server that went away): no statement on it
        can succeed any more."""
        return False

    def check_still_there(self) -> None:  # noqa: B027 — a hook: a server's database stays
        """Raise `DatabaseUnavailable` if what this connection writes is no longer the
        database others read (its file deleted or replaced under its name)."""

    @abstractmethod
    def has_schema_table(self) -> bool: ...

    #: The names of the database's tables (its own schema's on PostgreSQL), in order.
    table_names_sql: str
    #: A text column (`{0}`) in lower case as Unicode has it, not only ASCII, its letters
    #: composed (NFC) where the database can.
    lower_sql: str
    #: Whether a column holds only values of its type (PostgreSQL), or any (SQLite's
    #: columns take text in an INTEGER column, if someone writes it by hand).
    columns_typed = True

    def contains_sql(self, column: str) -> str:
        """A condition that the text of `column` holds a `LIKE` pattern given (in lower
        case, `\\` escaping) to each of its `?`, letter case aside as Unicode has it."""
        return f"{self.lower_sql.format(column)} LIKE ? ESCAPE '\\'"

    def table_names(self) -> list[str]:
        return [str(name) for (name,) in self.execute(self.table_names_sql).fetchall()]

    @abstractmethod
    def run_script(self, script: str) -> None: ...

    def statement_lock(self) -> AbstractContextManager[object]:
        """Held around a write outside a transaction: SQLite's writers of one process queue
        on it (waking at once, where SQLite's own busy handler sleeps and polls)."""
        return contextlib.nullcontext()

    def bulk_load(self, table: str, columns: Sequence[str], data: pa.Table) -> None:
        """Load the columns of an Arrow table into a temporary table, in order."""
        width = len(columns)
        values = [data.column(index).to_pylist() for index in range(data.num_columns)]
        flat = list(itertools.chain.from_iterable(zip(*values, strict=True)))
        # Many rows to a statement: one row a statement costs a sixth more (SQLite, ten
        # columns).  Under 1,000 parameters a statement, which any SQLite build takes.
        rows = max(1, 999 // max(1, width))
        row = f"({', '.join('?' for _ in columns)})"
        insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
        step = rows * width
        whole = len(flat) - len(flat) % step
        if whole:
            self.execute_many(
                insert + ", ".join([row] * rows),
                (flat[start : start + step] for start in range(0, whole, step)),
            )
        if whole < len(flat):
            self.execute(insert + ", ".join([row] * ((len(flat) - whole) // width)), flat[whole:])

    @contextmanager
    def snapshot(self, *, read_only: bool = False) -> Iterator[None]:
        """A transaction that sees one state of the database and takes no writer's lock:
        it may write temporary tables only (none at all when `read_only`)."""
        if self.in_transaction:
            raise TransactionError(f"a transaction is already open on {self.description}")
        self.execute(self.snapshot_begin_read_only if read_only else self.snapshot_begin)
        self.in_transaction = True
        try:
            yield
        except BaseException:
            self.execute("ROLLBACK")
            raise
        else:
            self.execute("COMMIT")
        finally:
            self.in_transaction = False

    def refresh_statistics(self, tables: Sequence[str]) -> None:
        """Tell the query planner about tables that just changed a lot."""
        return None

    def creates_unique_index(self, sql: str) -> bool:
        """Build a unique index inside the open transaction; False, with nothing built,
        where the values repeat."""
        self.execute("SAVEPOINT unique_index")
        try:
            self.execute(sql)
        except self.unique_violation:
            self.execute("ROLLBACK TO SAVEPOINT unique_index")
            self.execute("RELEASE SAVEPOINT unique_index")
            return False
        self.execute("RELEASE SAVEPOINT unique_index")
        return True

    def repeats_a_key(self, error: BaseException) -> bool:
        """Whether `error` is a unique key's refusal of a value it holds already."""
        return isinstance(error, self.unique_violation)

    def set_aside_for_first_import(self, tables: Sequence[str]) -> list[tuple[str, str]]:
        """What an import into empty `tables` does without while it writes them, each as
        the statement that sets it aside and the one that restores it: indexes (built
        again as the schema defines them), checks made per statement (made again once over
        the whole table).  None where restoring costs what it saves."""
        return []

    def forget_temporary(self, tables: Sequence[str]) -> None:
        """Drop this connection's temporary `tables` (outside a transaction); on a lost
        connection they are gone with its session, and the error that lost it stands."""
        if self.broken:
            return
        for table in tables:
            self.execute(f"DROP TABLE IF EXISTS {table}")

    def tidy(self, tables: Sequence[str]) -> None:
        """Bring the database's own bookkeeping of tables up to date after a large
        change; runs outside a transaction."""
        return None

    # --- transactions ----------------------------------------------------------------

    def begin(self, *, shared: bool = False) -> None:
        if self.in_transaction:
            raise TransactionError(f"a transaction is already open on {self.description}")
        self._begin(shared=shared)
        self.in_transaction = True
        self.writing = True

    def next_entry_id(self) -> int:
        """The number of the next journal entry, inside a write transaction."""
        return int(self.scalar("SELECT COALESCE(MAX(entry_id), 0) + 1 FROM journal_entry"))

    def lock_rows_sql(self) -> str:
        """What a SELECT ends with to lock the rows it reads until the transaction ends
        (nothing where there is one writer at a time)."""
        return ""

    def lock_name(self, scope: str, name: str) -> None:
        """Hold a lock named by two texts until the transaction ends (nothing where there
        is one writer at a time)."""
        return None

    def commit(self) -> None:
        self._finish("COMMIT")

    def rollback(self) -> None:
        self._finish("ROLLBACK")

    def discard(self) -> None:
        """Roll back after checking what a commit would check and giving back the entry
        numbers taken: where every check runs at once and entries are numbered MAX + 1
        under the one writer, a rollback does both."""
        self.rollback()

    def _finish(self, statement: str) -> None:
        if not self.in_transaction:
            raise TransactionError(f"no transaction is open on {self.description}")
        try:
            # A lost connection's transaction ended with it: a rollback has nothing left to
            # do, and its own error ("the connection is closed") would hide the first one.
            if not (statement == "ROLLBACK" and self.broken):
                self.execute(statement)
        finally:
            self.in_transaction = False
            self.writing = False
            self._end()

    # --- helpers ---------------------------------------------------------------------

    def scalar(self, sql: str, params: Params = None) -> Any:
        row = self.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def query(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.execute(sql, params).fetchall()]


class SqlSchema:
    """The schema port: numbered migration scripts, run in order inside one transaction."""

    def __init__(self, db: SqlConnection) -> None:
        self.db = db

    def latest_version(self) -> int:
        return len(migrations(self.db.migrations_package))

    def version(self) -> int:
        self.db.check_still_there()
        if not self.db.has_schema_table():
            return 0
        return int(self.db.scalar("SELECT MAX(version) FROM schema_version") or 0)

    def other_tables(self) -> list[str]:
        return [] if self.version() else list(self.db.table_names())

    def initialise(self) -> int:
        self.db.begin()
        version = 0  # until read: a failure to read it says nothing of a schema
        latest = self.latest_version()
        try:
            version = self.version()
            if version > latest:
                raise SchemaTooNew(
                    f"database schema version {version} is newer than this urpaq "
                    f"({latest}); upgrade urpaq"
                )
            if others := self.other_tables():
                shown = ", ".join(others[:5]) + (", …" if len(others) > 5 else "")
                raise NotUrpaqDatabase(
                    f"database {self.db.description} holds tables that are not urpaq's"
                    f" ({shown}): urpaq makes its schema only in an empty database"
                )
            for number, script in migrations(self.db.migrations_package):
                if number > version:
                    self._run_migration(number, script, version=version)
                    self.db.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
            # Checked before the commit: a version another build numbered otherwise was
            # upgraded into one that build no longer reads, and then refused.
            if missing := self.missing_parts():
                raise self._incomplete(version, self.missing_parts(up_to=version) or missing)
        except SchemaIncomplete:
            self.db.rollback()
            raise
        except BaseException as error:
            self.db.rollback()
            # A migration that failed on what the database's own version should have (a
            # column of a side branch's placeholder version) says so rather than fail.
            # Only of a version this urpaq knows: one newer (`SchemaTooNew`) is as it is.
            known = isinstance(error, Exception) and 0 < version <= latest
            if known and (missing := self.missing_parts(up_to=version)):
                raise self._incomplete(version, missing) from error
            raise
        self.db.commit()
        return self.version()

    def _incomplete(self, version: int, missing: list[str]) -> SchemaIncomplete:
        shown = ", ".join(missing[:6]) + (
            f" and {len(missing) - 6} more" if len(missing) > 6 else ""
        )
        return SchemaIncomplete(
            f"database {self.db.description} says schema version {version} but lacks"
            f" what that version has ({shown}): another build of urpaq made it; restore"
            " it from a backup, or upgrade it with the build that made it; nothing was changed"
        )

    def _run_migration(self, number: int, script: str, *, version: int) -> None:
        try:
            self.db.run_script(script)
        except Exception as error:
            # An object the migration makes is there already: the database says an older
            # version than it holds (a backup restored over a newer schema, or a change
            # by hand).  In the databases' words, "… already exists" (a column, on
            # SQLite: "duplicate column name").
            said = str(error).strip().splitlines()[0] if str(error).strip() else ""
            if self.db.repeats_a_key(error):  # rows the version takes for one
                raise UpgradeRefused(
                    f"database {self.db.description} cannot be upgraded to schema version"
                    f" {number}: two of its rows would become one ({said}{_detail(error)});"
                    " nothing was changed. The version's own words: "
                    + " ".join(
                        line.removeprefix("--").strip()
                        for line in script.splitlines()
                        if line.startswith("--")
                    )
                ) from error
            if "already exists" not in said and "duplicate column" not in said:
                raise
            raise SchemaIncomplete(
                f"database {self.db.description} says schema version {version} but already"
                f" holds what version {number} makes ({said}): a backup restored over a newer"
                " schema? Restore it into an empty database (docs/operations.md); nothing was"
                " changed"
            ) from error

    def missing_parts(self, *, up_to: int | None = None) -> list[str]:
        """The tables and columns of this version's schema, or of version `up_to`, (as the
        embedded database's migrations make it, which the two databases agree on:
        tests/test_schema_agreement.py) that the database lacks."""
        fresh = sqlite3.connect(":memory:")
        try:
            for number, script in migrations(_SCHEMA_SOURCE):
                if up_to is None or number <= up_to:
                    fresh.executescript(script)
            expected = {table: _columns(fresh, table) for (table,) in fresh.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )}  # fmt: skip
        finally:
            fresh.close()
        found = set(self.db.table_names())
        missing = []
        for table, columns in sorted(expected.items()):
            if table not in found:
                missing.append(f"table {table}")
                continue
            have = set(_columns(self.db, table))
            missing += [f"column {table}.{column}" for column in columns if column not in have]
        return missing


#: The migrations whose result `SqlSchema.missing_parts` compares a database with.
_SCHEMA_SOURCE = "urpaq.adapters.sqlite"


def _columns(db: sqlite3.Connection | SqlConnection, table: str) -> list[str]:
    return [column[0] for column in db.execute(f'SELECT * FROM "{table}" WHERE 1 = 0').description]


class MigrationsOutOfOrder(RuntimeError):
    """The migration scripts shipped with urpaq are not numbered 1…n."""


def migrations(package: str) -> list[tuple[int, str]]:
    """The numbered migration scripts of a database, in order: `(version, script)`."""
    folder = resources.files(package).joinpath("migrations")
    found = []
    for item in folder.iterdir():
        match = re.match(r"^(\d{4})_.*\.sql$", item.name)
        if match:
            found.append((int(match.group(1)), item.read_text(encoding="utf-8")))
    found.sort()
    if [v for v, _ in found] != list(range(1, len(found) + 1)):
        raise MigrationsOutOfOrder(
            f"migrations of {package} must be numbered 1…n, found {[v for v, _ in found]}"
        )
    return found


def split_script(script: str, *, complete: Any = None) -> Iterator[str]:
    """Split a migration script into statements, keeping trigger bodies whole.

    `complete(text)` tells whether `text` is a whole statement (SQLite's
    `complete_statement`); without it a statement ends at a line ending in `;`.
    """
    buffer: list[str] = []
    for line in script.splitlines():
        if line.strip().startswith("--") and not buffer:
            continue
        buffer.append(line)
        text = "\n".join(buffer).strip()
        if text.endswith(";") and (complete is None or complete(text)):
            yield text
            buffer = []


def _detail(error: Exception) -> str:
    """What a database adds to a refusal, after a semicolon (PostgreSQL's `Key
    (number)=(N-1) already exists`), on one line; nothing where it adds nothing."""
    detail = " ".join(str(getattr(getattr(error, "diag", None), "message_detail", "")).split())
    return f"; {detail}" if detail and detail != "None" else ""

"""The SQLite connection: the embedded default database of urpaq."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa

from urpaq.adapters.sql.connection import (
    DatabaseUnavailable,
    DatabaseUnusable,
    Params,
    SqlConnection,
    split_script,
)
from urpaq.adapters.sql.group_commit import GroupCommit, shared_writer

#: The page of a new register database: 8 KiB, where SQLite's default is 4 KiB.  An
#: import writes the national register's 7.5 million people and records in some 7 % less
#: time; 16 KiB saved no more and made payouts a sixth slower, each commit writing its
#: pages whole (docs/decisions/0025).  The serving file keeps the default: each of its
#: commits is a few rows.
REGISTER_PAGE_BYTES = 8192


def connect(path: str, *, page_bytes: int | None = None) -> sqlite3.Connection:
    """A connection with the store's settings.  `page_bytes` lays out a database still
    empty (and the connection's temporary tables, where an import stages its rows); a
    database with tables keeps the page it was made with."""
    _create_private(path)
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    if page_bytes is not None:
        connection.execute(f"PRAGMA page_size = {int(page_bytes)}")
        connection.execute(f"PRAGMA temp.page_size = {int(page_bytes)}")
    connection.execute("PRAGMA journal_mode = WAL")
    # FULL: a committed close survives a power cut, not only a crash of the process.
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("PRAGMA cache_size = -262144")  # 256 MiB of page cache
    connection.execute("PRAGMA temp.cache_size = -131072")  # 128 MiB for an import's staging
    connection.execute("PRAGMA busy_timeout = 600000")  # wait up to 10 minutes for a writer
    # SQLite's own lower() knows only ASCII: a search of the audit log for "иван" must
    # find "staff:Иван".
    connection.create_function("urpaq_lower", 1, _lower, deterministic=True)
    return connection


def _create_private(path: str) -> None:
    """Make a database file that does not exist yet readable and writable by its owner
    alone, whatever the umask: it holds personal data (the serving file, the audit log
    and sign-ins).  SQLite gives its journal files the database's permissions.  A path
    that cannot be made is left for SQLite to refuse, naming it."""
    if path == ":memory:" or path.startswith("file:") or not path:
        return
    # There already, or not to be made: SQLite opens it or says why not.
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _lower(text: str | None) -> str | None:
    """Unicode's lower case of a text, its letters composed (`й`, not `и` and a breve)."""
    return None if text is None else unicodedata.normalize("NFC", str(text)).lower()


_WRITER_LOCKS: dict[str, threading.Lock] = {}
_WRITER_LOCKS_GUARD = threading.Lock()


def _writer_lock(path: str) -> threading.Lock:
    """The lock that the writers of one database file share within this process."""
    if path == ":memory:":
        return threading.Lock()  # a database of its own connection only
    key = str(Path(path).resolve())
    with _WRITER_LOCKS_GUARD:
        return _WRITER_LOCKS.setdefault(key, threading.Lock())


class _WritersOfAllProcesses:
    """The writers of one database file in every process on this host queue here: first
    on the lock of their own process, then on an advisory lock of the file beside the
    database (`flock`), which the kernel hands to the next waiter as soon as it is let
    go — where SQLite's busy handler, for a writer of another process, sleeps and polls
    (1, 2, 5 … 100 ms).  For the serving store's writers, one per server process, which
    commit every few milliseconds."""

    def __init__(self, path: str) -> None:
        self._threads = _writer_lock(path)
        self._file = os.open(f"{path}-writers.lock", os.O_RDWR | os.O_CREAT, 0o600)

    def __enter__(self) -> None:
        self._threads.acquire()
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def __exit__(self, *_: object) -> None:
        fcntl.flock(self._file, fcntl.LOCK_UN)
        self._threads.release()

    def acquire(self) -> None:
        self.__enter__()

    def release(self) -> None:
        self.__exit__()

    def close(self) -> None:
        os.close(self._file)


def _why_unopenable(path: str, error: OSError | sqlite3.DatabaseError) -> str:
    """The reason in words an operator can act on."""
    if _looks(path, Path.is_dir):
        return "it is a directory"  # SQLite only says it is "unable to open database file"
    if isinstance(error, OSError) and error.filename is not None:
        return f"{error.strerror}: {error.filename}"
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
    if (
        code in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY)
        and _looks(path, Path.is_file)
        and not (os.access(path, os.W_OK) and os.access(Path(path).parent, os.W_OK))
    ):
        # Also to read, SQLite writes its -wal and -shm files beside the database.
        return f"{error}: the file or its folder is read-only, and SQLite writes beside it"
    return str(error)


def _special(path: Path) -> bool:
    """Whether the path names something that is neither a file nor a directory."""
    return path.exists() and not path.is_file() and not path.is_dir()


def _looks(path: str, test: Callable[[Path], bool]) -> bool:
    """`test` of the path, False where the path cannot even be looked at (a folder on
    the way that this user may not enter): the error that brought us here says why."""
    try:
        return test(Path(path))
    except OSError:
        return False


#: SQLite's primary result codes of storage that failed the database: not the input's
#: fault, and nothing the statement wrote is kept.
_STORAGE_FAILURES = frozenset(
    {sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_READONLY,
     sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
)  # fmt: skip


def _passing_failure(error: BaseException) -> bool:
    """A failure to open that may pass (the disk full, an I/O error, memory short), as
    against a path that names no database that can be opened."""
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
    return code in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_NOMEM)


def writes_refused(error: BaseException) -> str | None:
    """SQLite's words where the storage refuses writes (the disk full or read-only, an
    I/O error): those of `storage_failure` for these, or None."""
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
    return storage_failure(error) if code in _WRITES_REFUSED else None


_WRITES_REFUSED = frozenset({sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR})


def storage_failure(error: BaseException) -> str | None:
    """SQLite's words for a failure of the storage under a database (the disk full or
    read-only, an I/O error, a damaged file), or None for any other error."""
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(error, sqlite3.DatabaseError) and code is not None:
        return str(error) if code & 0xFF in _STORAGE_FAILURES else None
    return None


class SqliteConnection(SqlConnection):
    """A connection to one SQLite database file.

    SQLite has one writer at a time: a write transaction begins `IMMEDIATE`, so a second
    close of the same database waits for the first and then finds the year closed.
    """

    migrations_package = "urpaq.adapters.sqlite"
    unique_violation = sqlite3.IntegrityError
    staged_line_type = "INTEGER PRIMARY KEY"  # the rowid: no index of its own
    snapshot_begin = "BEGIN DEFERRED"  # writes to temporary tables lock only those
    lower_sql = "urpaq_lower({})"
    columns_typed = False
    table_names_sql = (
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name"
    )

    def __init__(
        self,
        path: str,
        *,
        writers_of_all_processes: bool = False,
        page_bytes: int | None = REGISTER_PAGE_BYTES,
    ) -> None:
        """`writers_of_all_processes`: its writers queue with those of other processes
        on a lock of the file's own (`_WritersOfAllProcesses`), not only in this one.
        `page_bytes`: the page of the database if it is new (`connect`)."""
        self.path = path
        self.description = f"sqlite:///{path}"
        self.page_bytes = page_bytes
        if path != ":memory:" and _looks(path, _special):
            # SQLite would open `/dev/null` and write a journal beside it, in `/dev`.
            raise DatabaseUnusable(
                f"database {self.description} cannot be opened: it is not a regular file"
                " (a device, a pipe or a socket)"
            )
        try:
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.db = connect(path, page_bytes=page_bytes)
        except (OSError, sqlite3.DatabaseError) as error:
            if _passing_failure(error):
                raise DatabaseUnavailable(
                    f"database {self.description} cannot be opened now: {error}"
                ) from None
            raise DatabaseUnusable(
                f"database {self.description} cannot be opened: {_why_unopenable(path, error)}"
            ) from None
        self._file = _file_identity(path)
        self._writers: threading.Lock | _WritersOfAllProcesses = (
            _WritersOfAllProcesses(path) if writers_of_all_processes else _writer_lock(path)
        )

    #: A write refused because the connection is read-only: it was opened while the file
    #: was (a `chmod`, a volume remounted), and stays so for its life, whatever the file
    #: is now.  It is opened again before its next statement outside a transaction, so
    #: that a server's writes go through again once the file is writable.
    _found_read_only = False

    def execute(self, sql: str, params: Params = None) -> Any:
        if self._found_read_only and not self.db.in_transaction:
            self._open_again()
        try:
            return self.db.execute(sql, () if params is None else params)
        except sqlite3.OperationalError as error:
            self._note(error)
            raise

    def contains_sql(self, column: str) -> str:
        # SQLite's own LIKE, in C, folds ASCII letters alone; lowering every row in Python
        # took six times as long over 3 million audit events: only a text holding other
        # letters (more characters than bytes) is lowered in Python.
        return (
            f"({column} LIKE ? ESCAPE '\\' OR (length({column}) <> length(CAST({column} AS BLOB))"
            f" AND urpaq_lower({column}) LIKE ? ESCAPE '\\'))"
        )

    def repeats_a_key(self, error: BaseException) -> bool:
        # SQLite's IntegrityError is also a CHECK's, a NOT NULL's, a foreign key's.
        return (getattr(error, "sqlite_errorcode", None) or 0) in _KEY_REPEATED

    def _note(self, error: sqlite3.OperationalError) -> None:
        if (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF == sqlite3.SQLITE_READONLY:
            self._found_read_only = True

    def _open_again(self) -> None:
        # The new connection first: the last one to a database closed checkpoints it.
        replaced, self.db = self.db, connect(self.path, page_bytes=self.page_bytes)
        self._found_read_only = False
        replaced.close()

    def check_still_there(self) -> None:
        if self._file is not None and _file_identity(self.path) != self._file:
            raise DatabaseUnavailable(_replaced(self.path))

    def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        if self._found_read_only and not self.db.in_transaction:
            self._open_again()
        try:
            self.db.executemany(sql, rows)
        except sqlite3.OperationalError as error:
            self._note(error)
            raise

    def bulk_load(self, table: str, columns: Sequence[str], data: pa.Table) -> None:
        # One transaction of the connection's own for the whole batch, unless one is open;
        # a temporary table takes no lock of the database file.
        if self.in_transaction:
            super().bulk_load(table, columns, data)
            return
        with self.snapshot():
            super().bulk_load(table, columns, data)

    def forget_temporary(self, tables: Sequence[str]) -> None:
        # A connection's temporary tables live in a file of its own, deleted whole when
        # the connection closes; dropping them frees their pages one by one (1.3–3 s
        # for the rows of a national import).  Where nothing else is temporary, the
        # connection is opened again instead.
        if (
            self.path == ":memory:"
            or self.in_transaction
            or self.scalar(
                "SELECT COUNT(*) FROM temp.sqlite_master WHERE tbl_name NOT IN"
                f" ({', '.join('?' for _ in tables)})",
                tuple(tables),
            )
        ):
            super().forget_temporary(tables)
            return
        self._open_again()

    def close(self) -> None:
        self.db.close()
        if isinstance(self._writers, _WritersOfAllProcesses):
            self._writers.close()

    def _begin(self, *, shared: bool) -> None:
        # Writers in one process queue on a lock, which wakes the next at once; SQLite's
        # own busy handler, left for writers in other processes, sleeps and polls.
        self._writers.acquire()
        try:
            if self._found_read_only:
                self._open_again()
            try:
                self.db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                self._note(error)
                raise
        except BaseException:
            self._writers.release()
            raise

    def _end(self) -> None:
        self._writers.release()

    def statement_lock(self) -> AbstractContextManager[object]:
        return self._writers

    def has_schema_table(self) -> bool:
        return bool(
            self.scalar(
                "SELECT COUNT(*) FROM sqlite_master"
                " WHERE type = 'table' AND name = 'schema_version'"
            )
        )

    def run_script(self, script: str) -> None:
        for statement in split_script(script, complete=sqlite3.complete_statement):
            self.db.execute(statement)


SERVING_SCHEMA_VERSION = 5

_KEY_REPEATED = (sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)


def _file_identity(path: str) -> tuple[int, int] | None:
    """Which file a path names now (device and inode); None for a database in memory
    or a path that names nothing."""
    if path == ":memory:":
        return None
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_dev, status.st_ino)


def _replaced(path: str) -> str:
    return (
        f"database {path} was deleted or replaced while this process used it: what is"
        " written now would be lost or kept apart from the other server processes;"
        " restart every server process (docs/operations.md)"
    )


def serving_path(path: str) -> str:
    """The file beside a database that holds what the servers share: `urpaq.db` →
    `urpaq-serving.db`."""
    if path == ":memory:":
        return path
    main = Path(path)
    return str(main.with_name(f"{main.stem}-serving{main.suffix or '.db'}"))


def serving_writer(path: str) -> GroupCommit | None:
    """This process's writer of the serving file of the database at `path` (none for a
    database in memory, which only its own connection sees)."""
    if path == ":memory:":
        return None
    file = serving_path(path)
    return shared_writer(
        f"sqlite:{Path(file).resolve()}",
        lambda: SqliteConnection(file, writers_of_all_processes=True, page_bytes=None),
        begin="BEGIN IMMEDIATE",
    )


#: The serving files this process has opened, and which file each was: one deleted or
#: replaced meanwhile is not silently made again empty, or the servers would no longer
#: share their sessions, limits and audit log (each process writing its own file).
_SERVING_FILES: dict[str, tuple[int, int] | None] = {}


def open_serving(path: str) -> SqliteConnection:
    """A connection to the serving file of the database at `path`, its tables created on
    first use."""
    file = serving_path(path)
    if file in _SERVING_FILES and _file_identity(file) != _SERVING_FILES[file]:
        raise DatabaseUnavailable(_replaced(file))
    serving = SqliteConnection(file, page_bytes=None)
    _SERVING_FILES.setdefault(file, serving._file)
    if int(serving.scalar("PRAGMA user_version")) < SERVING_SCHEMA_VERSION:
        serving.begin()
        try:
            if int(serving.scalar("PRAGMA user_version")) < SERVING_SCHEMA_VERSION:
                script = resources.files(__package__).joinpath("serving.sql").read_text("utf-8")
                serving.run_script(script)
                serving.execute(f"PRAGMA user_version = {SERVING_SCHEMA_VERSION}")
        except BaseException:
            serving.rollback()
            raise
        serving.commit()
    return serving

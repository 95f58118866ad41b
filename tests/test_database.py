"""What each database guarantees by itself: schema upgrades, ledger rules enforced by the
database, and concurrent closes.  Every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pg_server import TemporaryPostgres, drop_other_connections
from urpaq.adapters.sql.connection import migrations
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.bootstrap import open_unit_of_work
from urpaq.services.unit_of_work import writing

HEADER = "record_id,iin,kind,effective_date,recorded_on,region\n"
FEED = HEADER + "".join(
    [
        "r1,080315601232,born_citizen,2008-03-15,2008-03-20,KZ-75\n",
        "r2,150101500011,born_citizen,2015-01-01,2015-01-05,KZ-71\n",
        "r3,160202600019,born_citizen,2016-02-02,2016-02-07,\n",
        "r4,150101500011,citizenship_lost,2024-04-01,2024-04-03,\n",
    ]
)


def urpaq(*args: str, db: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "urpaq", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "URPAQ_DB": db},
    )


def run(*args: str, db: str) -> str:
    process = urpaq(*args, db=db)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return out


def prepared(db: str, tmp_path: Path) -> str:
    (tmp_path / "feed.csv").write_text(FEED, encoding="utf-8")
    run("register", "import", str(tmp_path / "feed.csv"), db=db)
    run("parameters", "import", db=db)
    return db


@pytest.fixture
def empty_url(request: pytest.FixtureRequest, tmp_path: Path, database_url: str) -> str:
    """A database of the same kind as `database_url`, with no schema at all."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'empty.db'}"
    server: TemporaryPostgres = request.getfixturevalue("postgres")
    return server.create_database()


def test_a_version_1_database_is_upgraded_with_its_data(empty_url: str) -> None:
    """A database built by schema version 1, with people in it, is upgraded by `urpaq init`
    and then closes as a new one would."""
    uow = open_unit_of_work(empty_url)
    version_1 = migrations(uow.db.migrations_package)[0][1]
    with writing(uow, joined=False):
        uow.db.run_script(version_1)
        uow.db.execute("INSERT INTO schema_version (version) VALUES (1)")
        uow.db.execute(
            "INSERT INTO import_batch VALUES (1, 'sha', 'old.csv', '2024-01-10', 1, 3, 3, 0, 0)"
        )
        for person_id, iin, birth in (
            (1, "150101500011", "2015-01-01"),
            (2, "160202600019", "2016-02-02"),
        ):
            uow.db.execute(
                "INSERT INTO person (person_id, iin, birth_date, is_male, region)"
                " VALUES (?, ?, ?, 1, NULL)",
                (person_id, iin, birth),
            )
        uow.db.execute(
            "INSERT INTO register_record (person_id, seq, record_id, kind, effective_date,"
            " recorded_on, region, birth_year, batch_id) VALUES"
            " (1, 1, 'a', 'born_citizen', '2015-01-01', '2015-01-05', NULL, 2015, 1),"
            " (2, 2, 'b', 'born_citizen', '2016-02-02', '2016-02-07', NULL, 2016, 1),"
            " (2, 3, 'c', 'died', '2023-05-01', '2023-05-03', NULL, 2016, 1)"
        )
    assert uow.schema.version() == 1
    uow.close()

    run("init", db=empty_url)
    run("parameters", "import", db=empty_url)
    result = json.loads(run("close", "2023", "--as-of", "2024-01-31", "--json", db=empty_url))

    uow = open_unit_of_work(empty_url)
    assert uow.schema.version() == uow.schema.latest_version()
    assert uow.db.query("SELECT person_id, birth_year, sole_birth_seq FROM person ORDER BY 1") == [
        (1, 2015, 1),
        (2, 2016, None),
    ]
    uow.close()
    assert result["participants"] == 1


def test_a_newer_schema_is_refused(empty_url: str) -> None:
    """A database written by a newer urpaq is not touched by an older one."""
    uow = open_unit_of_work(empty_url)
    uow.schema.initialise()
    with writing(uow, joined=False):
        uow.db.execute("INSERT INTO schema_version (version) VALUES (99)")
    uow.close()
    process = urpaq("init", db=empty_url)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 3 and "newer than this urpaq" in err


def test_init_leaves_a_database_of_something_else_alone(empty_url: str) -> None:
    """`urpaq init` pointed at a database that holds other tables and no urpaq schema
    refuses (exit 3, naming a table) and writes nothing to it."""
    uow = open_unit_of_work(empty_url)
    with writing(uow, joined=False):
        uow.db.execute("CREATE TABLE invoices (number INTEGER)")
    uow.close()
    process = urpaq("init", db=empty_url)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 3, err
    assert "holds tables that are not urpaq's (invoices)" in " ".join(err.split())
    assert "Traceback" not in err
    # Any other command says so too (it said "run `urpaq init` first", which refuses).
    process = urpaq("reconcile", db=empty_url)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 3, err
    assert "another program's database" in err and "run `urpaq init`" not in err
    uow = open_unit_of_work(empty_url)
    assert uow.db.table_names() == ["invoices"]
    uow.close()


def refused_init(db: str) -> str:
    """What `urpaq init` says refusing the database (exit 3, one message, no trace)."""
    process = urpaq("init", db=db)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 3 and "Traceback" not in err, err
    return " ".join(err.split())


def test_init_refuses_a_database_lacking_what_its_version_has(empty_url: str) -> None:
    """A database whose migrations another build of urpaq numbered otherwise (a side
    branch's placeholder in place of a table) says it is at the latest version: `init`
    ran nothing and reported success.  It names what is missing now, and exits 3."""
    run("init", db=empty_url)
    uow = open_unit_of_work(empty_url)
    with writing(uow, joined=False):
        uow.db.execute("DROP TABLE parameter_proposal")
        uow.db.execute("ALTER TABLE notary_certificate DROP COLUMN notary")
    uow.close()
    said = refused_init(empty_url)
    assert "column notary_certificate.notary, table parameter_proposal" in said, said
    assert "another build of urpaq made it" in said


def _at_version(url: str, version: int, *statements: str) -> None:
    """A database migrated up to `version` only, then `statements` run on it."""
    uow = open_unit_of_work(url)
    with writing(uow, joined=False):
        for number, script in migrations(uow.db.migrations_package):
            if number <= version:
                uow.db.run_script(script)
                uow.db.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
        for statement in statements:
            uow.db.execute(statement)
    uow.close()


_CERTIFICATE = (
    "INSERT INTO notary_certificate (number, notary, heir_iin, share_numerator,"
    " share_denominator, person_id, operator_name, first_used_on)"
    " VALUES ('{number}', 'Notary', '881112400347', 1, 2, 1, 'Bank', '2026-11-20')"
)


def test_an_upgrade_writes_recorded_certificate_numbers_as_they_are_now_compared(
    empty_url: str,
) -> None:
    """Numbers recorded with spaces inside (`2025 / 118`) are written without them, so
    that the same certificate sent as `2025/118` finds them (version 18)."""
    _at_version(empty_url, 17, _CERTIFICATE.format(number="2025 / 118"),
                _CERTIFICATE.format(number="N-1"))  # fmt: skip
    run("init", db=empty_url)
    uow = open_unit_of_work(empty_url)
    numbers = [row[0] for row in uow.db.execute("SELECT number FROM notary_certificate")]
    uow.close()
    assert sorted(numbers) == ["2025/118", "N-1"]


def test_an_upgrade_stops_on_one_certificate_recorded_twice(empty_url: str) -> None:
    """`N - 1` and `N-1` recorded as two certificates are one: the upgrade stops, naming
    the key, and changes nothing."""
    _at_version(empty_url, 17, _CERTIFICATE.format(number="N - 1"),
                _CERTIFICATE.format(number="N-1"))  # fmt: skip
    said = refused_init(empty_url)
    assert "notary_certificate" in said, said
    uow = open_unit_of_work(empty_url)
    assert uow.schema.version() == 17
    uow.close()


def test_init_changes_nothing_in_a_database_lacking_what_its_own_version_has(
    empty_url: str,
) -> None:
    """A version 12 that a side branch numbered otherwise (without version 10's
    `register_record.retracts`): SQLite's upgrade failed with a traceback in the middle,
    PostgreSQL's ran every migration, committed version 16 and only then refused it —
    after which the build that made it refused it as too new. It is refused before any
    change, naming what it lacks, and stays at version 12."""
    uow = open_unit_of_work(empty_url)
    with writing(uow, joined=False):
        for number, script in migrations(uow.db.migrations_package):
            if number <= 12:
                uow.db.run_script(script)
                uow.db.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
        uow.db.execute("DROP INDEX register_record_retracts")
        uow.db.execute("ALTER TABLE register_record DROP COLUMN retracts")
    uow.close()
    said = refused_init(empty_url)
    assert "says schema version 12 but lacks" in said and "register_record.retracts" in said
    assert "nothing was changed" in said
    uow = open_unit_of_work(empty_url)
    assert uow.schema.version() == 12 and "parameter_proposal" not in uow.db.table_names()
    uow.close()


def test_init_tells_a_newer_database_lacking_a_column_of_ours_to_upgrade_urpaq(
    empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A version past ours (a newer urpaq's) that dropped a column of ours was told to restore
    a backup, as if another build had numbered it: it is this urpaq that is old. And a
    failure to read the version at all is that failure, not a defect of its own."""
    run("init", db=empty_url)
    uow = open_unit_of_work(empty_url)
    newer = uow.schema.latest_version() + 1
    with writing(uow, joined=False):
        uow.db.execute("INSERT INTO schema_version (version) VALUES (?)", (newer,))
        uow.db.execute("DROP INDEX register_record_retracts")
        uow.db.execute("ALTER TABLE register_record DROP COLUMN retracts")
    uow.close()
    said = refused_init(empty_url)
    assert "is newer than this urpaq" in said and "upgrade urpaq" in said and "restore" not in said
    uow = open_unit_of_work(empty_url)
    try:
        monkeypatch.setattr(
            type(uow.schema), "version", lambda self: (_ for _ in ()).throw(OSError("gone"))
        )
        with pytest.raises(OSError, match="gone"):
            uow.schema.initialise()
    finally:
        uow.close()


@pytest.mark.parametrize("kept", [12, 1])
def test_init_refuses_a_database_restored_over_a_newer_schema(empty_url: str, kept: int) -> None:
    """A backup of version 12 restored with `pg_restore --clean` over the upgraded
    database leaves the later versions' tables beside it: `init` failed with a traceback
    ("relation … already exists"; of a column, on SQLite, "duplicate column name"). It
    names the object and the versions, exits 3, and changes nothing."""
    run("init", db=empty_url)
    uow = open_unit_of_work(empty_url)
    with writing(uow, joined=False):
        uow.db.execute("DELETE FROM schema_version WHERE version > ?", (kept,))
    uow.close()
    said = refused_init(empty_url)
    assert f"says schema version {kept} but already holds what version {kept + 1} makes" in said
    if kept == 12:
        assert "parameter_proposal" in said and "already exists" in said
    uow = open_unit_of_work(empty_url)
    assert uow.schema.version() == kept
    uow.close()


UNBALANCED = [
    "INSERT INTO journal_entry (entry_id, key, content_hash, kind, reporting_year, posted_on)"
    " VALUES (900, 'bad', 'x', 'accrual', 2099, '2100-01-01')",
    "INSERT INTO posting (entry_id, account, amount_cents) VALUES (900, 'pot:2099', 5)",
    "INSERT INTO posting (entry_id, account, amount_cents) VALUES (900, 'residue', -4)",
]
BALANCED = [statement.replace("-4", "-5").replace("'bad'", "'ok'") for statement in UNBALANCED]


def write_raw(uow: SqlUnitOfWork, statements: list[str]) -> None:
    """Write an entry as a buggy writer would: header and postings in the order this
    database takes them (SQLite seals with the header last)."""
    header, *postings = statements
    ordered = [*postings, header] if uow.db.migrations_package.endswith("sqlite") else statements
    with writing(uow, joined=False):
        for statement in ordered:
            uow.db.execute(statement)


def test_the_database_itself_refuses_an_unbalanced_entry(uow: SqlUnitOfWork) -> None:
    """Even a writer that bypasses the domain cannot commit an unbalanced entry."""
    with pytest.raises(Exception, match="does not balance"):
        write_raw(uow, UNBALANCED)
    assert uow.db.scalar("SELECT COUNT(*) FROM posting") == 0
    assert uow.db.scalar("SELECT COUNT(*) FROM journal_entry") == 0


def test_the_database_itself_refuses_a_posting_into_a_written_entry(uow: SqlUnitOfWork) -> None:
    """Once an entry is written, no posting can be added to it, by anyone."""
    write_raw(uow, BALANCED)
    with pytest.raises(Exception, match="sealed"), writing(uow, joined=False):
        uow.db.execute(
            "INSERT INTO posting (entry_id, account, amount_cents) VALUES (900, 'residue', 1)"
        )
    assert uow.db.scalar("SELECT SUM(amount_cents) FROM posting") == 0


@pytest.mark.parametrize("table", ["posting", "journal_entry", "register_record", "year_close"])
def test_ledger_register_and_closes_are_append_only(
    uow: SqlUnitOfWork, table: str, tmp_path: Path, database_url: str
) -> None:
    """Updates and deletes of what was written are refused by the database."""
    prepared(database_url, tmp_path)
    run("close", "2023", "--as-of", "2024-01-31", db=database_url)
    with pytest.raises(Exception, match=r"append-only|final"), writing(uow, joined=False):
        uow.db.execute(f"DELETE FROM {table}")


def test_postings_left_without_an_entry_cannot_be_committed_on_postgresql(
    postgres_url: str,
) -> None:
    """On PostgreSQL a posting must belong to a sealed entry when its transaction commits."""
    uow = open_unit_of_work(postgres_url)
    with pytest.raises(Exception, match="sealed or missing"), writing(uow, joined=False):
        uow.db.execute(
            "INSERT INTO posting (entry_id, account, amount_cents) VALUES (901, 'residue', 7)"
        )
    assert uow.db.scalar("SELECT COUNT(*) FROM posting") == 0
    uow.close()


def test_two_closes_at_once_do_the_work_once(database_url: str, tmp_path: Path) -> None:
    """Two `urpaq close` of the same year started together: one closes, the other waits and
    prints the same result; the ledger holds one close."""
    db = prepared(database_url, tmp_path)
    first = urpaq("close", "2023", "--as-of", "2024-01-31", "--json", db=db)
    second = urpaq("close", "2023", "--as-of", "2024-01-31", "--json", db=db)
    outputs = [p.communicate(timeout=120) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    assert json.loads(outputs[0][0]) == json.loads(outputs[1][0])
    uow = open_unit_of_work(db)
    assert uow.db.scalar("SELECT COUNT(*) FROM year_close") == 1
    assert uow.db.scalar("SELECT COUNT(*) FROM journal_entry WHERE reporting_year = 2023") == int(
        uow.db.scalar("SELECT COUNT(DISTINCT key) FROM journal_entry")
    )
    uow.close()


def test_lookups_answer_while_a_writer_holds_the_database(
    database_url: str, tmp_path: Path
) -> None:
    """While a write transaction is open (as during a close), statements still answer."""
    db = prepared(database_url, tmp_path)
    run("close", "2023", "--as-of", "2024-01-31", db=db)
    writer = open_unit_of_work(db)
    released = threading.Event()

    class RollBack(Exception):
        pass

    def hold() -> None:
        try:
            with writing(writer, joined=False):
                writer.db.execute(
                    "INSERT INTO year_parameters VALUES (2031, 1, '0', 'held', '2026-01-01')"
                )
                released.wait(timeout=60)
                raise RollBack
        except RollBack:
            pass

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.5)
    try:
        reader = urpaq("statement", "150101500011", "--json", db=db)
        out, err = reader.communicate(timeout=30)
        assert reader.returncode == 0, err
        assert json.loads(out)["target_requirements"] != "0.00"
    finally:
        released.set()
        holder.join()
        writer.close()


def test_an_entry_is_written_once_under_its_key(uow: SqlUnitOfWork) -> None:
    """The same key and content again is a no-op; the same key with other content is refused."""
    from urpaq.domain.ledger import EntryKind, JournalEntry, Posting
    from urpaq.domain.money import Money
    from urpaq.services.ports.ledger import IdempotencyConflict

    def entry(cents: int) -> JournalEntry:
        postings = (Posting("pot:2099", Money(cents)), Posting("residue", Money(-cents)))
        return JournalEntry(
            key="test:1", kind=EntryKind.RESIDUE, reporting_year=2099, postings=postings
        )

    posted_on = dt.date(2100, 1, 1)
    with writing(uow, joined=False):
        uow.ledger.post(entry(5), posted_on=posted_on)
    with writing(uow, joined=False):
        uow.ledger.post(entry(5), posted_on=posted_on)
    with pytest.raises(IdempotencyConflict, match="test:1"), writing(uow, joined=False):
        uow.ledger.post(entry(6), posted_on=posted_on)
    assert uow.db.query("SELECT COUNT(*), SUM(ABS(amount_cents)) FROM posting") == [(2, 10)]


def test_a_connection_the_server_dropped_is_replaced_for_reads_and_transactions(
    postgres_url: str,
) -> None:
    """PostgreSQL restarts (here: every other backend of the database is terminated): a
    server's threads keep their units of work, and the next read or transaction on each
    runs on a new connection instead of failing for as long as the process lives."""
    uow = open_unit_of_work(postgres_url)
    try:
        assert uow.register.watermark() == 0
        drop_other_connections(postgres_url)
        assert uow.register.watermark() == 0  # a read, sent again on a new connection
        drop_other_connections(postgres_url)
        with uow:  # a transaction: begun again on a new connection
            uow.ledger.balances()
            uow.commit()
    finally:
        uow.close()


def test_a_new_sqlite_register_is_laid_out_in_larger_pages_and_an_old_one_kept(
    tmp_path: Path,
) -> None:
    """A new register database has pages of `REGISTER_PAGE_BYTES` (an import writes it
    faster); the serving file beside it, many small commits, keeps SQLite's 4 KiB; a
    database made with 4 KiB pages opens and is upgraded as it is."""
    import sqlite3

    from urpaq.adapters.sql.connection import SqlSchema
    from urpaq.adapters.sqlite.connection import REGISTER_PAGE_BYTES, SqliteConnection, open_serving

    new = tmp_path / "new.db"
    uow = open_unit_of_work(f"sqlite:///{new}")
    uow.schema.initialise()
    uow.close()
    open_serving(str(new)).close()
    old = tmp_path / "old.db"
    made = SqlSchema(SqliteConnection(str(old), page_bytes=4096))
    made.initialise()
    made.db.close()
    uow = open_unit_of_work(f"sqlite:///{old}")
    uow.schema.initialise()
    uow.close()

    def page(path: Path) -> int:
        connection = sqlite3.connect(path)
        try:
            return int(connection.execute("PRAGMA page_size").fetchone()[0])
        finally:
            connection.close()

    assert REGISTER_PAGE_BYTES > 4096
    assert page(new) == REGISTER_PAGE_BYTES
    assert page(tmp_path / "new-serving.db") == 4096
    assert page(old) == 4096


def failures_of_sqlite(path: Path) -> tuple[list[Exception], list[Exception]]:
    """Errors of a full disk and a read-only file, then errors of what was asked."""
    import sqlite3

    def error_of(db: sqlite3.Connection, sql: str) -> Exception:
        with pytest.raises(sqlite3.Error) as raised:
            db.execute(sql)
        return raised.value

    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (x TEXT UNIQUE)")
    db.execute("INSERT INTO t VALUES ('a')")
    db.commit()
    others = [error_of(db, "INSERT INTO t VALUES ('a')"), error_of(db, "SELEC 1")]
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")
    storage = [error_of(db, "INSERT INTO t SELECT hex(randomblob(9000))")]
    db.close()
    read_only = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    storage.append(error_of(read_only, "INSERT INTO t VALUES ('b')"))
    read_only.close()
    return storage, others


def failures_of_postgresql(url: str) -> tuple[list[Exception], list[Exception]]:
    import psycopg

    def error_of(sql: str, *, before: str = "") -> Exception:
        with psycopg.connect(url) as db, pytest.raises(psycopg.Error) as raised:
            if before:
                db.execute(before)
            db.execute(sql)
        return raised.value

    with psycopg.connect(url, autocommit=True) as db:
        db.execute("CREATE TABLE t (x TEXT UNIQUE)")
        db.execute("INSERT INTO t VALUES ('a')")
    storage = [error_of("INSERT INTO t VALUES ('b')", before="SET TRANSACTION READ ONLY")]
    others = [
        error_of("INSERT INTO t VALUES ('a')"),
        error_of("SELEC 1"),
        error_of("SELECT pg_sleep(1)", before="SET statement_timeout = 10"),
    ]
    return storage, others


def test_a_failure_of_the_storage_is_told_from_one_of_the_statement(
    database_url: str, tmp_path: Path
) -> None:
    """The disk full, a read-only database: told in the database's words (what the command
    line prints, and the server's log beside the error's class); a repeated key, a
    malformed statement, a timeout: not the storage's (their words may quote a value)."""
    from urpaq.bootstrap import storage_failure

    if database_url.startswith("sqlite"):
        storage, others = failures_of_sqlite(tmp_path / "scratch.db")
        assert [storage_failure(error) for error in storage] == [
            "database or disk is full", "attempt to write a readonly database"
        ]  # fmt: skip
    else:
        storage, others = failures_of_postgresql(database_url)
        assert [storage_failure(error) for error in storage] == [
            "cannot execute INSERT in a read-only transaction"
        ]
    assert [storage_failure(error) for error in others] == [None] * len(others)


def test_a_database_that_cannot_be_opened_for_now_is_unavailable_not_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk full or failing while a database is opened may pass (exit 1, "try again"),
    unlike a path that names no database (exit 3); the message names the database and
    says why, as does the server when it cannot connect again."""
    import sqlite3

    from urpaq import bootstrap
    from urpaq.adapters.sqlite import connection

    def failing(path: str, **options: object) -> sqlite3.Connection:
        error = sqlite3.OperationalError("disk I/O error")
        error.sqlite_errorcode = sqlite3.SQLITE_IOERR_WRITE  # type: ignore[attr-defined]
        raise error

    monkeypatch.setattr(connection, "connect", failing)
    url = f"sqlite:///{tmp_path / 'urpaq.db'}"
    with pytest.raises(bootstrap.DatabaseUnavailable) as raised:
        open_unit_of_work(url)
    assert str(raised.value) == f"database {url} cannot be opened now: disk I/O error"
    assert bootstrap.storage_failure(raised.value) == str(raised.value)


def test_a_database_that_cannot_be_written_beside_is_called_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite says only "unable to open database file" where the file or its folder is
    read-only (it writes its -wal and -shm files beside it, to read too); the reason says
    so.  (The test runs as any user: the file's access is what `os.access` answers.)"""
    import sqlite3

    from urpaq.adapters.sqlite import connection

    path = tmp_path / "urpaq.db"
    sqlite3.connect(path).close()
    cannot_open = sqlite3.OperationalError("unable to open database file")
    cannot_open.sqlite_errorcode = sqlite3.SQLITE_CANTOPEN  # type: ignore[attr-defined]
    assert connection._why_unopenable(str(path), cannot_open) == "unable to open database file"
    monkeypatch.setattr(os, "access", lambda name, mode: Path(name) != tmp_path)
    assert connection._why_unopenable(str(path), cannot_open) == (
        "unable to open database file: the file or its folder is read-only,"
        " and SQLite writes beside it"
    )


def test_a_database_in_a_folder_this_user_may_not_enter_is_refused_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`urpaq init --db sqlite:////root/nope/x.db` as another user: the folder cannot be
    made nor even looked into, and the refusal says so, where looking at the path to
    explain the failure raised its own error (a traceback).  (Simulated: the tests may
    run as root, whom no folder keeps out.)"""
    from urpaq import bootstrap

    shut = tmp_path / "shut"
    real_stat = Path.stat

    def stat(self: Path, **options: object) -> os.stat_result:
        if self == shut or shut in self.parents:
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, **options)  # type: ignore[arg-type]

    def mkdir(self: Path, *arguments: object, **options: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "stat", stat)
    monkeypatch.setattr(Path, "mkdir", mkdir)
    url = f"sqlite:///{shut / 'nope' / 'x.db'}"
    assert bootstrap.names_no_database_yet(url) is False  # opening it says why
    with pytest.raises(bootstrap.DatabaseUnusable) as raised:
        open_unit_of_work(url)
    assert str(raised.value) == (
        f"database {url} cannot be opened: Permission denied: {shut / 'nope'}"
    )


def test_a_new_sqlite_database_and_its_serving_file_are_its_owners_alone(tmp_path: Path) -> None:
    """Under the usual umask 022 both files were readable by every user of the machine:
    the register, and the serving file's audit log and sign-ins, each with IINs."""
    url = f"sqlite:///{tmp_path / 'x.db'}"
    previous = os.umask(0o022)
    try:
        run("init", db=url)
        run("statement", "150101500011", db=url)  # its audit event makes the serving file
    finally:
        os.umask(previous)
    for name in ("x.db", "x-serving.db"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600, name


def test_a_connection_opened_while_the_file_was_read_only_is_opened_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database made read-only for a moment under a running server (a `chmod`, a volume
    remounted) left the connections opened meanwhile read-only for good: with the file
    writable again, 6 of 10 payouts still answered 500 until the server was restarted.
    A connection that finds itself read-only is opened again before its next statement
    outside a transaction (as root, a file's mode does not stop a write: the connection
    is opened read-only the way SQLite opens one on such a file)."""
    import sqlite3

    from urpaq.adapters.sqlite import connection
    from urpaq.adapters.sqlite.connection import SqliteConnection

    path = str(tmp_path / "urpaq.db")
    db = SqliteConnection(path)
    db.execute("CREATE TABLE t (a INTEGER)")
    db.close()
    opened = connection.connect
    read_only = [True, True]  # opened, and opened again, while the file is read-only

    def connect(path: str, **options: object) -> sqlite3.Connection:
        if read_only.pop(0) if read_only else False:
            return sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
        return opened(path, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(connection, "connect", connect)
    db = SqliteConnection(path)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):  # a payout's postings
        db.execute_many("INSERT INTO t VALUES (?)", [(1,), (1,)])
    db.begin()
    with pytest.raises(sqlite3.OperationalError, match="readonly"):  # opened read-only again
        db.execute("INSERT INTO t VALUES (2)")
    db.rollback()
    db.begin()  # the file writable: opened again, for good
    db.execute("INSERT INTO t VALUES (3)")
    db.commit()
    db.execute("INSERT INTO t VALUES (4)")
    assert [row[0] for row in db.execute("SELECT a FROM t ORDER BY a")] == [3, 4]
    db.close()


def test_only_a_repeated_key_is_called_two_rows_become_one(uow: SqlUnitOfWork) -> None:
    """An upgrade refused by a CHECK (or a NOT NULL) was said to make "two of its rows
    become one" on SQLite, whose IntegrityError is every constraint's."""
    errors = []
    with writing(uow, joined=False):
        uow.db.execute("CREATE TEMP TABLE scratch (a INTEGER PRIMARY KEY CHECK (a > 0))")
        uow.db.execute("INSERT INTO scratch VALUES (1)")
        for statement in ("INSERT INTO scratch VALUES (1)", "INSERT INTO scratch VALUES (-1)"):
            uow.db.execute("SAVEPOINT s")
            try:
                uow.db.execute(statement)
            except Exception as error:
                errors.append(error)
            uow.db.execute("ROLLBACK TO SAVEPOINT s")
        uow.db.execute("DROP TABLE scratch")
    assert [uow.db.repeats_a_key(error) for error in errors] == [True, False]

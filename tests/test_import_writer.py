"""The import holds the database's writer only while it applies its rows; what another
import stores meanwhile is taken into account as if the two had run one after the other;
gzip-compressed feeds are read directly.

Each test steps into the import at a named point (a batch staged, the checks under way,
the rows being applied) and acts there from a second connection: deterministic, no
timing involved.
"""

from __future__ import annotations

import gzip
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from conftest import TEMPLATE
from test_import import ASEL, HEADER, TODAY, count, run_import, write
from urpaq.adapters.feed import FeedUnreadable, inspect_feed, read_feed
from urpaq.adapters.postgres.connection import WRITER_LOCK
from urpaq.adapters.sql.import_staging import ImportStaging
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.bootstrap import open_unit_of_work
from urpaq.services.ports.register import ImportSummary
from urpaq.services.register_import import import_records

ALI = "080315600704"
DANA = "100101650015"  # born 2010-01-01


def writer_is_free(url: str) -> bool:
    """Whether another connection can take the writer at once, without waiting."""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError as error:
            assert "locked" in str(error)
            return False
        finally:
            connection.close()
    with psycopg.connect(url, autocommit=True) as connection, connection.transaction():
        return bool(
            connection.execute("SELECT pg_try_advisory_xact_lock(%s)", (WRITER_LOCK,)).fetchone()[0]  # type: ignore[index]
        )


@contextmanager
def during(
    monkeypatch: pytest.MonkeyPatch, method: str, action: Callable[[], None], *, call: int = 1
) -> Iterator[None]:
    """Run `action` inside `ImportStaging.<method>`, once, before its `call`-th call does
    its work."""
    original = getattr(ImportStaging, method)
    calls: list[bool] = []
    done = []

    def stepped_in(self: ImportStaging, *args: object, **kwargs: object) -> object:
        calls.append(True)
        if not done and len(calls) == call:
            done.append(True)
            action()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ImportStaging, method, stepped_in)
    yield
    assert done, f"the import never reached {method}"


def a_feed(tmp_path: Path) -> Path:
    return write(
        tmp_path,
        "feed.csv",
        HEADER
        + f"a1,{ASEL},born_citizen,2008-03-15,2008-03-20,KZ-75\n"
        + f"a2,{ALI},born_citizen,2008-03-15,2008-03-20,\n"
        + f"a3,{DANA},data_updated,2020-05-01,2020-05-02,KZ-71\n",
    )


def test_the_writer_is_free_while_the_import_reads_stages_and_checks(
    uow: SqlUnitOfWork, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a batch is staged and while the rows are checked against the register,
    another connection can take the writer at once; while the rows are applied, it cannot."""
    seen: dict[str, bool] = {}

    def note(step: str) -> Callable[[], None]:
        return lambda: seen.setdefault(step, writer_is_free(database_url)) and None

    feed = inspect_feed(a_feed(tmp_path))
    with (
        during(monkeypatch, "_check", note("checking")),
        during(monkeypatch, "apply", note("applying")),
    ):
        import_records(
            uow,
            rows=read_feed(feed),
            source="feed.csv",
            sha256=feed.sha256,
            today=TODAY,
            on_chunk=lambda rows: note("staging")(),
        )
    assert seen == {"staging": True, "checking": True, "applying": False}
    assert count(uow, "register_record") == 2


def import_second(database_url: str, path: Path) -> Callable[[], None]:
    def run() -> None:
        other = open_unit_of_work(database_url)
        try:
            run_import(other, path)  # type: ignore[arg-type]
        finally:
            other.close()

    return run


def contents(uow: SqlUnitOfWork) -> tuple[list[tuple[object, ...]], ...]:
    return (
        uow.db.query(
            "SELECT p.iin, r.seq, r.record_id, r.kind, r.effective_date, r.recorded_on,"
            " r.region, r.batch_id FROM register_record r JOIN person p USING (person_id)"
            " ORDER BY r.seq"
        ),
        uow.db.query(
            "SELECT iin, birth_date, birth_year, is_male, region, sole_birth_recorded_on,"
            " sole_birth_seq FROM person ORDER BY iin"
        ),
        uow.db.query("SELECT batch_id, line, record_id, reason FROM rejected_record ORDER BY 1, 2"),
        uow.db.query(
            "SELECT batch_id, first_seq, last_seq, accepted, unchanged, rejected"
            " FROM import_batch ORDER BY 1"
        ),
    )


def summary_of(summary: ImportSummary) -> tuple[object, ...]:
    return (summary.batch_id, summary.accepted, summary.unchanged, summary.rejections)


@pytest.fixture
def another_database(database_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A second fresh database of the same kind as `database_url`."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'another.db'}"
        opened = open_unit_of_work(url)
        opened.schema.initialise()
        opened.close()
        return url
    return str(request.getfixturevalue("postgres").create_database(template=TEMPLATE))


ImportMeanwhile = Callable[..., ImportSummary]


@pytest.fixture
def import_meanwhile(
    uow: SqlUnitOfWork,
    database_url: str,
    another_database: str,
    monkeypatch: pytest.MonkeyPatch,
) -> ImportMeanwhile:
    """`(first, second=…, before=())`: the files `before` imported, then `first` with
    `second` stored while `first` is being checked; asserts that the outcome is exactly
    that of `before`, `second` and `first` one after the other on a database of the same
    kind, and gives the summary of `first`."""

    def run(first: Path, *, second: Path, before: tuple[Path, ...] = ()) -> ImportSummary:
        for path in before:
            run_import(uow, path)
        # In the checks proper, after they read the register (the second call of `_run`,
        # the first prepares): on SQLite too, the read snapshot has begun and misses it.
        with during(monkeypatch, "_run", import_second(database_url, second), call=2):
            concurrent = run_import(uow, first)
        serial = open_unit_of_work(another_database)
        try:
            for path in (*before, second):
                run_import(serial, path)  # type: ignore[arg-type]
            alone = run_import(serial, first)  # type: ignore[arg-type]
            assert summary_of(concurrent) == summary_of(alone)
            assert contents(uow) == contents(serial)  # type: ignore[arg-type]
        finally:
            serial.close()
        return concurrent

    return run


def test_an_import_stored_while_another_is_checked_gives_the_serial_outcome(
    import_meanwhile: ImportMeanwhile, tmp_path: Path
) -> None:
    """A second import stored while the first is being checked changes what the first may
    accept: its rows are checked again under the writer, and the outcome is exactly that
    of the second import followed by the first."""
    second = write(
        tmp_path,
        "second.csv",
        HEADER
        + f"b1,{ASEL},born_citizen,2008-03-15,2008-03-19,KZ-75\n"
        + f"b2,{DANA},born_citizen,2010-01-01,2010-01-05,KZ-11\n",
    )
    concurrent = import_meanwhile(a_feed(tmp_path), second=second)
    reasons = {r.line: r.reason for r in concurrent.rejections}
    assert reasons == {2: f"IIN {ASEL} already has a born_citizen record"}


def test_a_register_sent_again_while_another_import_is_stored_gives_the_serial_outcome(
    import_meanwhile: ImportMeanwhile, tmp_path: Path
) -> None:
    """Into a register that holds records, whose rows are staged presumed unchanged: an
    import stored while they are checked has them checked again under the writer, from
    that presumption again, with the outcome of the two imports one after the other."""
    births = (
        f"a1,{ASEL},born_citizen,2008-03-15,2008-03-20,KZ-75\n"
        + f"a2,{ALI},born_citizen,2008-03-15,2008-03-20,\n"
    )
    base = write(tmp_path, "base.csv", HEADER + births)
    again = write(
        tmp_path, "again.csv", HEADER + births + f"a5,{DANA},born_citizen,2010-01-01,2010-01-06,\n"
    )
    second = write(
        tmp_path, "second.csv", HEADER + f"b1,{DANA},born_citizen,2010-01-01,2010-01-05,KZ-11\n"
    )
    concurrent = import_meanwhile(again, second=second, before=(base,))
    assert (concurrent.accepted, concurrent.unchanged) == (0, 2)
    reasons = {r.line: r.reason for r in concurrent.rejections}
    assert reasons == {4: f"IIN {DANA} already has a born_citizen record"}


def test_the_same_file_imported_meanwhile_is_a_repeat(
    uow: SqlUnitOfWork, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the same file is stored while it is being checked, the import writes nothing and
    reports that import."""
    path = a_feed(tmp_path)
    with during(monkeypatch, "_check", import_second(database_url, path)):
        summary = run_import(uow, path)
    assert summary.repeated_file
    assert count(uow, "import_batch") == 1
    assert count(uow, "register_record") == 2


@pytest.mark.parametrize("name", ["feed.csv.gz", "feed.jsonl.gz", "feed.gz"])
def test_a_gzip_compressed_feed_is_read_directly(
    uow: SqlUnitOfWork, tmp_path: Path, name: str
) -> None:
    """`.csv.gz` and `.jsonl.gz` feeds import as their uncompressed text does."""
    if "jsonl" in name:
        text = (
            '{"record_id": "g1", "iin": "080315601232", "kind": "born_citizen",'
            ' "effective_date": "2008-03-15", "recorded_on": "2008-03-20"}\n{oops\n'
        )
    else:
        text = HEADER + f"g1,{ASEL},born_citizen,2008-03-15,2008-03-20,KZ-75\nbad,row\n"
    path = tmp_path / name
    path.write_bytes(gzip.compress(text.encode()))
    summary = run_import(uow, path)
    assert (summary.accepted, summary.rejected) == (1, 1)
    assert count(uow, "register_record") == 1


def test_a_damaged_gzip_feed_is_refused_whole(uow: SqlUnitOfWork, tmp_path: Path) -> None:
    """A gzip file cut short is no feed: nothing of it is imported."""
    rows = "".join(f"r{i},{ASEL},data_updated,2020-01-01,2020-01-02,\n" for i in range(5000))
    data = gzip.compress((HEADER + rows).encode())
    path = tmp_path / "feed.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(FeedUnreadable, match="not a readable gzip file"):
        run_import(uow, path)
    assert count(uow, "import_batch") == 0


def register_indexes(uow: SqlUnitOfWork) -> list[tuple[object, ...]]:
    """The indexes of the register's tables and the constraints they serve, as the
    database itself describes them."""
    if uow.db.description.startswith("sqlite"):
        return uow.db.query(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index'"
            " AND tbl_name IN ('person', 'register_record') ORDER BY name"
        )
    return uow.db.query(
        "SELECT i.indexname, i.indexdef, c.conname, c.contype FROM pg_indexes i"
        " LEFT JOIN pg_constraint c ON c.conindid = to_regclass(i.indexname)"
        " WHERE i.tablename IN ('person', 'register_record') ORDER BY i.indexname"
    )


def register_triggers(uow: SqlUnitOfWork) -> list[tuple[object, ...]]:
    """The register's own triggers, as defined, and whether each is on ('O' on
    PostgreSQL)."""
    if uow.db.description.startswith("sqlite"):
        return uow.db.query(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            " AND tbl_name IN ('person', 'register_record') ORDER BY name"
        )
    return uow.db.query(
        "SELECT tgname, tgenabled, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal"
        " AND tgrelid IN ('person'::regclass, 'register_record'::regclass) ORDER BY tgname"
    )


def test_an_import_into_an_empty_register_leaves_its_indexes_as_the_schema_has_them(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    """The first import builds the register's indexes after its rows (where that is
    faster): afterwards they are exactly the schema's, and they still refuse a duplicate."""
    before = register_indexes(uow), register_triggers(uow)
    run_import(uow, a_feed(tmp_path))
    assert (register_indexes(uow), register_triggers(uow)) == before
    with uow, pytest.raises(Exception, match=r"(?i)unique"):
        uow.db.execute(
            "INSERT INTO person (person_id, iin, birth_date, birth_year, is_male)"
            f" VALUES (999999, '{ASEL}', '2008-03-15', 2008, 1)"
        )
    # The primary keys too, which PostgreSQL sets aside as well (docs/decisions/0026).
    with uow, pytest.raises(Exception, match=r"(?i)unique"):
        uow.db.execute(
            "INSERT INTO person (person_id, iin, birth_date, birth_year, is_male)"
            " SELECT MIN(person_id), '080315600017', '2008-03-15', 2008, 1 FROM person"
        )


def test_an_import_whose_connection_is_ended_fails_with_the_servers_reason(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server ends the import's connection while it applies (an administrator, a
    restart): the import fails with PostgreSQL's own words, not with those of the
    clean-up that came after on the dead connection ("the connection is closed"), and
    nothing of it is stored."""
    from urpaq.bootstrap import storage_failure

    store_refused = ImportStaging._store_refused

    def and_the_connection_ended(self: ImportStaging, batch_id: int) -> None:
        pid = self.db.scalar("SELECT pg_backend_pid()")
        with psycopg.connect(postgres_url, autocommit=True) as administrator:
            administrator.execute("SELECT pg_terminate_backend(%s)", (pid,))
        store_refused(self, batch_id)

    monkeypatch.setattr(ImportStaging, "_store_refused", and_the_connection_ended)
    uow = open_unit_of_work(postgres_url)
    try:
        with pytest.raises(psycopg.OperationalError) as raised:
            run_import(uow, a_feed(tmp_path))
    finally:
        uow.close()
    assert storage_failure(raised.value) == "terminating connection due to administrator command"
    after = open_unit_of_work(postgres_url)
    try:
        assert count(after, "person") == count(after, "import_batch") == 0
    finally:
        after.close()


def test_a_first_import_waits_a_bounded_time_for_a_session_holding_the_register(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A session left idle in a transaction that has read `person` would hold a first
    import's dropping of indexes, and every reader queued behind it, for as long as it
    stays: the import waits a bounded time, then fails whole, saying why; once that
    session ends, the same import goes through."""
    from urpaq.adapters.postgres import connection
    from urpaq.bootstrap import storage_failure

    monkeypatch.setattr(connection, "SET_ASIDE_WAIT_SECONDS", 1)
    uow = open_unit_of_work(postgres_url)
    try:
        with psycopg.connect(postgres_url) as idle:
            idle.execute("SELECT * FROM person LIMIT 1")  # and stays in its transaction
            with pytest.raises(psycopg.errors.LockNotAvailable) as raised:
                run_import(uow, a_feed(tmp_path))
            assert storage_failure(raised.value) == "canceling statement due to lock timeout"
            assert count(uow, "import_batch") == 0
        assert run_import(uow, a_feed(tmp_path)).accepted == 2  # a3 is refused by the rules
    finally:
        uow.close()


def test_no_foreign_key_refers_to_the_register_whose_keys_a_first_import_drops(
    postgres_url: str,
) -> None:
    """PostgreSQL's first import drops the primary keys of `person` and `register_record`
    and adds them again (docs/decisions/0026): a foreign key referring to either would
    make every first import fail.  The reference trigger stands for one (0018)."""
    import psycopg

    with psycopg.connect(postgres_url) as db:
        referring = db.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f'"
            " AND confrelid IN ('person'::regclass, 'register_record'::regclass)"
        ).fetchall()
    assert referring == []


@pytest.mark.parametrize(
    "where",
    [
        "urpaq.adapters.sql.import_staging.ImportStaging._store_refused",
        "urpaq.adapters.sql.import_staging._settle_persons",
    ],
)
def test_an_import_that_fails_while_applying_leaves_the_indexes_in_place(
    uow: SqlUnitOfWork, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """Whatever the apply did to the indexes of an empty register is undone with it,
    whether it failed with the rows in and the indexes still set aside, or after."""
    before = register_indexes(uow), register_triggers(uow)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(where, broken)
    with pytest.raises(RuntimeError, match="the disk is full"):
        run_import(uow, a_feed(tmp_path))
    assert (register_indexes(uow), register_triggers(uow)) == before
    assert count(uow, "person") == 0
    assert count(uow, "import_batch") == 0


def test_a_first_import_still_refuses_a_record_of_no_known_person(
    uow: SqlUnitOfWork, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Into an empty register, whatever check the database makes per statement while the
    rows go in is still made before the import is stored: a record of a person the
    register does not have, slipped in by a faulty apply, fails the whole import."""
    from urpaq.adapters.sql.import_staging import ImportStaging

    store_refused = ImportStaging._store_refused

    def and_a_stray_record(self: ImportStaging, batch_id: int) -> None:
        # The last step before what was set aside for the rows is restored.
        store_refused(self, batch_id)
        uow.db.execute(
            "INSERT INTO register_record (person_id, seq, record_id, kind, effective_date,"
            " recorded_on, region, batch_id) SELECT 999999, 999999, 'stray', 'died',"
            " '2020-01-01', '2020-01-02', NULL, MAX(batch_id) FROM import_batch"
        )

    monkeypatch.setattr(ImportStaging, "_store_refused", and_a_stray_record)
    before = register_triggers(uow)
    with pytest.raises(Exception, match=r"(?i)unknown person|foreign key"):
        run_import(uow, a_feed(tmp_path))
    assert register_triggers(uow) == before
    assert count(uow, "person") == 0
    assert count(uow, "register_record") == 0


def temporary_tables(uow: SqlUnitOfWork) -> set[str]:
    if uow.db.description.startswith("sqlite"):
        sql = "SELECT name FROM temp.sqlite_master WHERE type = 'table'"
    else:
        sql = (
            "SELECT tablename FROM pg_tables"
            " WHERE schemaname = pg_my_temp_schema()::regnamespace::text"
        )
    return {str(name) for (name,) in uow.db.query(sql)}


@pytest.mark.parametrize("other_temporary", [False, True])
def test_an_import_forgets_its_staged_rows_and_leaves_the_connection_as_it_was(
    uow: SqlUnitOfWork, tmp_path: Path, other_temporary: bool
) -> None:
    """After an import its temporary tables are gone (on SQLite, where nothing else is
    temporary, with the file they were kept in); the connection goes on as before —
    a temporary table of another's kept, foreign keys still enforced, a second import
    stored."""
    if other_temporary:
        uow.db.execute("CREATE TEMPORARY TABLE kept_by_another (n INTEGER)")
        uow.db.execute("INSERT INTO kept_by_another (n) VALUES (7)")
    run_import(uow, a_feed(tmp_path))
    assert temporary_tables(uow) == ({"kept_by_another"} if other_temporary else set())
    if other_temporary:
        assert uow.db.scalar("SELECT n FROM kept_by_another") == 7
    second = write(tmp_path, "second.csv", HEADER + f"b1,{ASEL},died,2021-01-01,2021-01-02,\n")
    assert run_import(uow, second).accepted == 1
    assert temporary_tables(uow) == ({"kept_by_another"} if other_temporary else set())
    with uow, pytest.raises(Exception, match=r"(?i)foreign key|unknown person"):
        uow.db.execute(
            "INSERT INTO register_record (person_id, seq, record_id, kind, effective_date,"
            " recorded_on, batch_id) VALUES (999999, 999999, 'stray', 'died', '2020-01-01',"
            " '2020-01-02', 1)"
        )


def test_batches_read_ahead_come_in_order_with_an_error_in_its_place() -> None:
    """A feed's batches are made by a thread of their own ahead of staging: they come in
    order, an error comes where it happened, and a caller that stops early stops the
    thread and closes the feed."""
    from urpaq.adapters.feed import _read_ahead

    closed: list[str] = []

    def batches(fail_at: int | None) -> Iterator[int]:
        try:
            for number in range(10):
                if number == fail_at:
                    raise FeedUnreadable(f"line {number}")
                yield number
        finally:
            closed.append("closed")

    assert list(_read_ahead(batches(None), 2)) == list(range(10))
    got: list[int] = []
    with pytest.raises(FeedUnreadable, match="line 6"):
        got.extend(_read_ahead(batches(6), 2))
    assert got == list(range(6))
    early = _read_ahead(batches(None), 2)
    assert next(early) == 0
    early.close()
    assert closed == ["closed"] * 3


def test_people_with_more_than_one_row_are_found_alike_counted_or_grouped(
    uow: SqlUnitOfWork,
    another_database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The staging counts the file's IINs to find who has more than one row; where it
    cannot, the staged rows are grouped in SQL: the outcome is the same."""
    path = write(
        tmp_path,
        "feed.csv",
        HEADER
        + f"a1,{ASEL},born_citizen,2008-03-15,2008-03-20,KZ-75\n"
        + f"a2,{ALI},born_citizen,2008-03-15,2008-03-20,\n"
        + f"a3,{ASEL},data_updated,2020-05-01,2020-05-02,KZ-71\n"
        + f"a4,{ASEL},born_citizen,2008-03-15,2008-03-21,\n"
        + f"a5,{DANA},data_updated,2020-05-01,2020-05-02,KZ-71\n"
        + f"a6,{ALI},died,2024-01-01,2024-01-02,\n",
    )
    counted = run_import(uow, path)
    monkeypatch.setattr(
        ImportStaging, "_count_iins", lambda self, iins: setattr(self, "iins", None)
    )
    grouped_uow = open_unit_of_work(another_database)
    try:
        grouped = run_import(grouped_uow, path)  # type: ignore[arg-type]
        assert summary_of(counted) == summary_of(grouped)
        assert contents(uow) == contents(grouped_uow)  # type: ignore[arg-type]
    finally:
        grouped_uow.close()
    assert {r.line: r.reason for r in counted.rejections} == {
        5: f"IIN {ASEL} already has a born_citizen record",
        6: f"data_updated for IIN {DANA} which has no citizenship or death record",
    }


def test_a_refused_withdrawal_makes_nobody_known_and_is_never_named_as_standing(
    uow: SqlUnitOfWork, database_url: str, tmp_path: Path
) -> None:
    """An update of someone the register does not know was stored when the file also held
    a withdrawal for them, itself refused; and "already withdrawn by" named a withdrawal
    refused (the least record id, which one depending on the database's collation)
    rather than the first, which stands."""
    path = write(
        tmp_path,
        "feed.csv",
        HEADER.strip()
        + ",retracts\n"
        + f"q1,{DANA},data_updated,2020-05-01,2020-05-02,KZ-71,\n"
        + f"q2,{DANA},record_retracted,2020-05-03,2020-05-04,,NOPE\n"
        + f"x1,{ASEL},born_citizen,2008-03-15,2008-03-20,KZ-75,\n"
        + f"W9,{ASEL},record_retracted,2020-01-01,2020-01-02,,x1\n"
        + f"W1,{ASEL},record_retracted,2020-01-01,2020-01-02,,x1\n"
        + f"W5,{ASEL},record_retracted,2020-01-01,2020-01-02,,x1\n",
    )
    summary = run_import(uow, path)
    assert {r.line: r.reason for r in summary.rejections} == {
        2: f"data_updated for IIN {DANA} which has no citizenship or death record",
        3: "retracts 'NOPE' names no record of the register or accepted earlier in this file",
        6: "record 'x1' is already withdrawn by 'W9'",
        7: "record 'x1' is already withdrawn by 'W9'",
    }


COUNTED_SCENARIOS = ("import_sequences", "withdrawal_refusals", "register_sent_again")


@pytest.mark.parametrize("scenario", COUNTED_SCENARIOS)
def test_the_counts_kept_while_checking_are_those_of_the_staged_rows(
    uow: SqlUnitOfWork, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scenario: str
) -> None:
    """The import counts what it stores, leaves unchanged and refuses from the rows each
    check changed, not by reading every staged row again: after every check of every
    import of these scenarios (refusals of each kind, rows refused on their own, records
    sent again), the counts are what one pass over the staged rows finds."""
    from scenario_runner import ScenarioRun

    compared: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    check = ImportStaging._check

    def and_compare(self: ImportStaging) -> None:
        check(self)
        compared.append((self.counts, self.counted_in_sql()))

    monkeypatch.setattr(ImportStaging, "_check", and_compare)
    path = Path(__file__).parent / "scenarios" / f"{scenario}.scenario"
    ScenarioRun(uow, tmp_path, scenario).run(path.read_text(encoding="utf-8"))
    assert compared
    assert [kept for kept, _ in compared] == [in_sql for _, in_sql in compared]


def test_a_failure_after_the_commit_leaves_the_import_stored_and_names_itself(
    uow: SqlUnitOfWork, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bookkeeping after an import's commit fails: the import is stored, and its
    summary carries the error for the caller to tell (docs/commands.md)."""
    from urpaq.adapters.sql.register import SqlRegister

    def failing(self: SqlRegister) -> None:
        raise RuntimeError("the upkeep failed")

    monkeypatch.setattr(SqlRegister, "tidy_after_import", failing)
    summary = run_import(uow, a_feed(tmp_path))
    assert isinstance(summary.tidy_failure, RuntimeError)
    assert (summary.batch_id, summary.accepted) == (1, 2)
    assert count(uow, "person") == 2

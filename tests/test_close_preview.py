"""A preview of the close, on both databases: the whole close computed, written and checked,
then discarded — nothing is left behind, and it reports what the close then reports."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from urpaq.adapters.calendar import is_working_day
from urpaq.adapters.sql.closes import MaturityMismatch
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.bootstrap import inspect_feed, read_feed, shipped_parameters
from urpaq.domain.close import CloseRefused
from urpaq.services import closing
from urpaq.services.closing import close_report, close_year
from urpaq.services.parameters import set_parameters
from urpaq.services.register_import import import_records

TODAY = dt.date(2026, 3, 1)
FEED = "record_id,iin,kind,effective_date,recorded_on,region\n" + "".join(
    [
        "r1,080315601232,born_citizen,2008-03-15,2008-03-20,KZ-75\n",  # matures at 2025
        "r2,150101500011,born_citizen,2015-01-01,2015-01-05,KZ-71\n",
        "r3,160202600019,born_citizen,2016-02-02,2024-06-01,KZ-79\n",  # recorded late
        "r4,150101500011,citizenship_lost,2024-04-01,2024-04-03,\n",
    ]
)


def prepare(uow: SqlUnitOfWork, folder: Path, *, closed_until: int) -> None:
    """The feed imported, the shipped parameters set, the years up to `closed_until` closed."""
    path = folder / "feed.csv"
    path.write_text(FEED, encoding="utf-8")
    feed = inspect_feed(path)
    import_records(uow, rows=read_feed(feed), source="feed.csv", sha256=feed.sha256, today=TODAY)
    set_parameters(uow, parameters=shipped_parameters(), today=TODAY)
    for year in range(2023, closed_until + 1):
        close_year(uow, year=year, as_of=dt.date(year + 1, 1, 30), today=TODAY)


def content(uow: SqlUnitOfWork) -> dict[str, Any]:
    """Every row of every table of the database, and where its entry numbers stand."""
    db = uow.db
    if db.migrations_package.endswith("sqlite"):
        tables = db.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        numbers: object = None
    else:
        tables = db.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        numbers = db.query("SELECT last_value, is_called FROM journal_entry_number")
    rows = {name: sorted(map(repr, db.query(f"SELECT * FROM {name}"))) for (name,) in tables}
    return {"tables": rows, "entry numbers": numbers}


def preview(uow: SqlUnitOfWork, year: int, as_of: dt.date) -> closing.CloseReport:
    return close_report(
        uow, year=year, as_of=as_of, is_working_day=is_working_day, today=TODAY, preview=True
    )


def test_a_preview_writes_nothing_and_reports_what_the_close_then_reports(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    """The close of 2025 (II, a maturity, the late child's back-accrual paid in 2024)."""
    prepare(uow, tmp_path, closed_until=2024)
    before = content(uow)

    previewed = preview(uow, 2025, dt.date(2026, 1, 30))

    assert content(uow) == before
    assert previewed.result.matured == 1 and previewed.result.investment_income.cents > 0
    closed = close_report(
        uow, year=2025, as_of=dt.date(2026, 1, 30), is_working_day=is_working_day, today=TODAY
    )
    assert closed == previewed
    assert closed.as_json()["due_on"] == "2026-01-30" and closed.on_time


def test_the_close_after_a_preview_numbers_its_entries_as_without_one(
    database_url: str, new_database: Any, tmp_path: Path
) -> None:
    """No gap in the journal's entry numbers: the ledger is the same, preview or not."""
    from urpaq.bootstrap import open_unit_of_work

    ledgers = []
    for previewed in (False, True):
        url = database_url if not previewed else _fresh(new_database, database_url)
        uow = open_unit_of_work(url)
        assert isinstance(uow, SqlUnitOfWork)
        folder = tmp_path / str(previewed)
        folder.mkdir()
        prepare(uow, folder, closed_until=2023)
        if previewed:
            preview(uow, 2024, dt.date(2025, 1, 31))
        close_year(uow, year=2024, as_of=dt.date(2025, 1, 31), today=TODAY)
        ledgers.append(
            uow.db.query(
                "SELECT j.entry_id, j.key, p.account, p.amount_cents FROM journal_entry j"
                " JOIN posting p ON p.entry_id = j.entry_id ORDER BY 1, 2, 3, 4"
            )
        )
        uow.close()
    assert ledgers[0] == ledgers[1]


def _fresh(new_database: Any, database_url: str) -> str:
    """Another fresh database of the same kind as `database_url`, at the latest schema."""
    from urpaq.bootstrap import open_unit_of_work

    url = str(new_database())
    uow = open_unit_of_work(url)
    uow.schema.initialise()
    uow.close()
    return url


def test_a_preview_of_a_closed_year_reports_it_as_it_was_closed(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    prepare(uow, tmp_path, closed_until=2024)
    stored = close_year(uow, year=2024, as_of=dt.date(2025, 3, 1), today=TODAY)
    before = content(uow)

    previewed = preview(uow, 2024, dt.date(2025, 6, 1))

    assert content(uow) == before
    assert previewed.result == stored
    assert previewed.as_of == dt.date(2025, 1, 30)  # the close's own date, not the one asked


@pytest.mark.parametrize(
    ("year", "as_of", "code"),
    [
        pytest.param(2025, "2026-01-30", "out_of_order", id="out_of_order"),
        pytest.param(2024, "2024-12-31", "year_not_over", id="year_not_over"),
        pytest.param(2024, "2026-03-02", "as_of_in_future", id="as_of_in_future"),
        pytest.param(2022, "2023-01-31", "before_programme", id="before_programme"),
    ],
)
def test_a_preview_is_refused_as_the_close_would_be(
    uow: SqlUnitOfWork, tmp_path: Path, year: int, as_of: str, code: str
) -> None:
    prepare(uow, tmp_path, closed_until=2023)
    before = content(uow)
    day = dt.date.fromisoformat(as_of)

    with pytest.raises(CloseRefused) as refused_preview:
        preview(uow, year, day)
    with pytest.raises(CloseRefused) as refused_close:
        close_year(uow, year=year, as_of=day, today=TODAY)

    assert refused_preview.value.code == refused_close.value.code == code
    assert str(refused_preview.value) == str(refused_close.value)
    assert content(uow) == before


def test_a_preview_runs_the_checks_of_the_write_path(
    uow: SqlUnitOfWork, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plan whose maturities disagree with the register fails the preview as it would
    fail the close, and leaves nothing behind."""
    prepare(uow, tmp_path, closed_until=2024)
    before = content(uow)
    plan_close = closing.plan_close

    def one_more_maturing(**arguments: Any) -> Any:
        plan = plan_close(**arguments)
        counts = {year: count + 1 for year, count in plan.maturity.count_by_class.items()}
        return dataclasses.replace(
            plan, maturity=dataclasses.replace(plan.maturity, count_by_class=counts)
        )

    monkeypatch.setattr(closing, "plan_close", one_more_maturing)

    with pytest.raises(MaturityMismatch):
        preview(uow, 2025, dt.date(2026, 1, 30))
    # Rolled back as a failed close is (PostgreSQL skips the entry numbers it took).
    assert content(uow)["tables"] == before["tables"]


def test_a_preview_checks_what_the_database_checks_at_commit(
    uow: SqlUnitOfWork, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL checks that entries balance only at commit; a preview, which never
    commits, has the database check them all the same."""
    prepare(uow, tmp_path, closed_until=2023)
    save_close = uow.closes.save_close

    def and_an_unbalanced_entry(**arguments: Any) -> None:
        save_close(**arguments)
        header = (
            "INSERT INTO journal_entry (entry_id, key, content_hash, kind, reporting_year,"
            " corrects, posted_on) VALUES (9999, 'bad', 'bad', 'accrual', 2024, NULL,"
            " '2025-01-31')"
        )
        posting = "INSERT INTO posting VALUES (9999, 'pot:2024', NULL, 1), (9999, 'x', NULL, 1)"
        for statement in (header, posting) if uow.db.header_first else (posting, header):
            uow.db.execute(statement)

    monkeypatch.setattr(uow.closes, "save_close", and_an_unbalanced_entry)
    before = content(uow)

    with pytest.raises(Exception, match="does not balance"):
        preview(uow, 2024, dt.date(2025, 1, 31))
    assert content(uow)["tables"] == before["tables"]

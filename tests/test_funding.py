"""The National Bank's side (target assets): the published first year, the running balance
against the TR obligation on both databases, and the closes of databases made before it
was kept."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pg_server import TemporaryPostgres
from urpaq.adapters.sql import connection
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.bootstrap import inspect_feed, open_unit_of_work, read_feed, shipped_parameters
from urpaq.domain import ledger
from urpaq.domain.accrual import Schedule
from urpaq.domain.close import plan_close
from urpaq.domain.funding import FundingYear, funding_years
from urpaq.domain.ledger import EntryKind, JournalEntry, Posting
from urpaq.domain.money import Money
from urpaq.domain.movements import Movement, Outcome
from urpaq.domain.parameters import YearParameters
from urpaq.services import closing
from urpaq.services.closing import close_year
from urpaq.services.funding import funding
from urpaq.services.parameters import set_parameters
from urpaq.services.reconciliation import reconcile
from urpaq.services.register_import import import_records

TODAY = dt.date(2026, 3, 1)
FEED = "record_id,iin,kind,effective_date,recorded_on,region\n" + "".join(
    [
        "r1,080315601232,born_citizen,2008-03-15,2008-03-20,KZ-75\n",  # matures at 2025
        "r2,150101500011,born_citizen,2015-01-01,2015-01-05,KZ-71\n",  # loses citizenship
        "r3,160202600019,born_citizen,2016-02-02,2024-06-01,KZ-79\n",  # recorded late
        "r4,150101500011,citizenship_lost,2024-04-01,2024-04-03,\n",
        "r5,060303500010,born_citizen,2006-03-03,2006-03-08,\n",  # matures at 2023
        "r6,230505600016,born_citizen,2023-05-05,2023-05-10,\n",
    ]
)


def test_the_published_first_year_on_the_national_register() -> None:
    """The 2023 close with the published counts: 6,919,131 participants, 304,815 of them
    (born 2006) maturing.  National Bank, 2024: accrued 696, transferred 31, balance 665
    (USD millions); exactly 695,519,269.00 and 304,815 × 100.52 = 30,640,003.80."""
    parameters = YearParameters(2023, Money.parse("695519269.00"), Decimal(0), "published")
    maturing = 304_815
    movements = [
        Movement(None, Outcome.PARTICIPATES, 2023, True, maturing),
        Movement(None, Outcome.PARTICIPATES, 2023, False, 6_919_131 - maturing),
    ]

    plan = plan_close(parameters=parameters, schedule=Schedule([]), movements=movements)
    [bank_side] = [e for e in plan.entries if e.kind is EntryKind.TARGET_ASSETS]
    [year] = funding_years([(2023, moved(bank_side))])

    assert plan.result.per_child == Money.parse("100.52")
    assert year == FundingYear(
        reporting_year=2023,
        accrued=Money.parse("695519269.00"),
        investment_income=Money(0),
        transferred_to_savings=Money.parse("30640003.80"),
        residue=Money.parse("8220.88"),
        balance=Money.parse("664871044.32"),
    )
    assert round(year.balance.cents / 100_000_000) == 665  # millions, as published
    # The balance is the TR the participants who stay hold: what the classes hold.
    classes = sum(
        p.amount.cents
        for e in plan.entries
        for p in e.postings
        if ledger.is_class_account(p.account)
    )
    matured = plan.result.target_savings_credited.cents
    assert year.balance.cents == classes - matured


def moved(entry: JournalEntry) -> dict[str, Money]:
    return {p.account: p.amount for p in entry.postings}


def prepare(uow: SqlUnitOfWork, folder: Path) -> None:
    path = folder / "feed.csv"
    path.write_text(FEED, encoding="utf-8")
    feed = inspect_feed(path)
    import_records(uow, rows=read_feed(feed), source="feed.csv", sha256=feed.sha256, today=TODAY)
    set_parameters(uow, parameters=shipped_parameters(), today=TODAY)


def close_all(uow: SqlUnitOfWork) -> None:
    for year in (2023, 2024, 2025):
        close_year(uow, year=year, as_of=dt.date(year + 1, 1, 30), today=TODAY)


def test_the_bank_s_balance_is_the_tr_obligation_after_every_close(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    prepare(uow, tmp_path)
    results = []
    for year in (2023, 2024, 2025):
        results.append(close_year(uow, year=year, as_of=dt.date(year + 1, 1, 30), today=TODAY))
        balances = {b.account: b.balance for b in uow.ledger.balances()}
        obligation = sum(m.cents for a, m in balances.items() if ledger.is_class_account(a))
        assert funding(uow)[-1].balance == Money(obligation)

    years = funding(uow)
    assert [y.reporting_year for y in years] == [2023, 2024, 2025]
    for year, result in zip(years, results, strict=True):
        assert year.accrued == result.tr_total
        assert year.investment_income == result.investment_income
        assert year.transferred_to_savings == result.target_savings_credited
        assert year.residue == result.residue
    assert years[0].transferred_to_savings.cents > 0 and years[2].transferred_to_savings.cents
    assert all(check.holds for check in reconcile(uow))


def test_reconcile_finds_a_bank_side_that_disagrees(uow: SqlUnitOfWork, tmp_path: Path) -> None:
    prepare(uow, tmp_path)
    close_year(uow, year=2023, as_of=dt.date(2024, 1, 30), today=TODAY)
    with uow:
        uow.ledger.post(
            JournalEntry(
                key="stray",
                kind=EntryKind.TARGET_ASSETS,
                reporting_year=2023,
                postings=(
                    Posting(ledger.NATIONAL_BANK_ACCRUED, Money(-1)),
                    Posting(ledger.NATIONAL_BANK_TARGET_ASSETS, Money(1)),
                ),
            ),
            posted_on=dt.date(2024, 2, 1),
        )
        uow.commit()

    failed = {check.name: check.detail for check in reconcile(uow) if not check.holds}

    assert set(failed) == {
        "2023: the National Bank's side records the close",
        "the National Bank's accrued TR and II equal what the National Fund paid in",
        "the National Bank's target assets equal the TR owed to all participants",
    }
    assert (
        "accrued 695,519,269.01, expected 695,519,269.00"
        in failed["2023: the National Bank's side records the close"]
    )


@pytest.fixture
def empty_url(request: pytest.FixtureRequest, tmp_path: Path, database_url: str) -> str:
    """A database of the same kind as `database_url`, with no schema at all."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'empty.db'}"
    server: TemporaryPostgres = request.getfixturevalue("postgres")
    return server.create_database()


def test_closes_made_before_the_bank_side_was_kept_get_it_from_the_migration(
    database_url: str, empty_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database closed at schema version 11 (no `target_assets` entries) is upgraded:
    each close gets the entry a close writes today, and reconcile holds."""
    old_url = empty_url
    with monkeypatch.context() as old_times:
        latest = connection.migrations
        old_times.setattr(connection, "migrations", lambda package: latest(package)[:11])
        old_times.setattr(closing, "plan_close", without_bank_side(closing.plan_close))
        old = open_unit_of_work(old_url)
        assert isinstance(old, SqlUnitOfWork)
        assert old.schema.initialise() == 11
        # Nor were inputs awaiting approval (schema version 13) asked about.
        old_times.setattr(old.proposals, "awaiting", lambda year: None)
        (tmp_path / "old").mkdir()
        prepare(old, tmp_path / "old")
        close_all(old)
        assert not [c for c in reconcile(old) if not c.holds and "Bank" not in c.name]
        assert old.db.scalar("SELECT COUNT(*) FROM journal_entry WHERE kind = 'target_assets'") == 0
    assert old.schema.initialise() == connection.SqlSchema(old.db).latest_version()
    new = open_unit_of_work(database_url)
    assert isinstance(new, SqlUnitOfWork)
    (tmp_path / "new").mkdir()
    prepare(new, tmp_path / "new")
    close_all(new)

    assert all(check.holds for check in reconcile(old))
    assert funding(old) == funding(new)
    assert bank_postings(old) == bank_postings(new)
    old.close()
    new.close()


def without_bank_side(plan_close: Any) -> Any:
    """`plan_close` as it was before the Bank's side was kept."""

    def planned(**arguments: Any) -> Any:
        plan = plan_close(**arguments)
        entries = tuple(e for e in plan.entries if e.kind is not EntryKind.TARGET_ASSETS)
        return dataclasses.replace(plan, entries=entries)

    return planned


def bank_postings(uow: SqlUnitOfWork) -> list[tuple[Any, ...]]:
    return uow.db.query(
        "SELECT j.key, j.kind, j.reporting_year, j.posted_on, p.account, p.person_id,"
        " p.amount_cents FROM journal_entry j JOIN posting p ON p.entry_id = j.entry_id"
        " WHERE j.kind = 'target_assets' ORDER BY 1, 5"
    )

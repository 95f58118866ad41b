"""A person who matures late: their maturity close has passed, and only a later close
sees them a participant of their maturity year — a death recorded in error and withdrawn
after that close, a loss withdrawn after it, a child first recorded after it.  The close
that first sees it pays their class's balance after their maturity close as a
back-accrual and credits it as target savings at once; on SQLite and PostgreSQL.

The world (rate 0 in 2023, 3 % in 2024, 2 % in 2025):

- ASEL (born 2006) and her peer ARMAN mature at the close of 2023; ASEL's death was
  recorded in error before it and withdrawn after it: she matures late at 2024.
- GALYM (born 2006) matured at 2023; a death before the end of 2023 recorded after it,
  then withdrawn: he is never credited twice.
- BERIK (born 2007) matures at the close of 2024; DANA (born 2007) is first recorded after
  it; FARIDA (born 2007) lost citizenship in 2024 in error, withdrawn after the close of
  2024: both mature late at 2025 with BERIK's savings.
- ZHAN (born 2015) and ERLAN (born 2008, matures at 2025) are ordinary participants.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.domain.accrual import Schedule
from urpaq.domain.close import CloseResult
from urpaq.domain.explanation import Rule
from urpaq.domain.iin import Iin, compose
from urpaq.domain.ledger import EntryKind
from urpaq.domain.money import Money
from urpaq.domain.parameters import YearParameters
from urpaq.domain.statement import StatementStatus
from urpaq.entrypoints.http.web.explain import explained
from urpaq.services.closing import close_year
from urpaq.services.parameters import set_parameters
from urpaq.services.ports.register import FeedRow
from urpaq.services.reconciliation import reconcile
from urpaq.services.register_import import import_records
from urpaq.services.statements import statement_of
from urpaq.services.statistics import region_statistics

TODAY = dt.date(2026, 11, 22)
AS_OF = {2023: dt.date(2024, 1, 31), 2024: dt.date(2025, 1, 31), 2025: dt.date(2026, 1, 30)}


def _iin(birth: str, serial: int) -> Iin:
    iin = compose(birth_date=dt.date.fromisoformat(birth), is_male=serial % 2 == 0, serial=serial)
    assert iin is not None
    return iin


ARMAN = _iin("2006-03-01", 1)
ASEL = _iin("2006-04-01", 2)
GALYM = _iin("2006-08-01", 3)
BERIK = _iin("2007-01-15", 4)
DANA = _iin("2007-05-01", 5)
FARIDA = _iin("2007-02-01", 6)
ZHAN = _iin("2015-05-05", 7)
ERLAN = _iin("2008-07-07", 8)

#: (record id, person, kind, effective date, recorded on, withdrawn record), per import
#: round: before the close of 2023, of 2024, of 2025.
ROUNDS: list[list[tuple[str, Iin, str, str, str, str | None]]] = [
    [
        ("arman", ARMAN, "born_citizen", "2006-03-01", "2006-03-05", None),
        ("asel", ASEL, "born_citizen", "2006-04-01", "2006-04-05", None),
        ("asel-death", ASEL, "died", "2023-06-01", "2023-07-01", None),
        ("galym", GALYM, "born_citizen", "2006-08-01", "2006-08-05", None),
        ("berik", BERIK, "born_citizen", "2007-01-15", "2007-01-20", None),
        ("farida", FARIDA, "born_citizen", "2007-02-01", "2007-02-05", None),
        ("zhan", ZHAN, "born_citizen", "2015-05-05", "2015-05-10", None),
        ("erlan", ERLAN, "born_citizen", "2008-07-07", "2008-07-10", None),
    ],
    [
        ("asel-back", ASEL, "record_retracted", "2024-03-01", "2024-03-01", "asel-death"),
        ("galym-death", GALYM, "died", "2023-10-01", "2024-02-10", None),
        ("farida-loss", FARIDA, "citizenship_lost", "2024-05-01", "2024-05-10", None),
    ],
    [
        ("galym-back", GALYM, "record_retracted", "2025-02-10", "2025-02-10", "galym-death"),
        ("dana", DANA, "born_citizen", "2007-05-01", "2025-03-01", None),
        ("farida-back", FARIDA, "record_retracted", "2025-02-15", "2025-02-15", "farida-loss"),
    ],
]
PARAMETERS = [
    YearParameters(2023, Money.parse("600.00"), Decimal(0), "test"),
    YearParameters(2024, Money.parse("1000.00"), Decimal("0.03"), "test"),
    YearParameters(2025, Money.parse("2000.00"), Decimal("0.02"), "test"),
]


def _import(uow: SqlUnitOfWork, number: int) -> None:
    rows = []
    for line, (record_id, iin, kind, effective, recorded, retracts) in enumerate(ROUNDS[number]):
        fields = {
            "record_id": record_id,
            "iin": iin.value,
            "kind": kind,
            "effective_date": effective,
            "recorded_on": recorded,
        }
        if retracts is not None:
            fields["retracts"] = retracts
        rows.append(FeedRow(line + 2, fields))
    summary = import_records(
        uow, rows=rows, source=f"round {number}", sha256=f"late-round-{number}", today=TODAY
    )
    assert not summary.rejections, summary.rejections


def _close(uow: SqlUnitOfWork, year: int) -> CloseResult:
    result = close_year(uow, year=year, as_of=AS_OF[year])
    checks = reconcile(uow)
    failed = [check for check in checks if not check.holds]
    assert not failed, failed
    # The check of the maturities counts every account the close credited (it said "0
    # accounts" of a close that credited only people who matured late).
    [maturities] = [
        c for c in checks if c.name == f"{year}: each maturity credits its class's balance"
    ]
    assert maturities.detail.startswith(f"{result.matured:,} accounts"), maturities.detail
    return result


@pytest.fixture
def closes(uow: SqlUnitOfWork) -> dict[int, CloseResult]:
    """The world closed for 2023–2025, each import round before its close."""
    set_parameters(uow, parameters=PARAMETERS, today=TODAY)
    results = {}
    for number, year in enumerate((2023, 2024, 2025)):
        _import(uow, number)
        results[year] = _close(uow, year)
    return results


def _schedule(uow: SqlUnitOfWork) -> Schedule:
    return Schedule([record.closed.as_closed_year() for record in uow.closes.closed_years()])


def _savings(uow: SqlUnitOfWork, iin: Iin) -> Money:
    return statement_of(uow, iin=iin).target_savings


def test_a_death_withdrawn_after_the_maturity_close_matures_late_with_the_peers_savings(
    uow: SqlUnitOfWork, closes: dict[int, CloseResult]
) -> None:
    schedule = _schedule(uow)
    due = schedule.balance(2023, after_year=2023)
    assert due == Money.parse("100.00")  # 600.00 among six participants of 2023
    assert _savings(uow, ARMAN) == due
    assert _savings(uow, ASEL) == due  # paid at 2024, and not again at 2025
    # 2024: participants BERIK, ZHAN, ERLAN; FARIDA forfeits 100.00; ASEL's 100.00 back.
    result = closes[2024]
    assert (result.participants, result.back_accruals, result.forfeited) == (
        3, Money.parse("100.00"), Money.parse("100.00"),
    )  # fmt: skip
    assert result.per_child == Money.parse("333.33")  # (1000 + 100 − 100) / 3
    berik = schedule.balance(2023, after_year=2024)
    assert berik == Money.parse("436.33")  # 100.00 + 3 % of it + 333.33
    assert result.matured == 2  # BERIK on time, ASEL late
    assert result.target_savings_credited == berik + due
    assert closes[2023].matured == 2  # ARMAN and GALYM


def test_a_child_first_recorded_after_their_maturity_close_matures_late(
    uow: SqlUnitOfWork, closes: dict[int, CloseResult]
) -> None:
    """DANA's birth, recorded after the close of 2024 (her maturity close), and FARIDA's
    loss withdrawn after it: both are paid BERIK's savings at 2025, from its pot."""
    berik = _schedule(uow).balance(2023, after_year=2024)
    assert _savings(uow, BERIK) == berik
    assert _savings(uow, DANA) == berik
    assert _savings(uow, FARIDA) == berik
    result = closes[2025]
    assert result.participants == 2  # ZHAN and ERLAN: nobody matured late participates
    assert result.back_accruals == berik.times(2)
    assert result.per_child == Money.parse("563.67")  # (2000.00 − 872.66) / 2
    erlan = _schedule(uow).balance(2023, after_year=2025)
    assert _savings(uow, ERLAN) == erlan
    assert result.matured == 3  # ERLAN on time, DANA and FARIDA late
    assert result.target_savings_credited == erlan + berik.times(2)


def test_maturity_is_never_paid_twice(uow: SqlUnitOfWork, closes: dict[int, CloseResult]) -> None:
    """GALYM matured at 2023; the close of 2024 saw him dead before the end of 2023 and
    the close of 2025 alive again: his savings are credited once."""
    statement = statement_of(uow, iin=GALYM)
    credited = [line for line in statement.lines if line.kind is EntryKind.MATURITY]
    assert [line.reporting_year for line in credited] == [2023, 2023]  # TR out, TS in
    assert statement.target_savings == Money.parse("100.00")
    assert statement.target_requirements == Money(0)
    assert closes[2025].matured == 3


def test_the_statement_says_what_was_restored_and_when_it_became_savings(
    uow: SqlUnitOfWork, closes: dict[int, CloseResult]
) -> None:
    statement = statement_of(uow, iin=ASEL)
    assert statement.status is StatementStatus.MATURED
    assert statement.participant_since == 2023
    assert (statement.target_requirements, statement.target_savings) == (
        Money(0), Money.parse("100.00"),
    )  # fmt: skip
    lines = [(line.reporting_year, line.kind, str(line.amount)) for line in statement.lines]
    assert lines == [
        (2024, EntryKind.RESTORATION, "100.00"),
        (2024, EntryKind.MATURITY, "-100.00"),
        (2024, EntryKind.MATURITY, "100.00"),
    ]
    restored, matured, credited = statement.lines
    assert restored.explanation is not None and matured.explanation is not None
    assert restored.explanation.rule is Rule.RESTORATION
    assert restored.explanation.get("matured_in") == 2023
    assert matured.explanation.rule is Rule.MATURITY
    assert credited.explanation is not None
    assert credited.explanation.rule is Rule.SAVINGS_CREDITED
    # The credit said "the whole TR balance after the close of 2024", which is not what
    # she was paid (the balance after 2023's).
    assert explained("en", credited, plain=True) == (
        "target savings credited, late: the balance due after the close of 2023, at the"
        " close of 2024"
    )
    for language in ("kk", "ru"):
        words = explained(language, credited)
        assert "2023" in words and "2024" in words, words
    on_time = statement_of(uow, iin=ARMAN).lines[-1]
    assert explained("en", on_time, plain=True) == (
        "target savings credited: the whole TR balance after the close of 2023"
    )
    assert explained("en", restored, plain=True) == (
        "restoration after the register withdrew a record (died, 2023-06-01; withdrawn on"
        " 2024-03-01): restored in full, what a participant since 2023 held after the close"
        " of 2023, their last year under 18 (100.00), paid from the pot"
    )
    assert explained("ru", restored).startswith(
        "восстановление после отзыва записи регистром населения (смерть, 01.06.2023; отозвана"
        " 01.03.2024):"
        " восстановлено полностью, столько"
    )
    assert explained("ru", restored).count(":") == 1  # one colon, as in kk and en
    assert "2023" in explained("kk", restored) and "100,00" in explained("kk", restored)
    assert explained("en", matured, plain=True) == (
        "became target savings at 18, late: the balance due after the close of 2023,"
        " credited at the close of 2024"
    )
    for language in ("kk", "ru"):
        words = explained(language, matured)
        assert "2023" in words and "2024" in words, words
    dana = statement_of(uow, iin=DANA)
    assert dana.status is StatementStatus.MATURED and dana.participant_since == 2023
    first = dana.lines[0]
    assert first.explanation is not None and first.explanation.rule is Rule.BACK_ACCRUAL
    assert explained("en", first, plain=True) == (
        "back-accrual: what a participant since 2023 held after the close of 2024, their last"
        " year under 18 (436.33), paid from the pot"
    )


def test_whoever_a_close_before_the_rule_left_unpaid_is_paid_at_the_next_close(
    uow: SqlUnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The close of 2024 run by a version that paid nobody late (ASEL due then): the
    close of 2025 pays her, because no close credited her and the close of her maturity
    year did not see her a participant; her statement shows the lines at 2025, where the
    ledger has them, not at 2024 (which paid nothing). Before, she was never paid, and
    her statement said she was paid at 2024."""
    set_parameters(uow, parameters=PARAMETERS, today=TODAY)
    _import(uow, 0)
    _close(uow, 2023)
    _import(uow, 1)
    with monkeypatch.context() as before_the_rule:
        before_the_rule.setattr(type(uow.closes), "late_maturities", lambda *_, **__: [])
        assert _close(uow, 2024).matured == 1  # BERIK only: nobody late
    assert _savings(uow, ASEL) == Money(0)
    _import(uow, 2)
    result = _close(uow, 2025)
    assert result.matured == 4  # ERLAN on time; ASEL, DANA, FARIDA late
    assert _savings(uow, ASEL) == Money.parse("100.00")  # what ARMAN holds
    statement = statement_of(uow, iin=ASEL)
    assert [(line.reporting_year, line.kind) for line in statement.lines] == [
        (2025, EntryKind.BACK_ACCRUAL),
        (2025, EntryKind.MATURITY),
        (2025, EntryKind.MATURITY),
    ]
    assert statement.status is StatementStatus.MATURED
    assert _close(uow, 2025).matured == 4  # a closed year again: nothing more


def test_the_figures_by_region_count_whoever_matured_late(
    uow: SqlUnitOfWork, closes: dict[int, CloseResult]
) -> None:
    """The table by region credited ASEL's savings in 2024 to nobody it counted (its
    total said one turning 18, with two people's savings): it counts who matured late,
    and its total adds up to the close."""
    for year in (2024, 2025):
        *_, total = region_statistics(uow, year=year, hide_small_cells=False).table.rows
        _, _, turning, _, credited, late = total
        result = closes[year]
        assert (turning, late) == ((1, 1) if year == 2024 else (1, 2)), total
        assert isinstance(turning, int) and isinstance(late, int)
        assert turning + late == result.matured
        assert credited == result.target_savings_credited

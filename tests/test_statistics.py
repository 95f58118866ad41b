"""The public statistics and the lookup's estimate: figures add up to the close, small
cells are hidden, and the estimate's cases are ordered and carried forward as a close
would."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fakes import FakeUnitOfWork
from urpaq.adapters.calendar import return_due_on
from urpaq.adapters.feed import inspect_feed, read_feed
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.bootstrap import open_unit_of_work
from urpaq.domain.disclosure import SMALL_CELL_THRESHOLD, suppressed_cells, suppressed_margins
from urpaq.domain.iin import compose
from urpaq.domain.inheritance import CertificateClaim
from urpaq.domain.money import Money, apply_rate_half_up
from urpaq.domain.operators import Purpose
from urpaq.domain.parameters import YearParameters
from urpaq.domain.projection import Assumption, carry_forward, project
from urpaq.entrypoints.http.web import statistics as web_statistics
from urpaq.entrypoints.http.web.statistics import COUNTED_TABLES, ParticipantCounts, StatisticsCache
from urpaq.services.closing import close_year
from urpaq.services.inheritance import pay_heir, return_heir_payout
from urpaq.services.lookup import look_up_participant
from urpaq.services.operators import operator_for_credential
from urpaq.services.parameters import set_parameters
from urpaq.services.payouts import confirm_payout, request_payout, return_payout
from urpaq.services.ports.unit_of_work import UnitOfWork
from urpaq.services.register_import import import_records
from urpaq.services.statistics import (
    REGION_ORDER,
    Statistics,
    StatisticsRefused,
    participant_statistics,
    region_statistics,
    statistics,
)
from urpaq.services.statistics_payouts import payout_statistics
from world import ADULT, LATE_ADULT, MINOR, TODAY, UNKNOWN, add_bank, build_world


def test_participant_tables_add_up_to_the_close_and_hide_small_cells(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    """Three participants: every cell is under 10, so each is hidden, and the empty ones
    with them (shown empty, they said where the three are); the total is not. Those 17
    on 31 December are shown whatever their number: the table by region's total gives
    them (hidden here, they only gave another age away)."""
    build_world(uow, tmp_path)
    tables = {table.name: table for table in participant_statistics(uow)}
    participants = uow.closes.closed_years()[-1].result.participants
    for name in ("participants_by_age", "participants_by_sex", "participants_by_region"):
        rows = tables[name].rows
        assert rows[-1] == ("total", participants), name
        assert all(count is None for key, count in rows[:-1] if key != 17), name
    by_age = dict(tables["participants_by_age"].rows)
    assert list(by_age)[:-1] == list(range(18)) and by_age[17] is not None
    assert len(tables["participants_by_region"].rows) == 22  # 20 regions, "unknown", total
    assert [row[0] for row in tables["participants_by_sex"].rows] == ["female", "male", "total"]


def test_payouts_are_published_once_a_group_has_ten(uow: SqlUnitOfWork, tmp_path: Path) -> None:
    """An operator with 12 payouts is shown with count and amount; fewer would be hidden."""
    build_world(uow, tmp_path)
    add_bank(uow, name="Bank", purposes=frozenset(Purpose), credential="statistics")
    bank = operator_for_credential(uow, credential="statistics")
    assert bank is not None
    for number in range(12):
        request_payout(
            uow, operator=bank, iin=ADULT, amount=Money.parse("1.00"),
            purpose=Purpose.HOUSING, sub_purpose="purchase", account="KZ01",
            payout_id=f"s{number}", today=TODAY, return_due_on=return_due_on,
        )  # fmt: skip
    published = statistics(uow, participants=())
    # The columns published before (payouts, amount, confirmed, returned), then the
    # amount returned and the payouts net of returns.
    assert published.table("payouts_by_operator").rows == (
        ("Bank", 12, Money(1200), 0, Money(0), 12, Money(1200)),
    )
    assert published.table("payouts_by_purpose").rows == (
        ("housing", 12, Money(1200), 0, 0, Money(0), 12, Money(1200)),
    )
    accruals = published.table("accruals_by_year").rows
    assert accruals[0][:3] == (2023, 3, Money(10000))
    # The close's own national figures, published whole however few (hidden here, the
    # table by region's total and the close's report gave them all the same).
    assert published.table("target_savings_by_year").rows == tuple(
        (r.closed.year, r.result.matured, r.result.target_savings_credited)
        for r in uow.closes.closed_years()
    )
    assert 0 < published.table("target_savings_by_year").rows[0][1] < 10


def test_the_lookup_answers_participants_only(uow: SqlUnitOfWork, tmp_path: Path) -> None:
    """A minor gets since and total; an adult and an unknown IIN get nothing."""
    build_world(uow, tmp_path)
    answer = look_up_participant(uow, iin=MINOR)
    assert answer is not None
    assert (answer.participant_since, answer.total_credited) == (2023, Money(10000))
    assert answer.projection.maturing_year == 2015 + 17
    assert look_up_participant(uow, iin=ADULT) is None
    assert look_up_participant(uow, iin=UNKNOWN) is None


@given(st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 40), max_size=8))
def test_hidden_cells_never_add_up_to_a_small_number(counts: dict[str, int]) -> None:
    """Every small cell is hidden, and the hidden ones together are 0 or at least 10
    (unless every cell is hidden, the empty ones too), so subtraction from a total
    recovers none. A column whose only people were two in one region, the others shown
    empty, gave the two's region away: its empty cells are hidden with them."""
    hidden = suppressed_cells(counts)
    assert {key for key, count in counts.items() if 0 < count < SMALL_CELL_THRESHOLD} <= hidden
    together = sum(counts[key] for key in hidden)
    assert together == 0 or together >= SMALL_CELL_THRESHOLD or hidden == set(counts)
    assert suppressed_cells({"Almaty": 2, "Astana": 0, "Ulytau": 0}) == {
        "Almaty", "Astana", "Ulytau"
    }  # fmt: skip


joint_tables = st.dictionaries(
    st.tuples(st.sampled_from("PQR"), st.sampled_from("ABCDE")), st.integers(0, 30), max_size=12
)


@given(joint_tables)
def test_two_margins_of_one_table_never_give_a_hidden_cell_away(
    joint: dict[tuple[str, str], int],
) -> None:
    """What the hidden rows hold of a shown column (its total less the shown rows' cells)
    is never a small number; the same across; and each margin is suppressed on its own."""
    rows, columns = suppressed_margins(joint)
    for column in {c for _, c in joint} - columns:
        held = sum(count for (r, c), count in joint.items() if c == column and r in rows)
        assert not 0 < held < SMALL_CELL_THRESHOLD
    for row in {r for r, _ in joint} - rows:
        held = sum(count for (r, c), count in joint.items() if r == row and c in columns)
        assert not 0 < held < SMALL_CELL_THRESHOLD


def test_an_operator_hidden_in_one_table_is_not_given_away_by_the_other() -> None:
    """Three housing payouts at one bank, twenty at another: the housing total would give
    the three away, so it is hidden too."""
    joint = {("education", "EduBank"): 10, ("housing", "HomeBank"): 3, ("housing", "BankC"): 20}
    operators, purposes = suppressed_margins(
        {(operator, purpose): count for (purpose, operator), count in joint.items()}
    )
    assert "HomeBank" in operators and "housing" in purposes


def test_the_estimate_carries_the_balance_forward_as_a_close_would() -> None:
    """One close ahead: II half up on the balance, then the floored per-child accrual."""
    latest = Assumption(Decimal("0.02966"), 6_918_656, Money.parse("904372119.04"))
    balance = Money.parse("370.56")
    one_year = carry_forward(balance, closes_ahead=1, assumption=latest)
    per_child = Money(90437211904 // 6_918_656)
    assert one_year == balance + apply_rate_half_up(balance, rate=Decimal("0.02966")) + per_child
    estimate = project(balance=balance, birth_year=2023, last_closed_year=2025, latest=latest)
    assert estimate.closes_ahead == 2040 - 2025
    assert estimate.low < estimate.central < estimate.high
    assert project(balance=balance, birth_year=2008, last_closed_year=2025,
                   latest=latest).central == balance  # fmt: skip


def test_participant_counts_are_kept_after_the_first_count(
    uow: SqlUnitOfWork, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pass over the register runs once per close; later pages read the kept counts."""
    build_world(uow, tmp_path)
    first = participant_statistics(uow)

    def no_second_pass(**_: object) -> None:
        raise AssertionError("the register was counted again")

    monkeypatch.setattr(uow.reads, "participant_groups", no_second_pass)
    assert participant_statistics(uow) == first
    assert uow.reads.kept_participant_groups(year=2023) is not None


# The figures by region of a close, and payouts up to a day.

REGIONAL_FEED_PEOPLE = [  # region, birth year, how many
    ("KZ-75", 2010, 12),
    ("KZ-61", 2006, 11),  # turning 18 in 2024: target savings at the 2023 close
    ("KZ-61", 2012, 4),
    ("KZ-19", 2015, 3),
    ("", 2014, 1),  # the register names no region
]


def import_regional_register(uow: UnitOfWork, folder: Path) -> None:
    """31 people in three regions and one without, closed for 2023 with 3,100.00 to split."""
    lines = ["record_id,iin,kind,effective_date,recorded_on,region"]
    for region, year, count in REGIONAL_FEED_PEOPLE:
        for serial in range(1, count + 1):
            born = dt.date(year, 3, serial)
            iin = next(
                iin for number in range(1, 100)
                if (iin := compose(birth_date=born, is_male=serial % 2 == 0, serial=number))
            )  # fmt: skip
            lines.append(f"r{len(lines)},{iin},born_citizen,{born},{born},{region}")
    path = folder / "regional.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    feed = inspect_feed(path)
    import_records(uow, rows=read_feed(feed), source=path.name, sha256=feed.sha256, today=TODAY)
    set_parameters(uow, parameters=[YearParameters(2023, Money(310000), Decimal(0), "test")],
                   today=TODAY)  # fmt: skip
    close_year(uow, year=2023, as_of=dt.date(2024, 1, 31))


def test_the_regions_of_a_close_add_up_to_it_and_hide_small_cells(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    """Participants, the cohort turning 18, the per-child TR and the target savings per
    region add up to the close; 3 in KZ-19 and 1 unknown are hidden, and so is the next
    smallest (KZ-75, 12), so that no hidden figure is a difference of shown ones."""
    import_regional_register(uow, tmp_path)
    result = uow.closes.closed_years()[-1].result
    found = region_statistics(uow, year=2023)
    per_child = Money(10000)
    assert found.per_child == per_child and found.table.year == 2023
    assert found.table.columns == (
        "region", "participants", "turning_18", "accrued", "target_savings_credited",
        "matured_late",
    )  # fmt: skip
    rows = {row[0]: row for row in found.table.rows}
    assert list(rows) == [*REGION_ORDER, "total"]  # every region, none or many in it
    # Nobody matured late: 0 in every region (hidden, they said nothing but looked kept).
    assert rows["KZ-19"] == ("KZ-19", None, 0, None, Money(0), 0)
    assert rows["KZ-61"] == ("KZ-61", 15, 11, Money(150000), Money(110000), 0)
    assert rows["KZ-75"] == ("KZ-75", None, 0, None, Money(0), 0)
    assert rows["unknown"] == ("unknown", None, 0, None, Money(0), 0)
    assert rows["KZ-10"] == ("KZ-10", 0, 0, Money(0), Money(0), 0)
    assert rows["total"] == ("total", 31, 11, Money(310000), Money(110000), 0)
    assert (result.participants, result.matured) == (31, 11)
    assert result.target_savings_credited == Money(110000)
    # The participants' column is hidden exactly as the table of participants by region.
    by_region = dict(participant_statistics(uow)[2].rows)
    assert all(by_region[row[0]] == row[1] for row in found.table.rows)


def test_who_matured_late_in_a_region_is_not_given_away_by_the_published_total(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    """One person born in 2006 in KZ-75, first recorded after the close of 2023, matures
    late at 2024: the published table showed KZ-75's one late maturer hidden and every
    other region's 0, with the total 1 — the hidden cell was the total, and its savings
    less the cohort's were theirs.  Published, who matured late is a total only, and the
    savings of every region are hidden: hidden with one other region's (the fewest
    credited), a region showing nobody turning 18 and its savings hidden, beside
    regions credited nothing and shown, was where they live."""
    import_regional_register(uow, tmp_path)
    born = dt.date(2006, 5, 20)
    late = next(i for n in range(1, 99) if (i := compose(birth_date=born, is_male=True, serial=n)))
    path = tmp_path / "late.csv"
    path.write_text(
        "record_id,iin,kind,effective_date,recorded_on,region\n"
        f"late,{late},born_citizen,{born},2024-03-01,KZ-75\n",
        encoding="utf-8",
    )
    feed = inspect_feed(path)
    import_records(uow, rows=read_feed(feed), source=path.name, sha256=feed.sha256, today=TODAY)
    set_parameters(uow, parameters=[YearParameters(2024, Money(310000), Decimal(0), "test")],
                   today=TODAY)  # fmt: skip
    result = close_year(uow, year=2024, as_of=dt.date(2025, 1, 31))
    assert result.matured == 1 and result.target_savings_credited == Money(10000)
    public = region_statistics(uow, year=2024)
    *rows, total = public.table.rows
    assert [row[5] for row in rows] == [None] * len(rows)  # no region's count of them
    assert total[4:] == (Money(10000), 1)
    assert [row[4] for row in rows] == [None] * len(rows), public.table.rows
    staff = region_statistics(uow, year=2024, hide_small_cells=False)
    assert {row[0]: row[5] for row in staff.table.rows}["KZ-75"] == 1


def test_staff_may_see_every_figure_by_region(uow: SqlUnitOfWork, tmp_path: Path) -> None:
    """Without suppression every region shows its figures; accrued is participants ×
    the per-child TR."""
    import_regional_register(uow, tmp_path)
    found = region_statistics(uow, year=2023, hide_small_cells=False)
    rows = {row[0]: row for row in found.table.rows}
    assert rows["KZ-19"] == ("KZ-19", 3, 0, Money(30000), Money(0), 0)
    assert rows["KZ-61"] == ("KZ-61", 15, 11, Money(150000), Money(110000), 0)
    assert rows["unknown"] == ("unknown", 1, 0, Money(10000), Money(0), 0)


def test_a_move_recorded_after_a_close_leaves_its_regional_figures_as_the_close_saw_them(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    """The figures of a close are those of its view of the register: people who move
    after it — one who matured at it, one still a child — are counted, and their target
    savings credited, in the region the close saw, even when the figures are first asked
    for after the move."""
    import_regional_register(uow, tmp_path)
    [adult] = uow.db.query("SELECT iin FROM person WHERE birth_year = 2006 LIMIT 1")
    [child] = uow.db.query("SELECT iin FROM person WHERE birth_year = 2010 LIMIT 1")
    moves = tmp_path / "moves.csv"
    moves.write_text(
        "record_id,iin,kind,effective_date,recorded_on,region\n"
        f"m1,{adult[0]},data_updated,2026-03-01,2026-03-02,KZ-75\n"
        f"m2,{child[0]},data_updated,2026-03-01,2026-03-02,KZ-19\n",
        encoding="utf-8",
    )
    feed = inspect_feed(moves)
    summary = import_records(
        uow, rows=read_feed(feed), source=moves.name, sha256=feed.sha256, today=TODAY
    )
    assert summary.accepted == 2
    found = region_statistics(uow, year=2023, hide_small_cells=False)
    assert tuple(row for row in found.table.rows if row[1]) == (
        ("KZ-19", 3, 0, Money(30000), Money(0), 0),
        ("KZ-61", 15, 11, Money(150000), Money(110000), 0),
        ("KZ-75", 12, 0, Money(120000), Money(0), 0),
        ("unknown", 1, 0, Money(10000), Money(0), 0),
        ("total", 31, 11, Money(310000), Money(110000), 0),
    )


def test_a_year_not_closed_has_no_regional_figures() -> None:
    """Asking for a year that is not closed is refused, naming the year and the closes."""
    uow = FakeUnitOfWork()
    build_world(uow, Path("."))
    with pytest.raises(StatisticsRefused, match=r"year 2024 is not closed.*closed: 2023") as caught:
        region_statistics(uow, year=2024)
    assert caught.value.code == "not_closed"


def pay(uow: UnitOfWork, bank: str, purpose: Purpose, ids: range, day: dt.date) -> None:
    operator = uow.operators.named(bank)
    assert operator is not None
    for number in ids:
        request_payout(
            uow, operator=operator, iin=ADULT, amount=Money.parse("1.00"), purpose=purpose,
            sub_purpose="purchase" if purpose is Purpose.HOUSING else "tuition_period",
            account="KZ01", payout_id=f"{bank}-{number}", today=day, return_due_on=return_due_on,
        )  # fmt: skip


def payouts_world(uow: UnitOfWork, folder: Path) -> None:
    """Home Bank: 30 housing payouts in January 2026, 10 confirmed in February, 10
    returned in March; Study Bank: 15 education payouts in February.  1.00 each."""
    build_world(uow, folder)
    add_bank(uow, name="Home Bank", purposes=frozenset(Purpose), credential="home")
    add_bank(uow, name="Study Bank", purposes=frozenset(Purpose), credential="study")
    pay(uow, "Home Bank", Purpose.HOUSING, range(30), dt.date(2026, 1, 10))
    pay(uow, "Study Bank", Purpose.EDUCATION, range(15), dt.date(2026, 2, 10))
    home = uow.operators.named("Home Bank")
    assert home is not None
    for number in range(10):
        confirm_payout(uow, operator=home, payout_id=f"Home Bank-{number}", documents="deed",
                       today=dt.date(2026, 2, 1))  # fmt: skip
        return_payout(uow, operator=home, payout_id=f"Home Bank-{number + 10}",
                      today=dt.date(2026, 3, 1))  # fmt: skip


def test_payouts_add_up_by_purpose_and_operator_gross_and_net_of_returns(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    """Up to a day: what was requested by then, less what was returned by then."""
    payouts_world(uow, tmp_path)
    found = payout_statistics(uow, until=dt.date(2026, 3, 31))
    one = Money.parse("1.00")
    assert found.by_purpose.rows == (
        ("education", 15, one.times(15), 0, 0, Money(0), 15, one.times(15)),
        ("housing", 30, one.times(30), 10, 10, one.times(10), 20, one.times(20)),
    )
    assert found.by_operator.rows == (
        ("Home Bank", 30, one.times(30), 10, one.times(10), 20, one.times(20)),
        ("Study Bank", 15, one.times(15), 0, Money(0), 15, one.times(15)),
    )
    assert found.total == (45, one.times(45), 10, one.times(10), 35, one.times(35))
    in_january = payout_statistics(uow, until=dt.date(2026, 1, 31))
    assert in_january.by_purpose.rows == (
        ("housing", 30, one.times(30), 0, 0, Money(0), 30, one.times(30)),
    )
    nothing = (0, Money(0), 0, Money(0), 0, Money(0))
    assert payout_statistics(uow, until=dt.date(2026, 1, 9)).total == nothing


def test_a_small_part_of_a_purpose_hides_its_split_in_both_tables(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    """Two of twelve payouts returned: the two are a small number, so neither the returns
    nor the payouts net of returns are shown for the purpose or for the operator; the
    payouts themselves are."""
    build_world(uow, tmp_path)
    add_bank(uow, name="Home Bank", purposes=frozenset(Purpose), credential="home")
    pay(uow, "Home Bank", Purpose.HOUSING, range(12), dt.date(2026, 1, 10))
    home = uow.operators.named("Home Bank")
    assert home is not None
    for number in range(2):
        return_payout(uow, operator=home, payout_id=f"Home Bank-{number}",
                      today=dt.date(2026, 3, 1))  # fmt: skip
    found = payout_statistics(uow, until=None)
    twelve = Money.parse("12.00")
    assert found.by_purpose.rows == (("housing", 12, twelve, None, None, None, None, None),)
    assert found.by_operator.rows == (("Home Bank", 12, twelve, None, None, None, None),)
    assert found.total == (12, twelve, None, None, None, None)
    shown = payout_statistics(uow, until=None, hide_small_cells=False)
    assert shown.by_operator.rows == (
        ("Home Bank", 12, twelve, 2, Money.parse("2.00"), 10, Money.parse("10.00")),
    )


def test_one_payout_is_not_given_away_by_the_totals(uow: SqlUnitOfWork, tmp_path: Path) -> None:
    """One payout, confirmed: its purpose and operator rows were hidden, but the total
    row showed a net of 1 payout and its amount beside the hidden gross."""
    build_world(uow, tmp_path)
    add_bank(uow, name="Home Bank", purposes=frozenset(Purpose), credential="home")
    pay(uow, "Home Bank", Purpose.EDUCATION, range(1), dt.date(2026, 1, 10))
    home = uow.operators.named("Home Bank")
    assert home is not None
    confirm_payout(
        uow, operator=home, payout_id="Home Bank-0", documents="deed", today=dt.date(2026, 2, 1)
    )
    assert payout_statistics(uow, until=None).total == (None,) * 6
    staff = payout_statistics(uow, until=None, hide_small_cells=False)
    assert staff.total == (1, Money.parse("1.00"), 0, Money(0), 1, Money.parse("1.00"))


def test_payouts_to_heirs_are_counted_apart_gross_and_net_and_hidden_when_few(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    """Two payouts to an heir, one returned by the operator: hidden on what is published,
    shown to staff, each counted from its day."""
    build_world(uow, tmp_path)
    add_bank(uow, name="Heir Bank", purposes=frozenset(Purpose), credential="heir",
             pays_heirs=True)  # fmt: skip
    bank = uow.operators.named("Heir Bank")
    assert bank is not None
    certificate = CertificateClaim(
        number="N-1", notary="Notary A. Seitkali, Astana", heir_iin="850201300128",
        share=Fraction(1),
    )  # fmt: skip
    for number, day in enumerate((dt.date(2026, 4, 1), dt.date(2026, 4, 2))):
        pay_heir(uow, operator=bank, iin=LATE_ADULT, amount=Money.parse("40.00"),
                 certificate=certificate, account="KZ02", payout_id=f"heir-{number}",
                 today=day)  # fmt: skip
    return_heir_payout(uow, operator=bank, payout_id="heir-1", today=dt.date(2026, 5, 1))
    forty, eighty = Money.parse("40.00"), Money.parse("80.00")
    assert payout_statistics(uow, until=None).heirs == (None,) * 6
    staff = payout_statistics(uow, until=None, hide_small_cells=False)
    assert staff.heirs == (2, eighty, 1, forty, 1, forty)
    assert staff.total == (0, Money(0), 0, Money(0), 0, Money(0))
    in_april = payout_statistics(uow, until=dt.date(2026, 4, 30), hide_small_cells=False)
    assert in_april.heirs == (2, eighty, 0, Money(0), 2, eighty)
    assert payout_statistics(uow, until=dt.date(2026, 3, 31), hide_small_cells=False).heirs == (
        0, Money(0), 0, Money(0), 0, Money(0),
    )  # fmt: skip
    # Twelve payouts returned beside it: the returns per year (13) less the payouts'
    # returned (12) gave the heir's hidden return, and its amount, away.
    pay(uow, "Heir Bank", Purpose.HOUSING, range(12), dt.date(2026, 4, 10))
    for number in range(12):
        return_payout(uow, operator=bank, payout_id=f"Heir Bank-{number}",
                      today=dt.date(2026, 5, 2))  # fmt: skip
    assert payout_statistics(uow, until=None).total[2] == 12
    returns = statistics(uow, participants=()).table("returns_by_year")
    assert [row[1:3] for row in returns.rows if row[0] == 2026] == [(None, None)]


def test_a_small_cohort_s_region_is_not_given_by_the_regions_shown_empty(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    """The few who turn 18 all in one region: that region's cell was hidden, every other
    shown 0 (or missing), and the total said the rest. Every region's cell is hidden,
    the empty ones too, and so is every region's savings: a zero region hidden beside
    the cohort's protected nothing."""
    build_world(uow, tmp_path)
    found = region_statistics(uow, year=2023)
    *rows, total = found.table.rows
    assert 0 < total[2] < 10
    assert [row[2] for row in rows] == [None] * len(rows)
    staff = region_statistics(uow, year=2023, hide_small_cells=False)
    credited = [row[0] for row in staff.table.rows[:-1] if row[4]]
    hidden = [row[0] for row in rows if row[4] is None]
    # Hidden with other regions that were credited something, or all of them.
    assert set(credited) <= set(hidden)
    assert len(hidden) == len(rows) or len(set(hidden) & set(credited)) >= 2


class AskedToCount(ParticipantCounts):
    """Counts nothing: says which closes the statistics asked to have counted."""

    def __init__(self) -> None:
        super().__init__(lambda: pytest.fail("nothing is counted here"))
        self.asked: list[int | None] = []

    def ask(self, year: int | None) -> None:
        self.asked.append(year)


def test_a_visitor_of_the_statistics_never_waits_for_a_count(
    uow: SqlUnitOfWork, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The participants of a close not counted yet (a minute at national scale, which
    every visitor waited for, behind the first one) are counted in the background: the
    page answers at once without their tables, saying they are being counted, and has
    them once they are."""
    build_world(uow, tmp_path)
    set_parameters(
        uow, parameters=[YearParameters(2024, Money(30000), Decimal(0), "t")], today=TODAY
    )
    close_year(uow, year=2024, as_of=dt.date(2025, 1, 31))
    counts = AskedToCount()
    cache = StatisticsCache(counts)
    with monkeypatch.context() as patched:
        patched.setattr(uow.reads, "participant_groups", lambda **_: pytest.fail("counted"))
        found = cache.get(uow)

    assert found.counting == (2024,) and counts.asked == [None]
    assert not {t.name for t in found.tables} & COUNTED_TABLES
    assert found.table("payouts_by_purpose") is not None  # the others are there
    participant_statistics(uow)  # the background's count
    counted = cache.get(uow)
    assert counted.counting == () and {t.name for t in counted.tables} >= COUNTED_TABLES
    with monkeypatch.context() as patched:  # an earlier close, not counted: asked, not waited for
        patched.setattr(uow.reads, "participant_groups", lambda **_: pytest.fail("counted"))
        earlier = cache.get(uow, year=2023)
    assert earlier.counting == (2023,) and counts.asked == [None, 2023]
    assert "regions" not in {t.name for t in earlier.tables}
    region_statistics(uow, year=2023)
    assert cache.get(uow, year=2023).table("regions").year == 2023
    with pytest.raises(StatisticsRefused):
        cache.get(uow, year=2022)


def test_closes_are_counted_in_the_background_once_each(
    uow: SqlUnitOfWork, database_url: str, tmp_path: Path
) -> None:
    build_world(uow, tmp_path)
    passes: list[int] = []

    def opening() -> UnitOfWork:
        opened = open_unit_of_work(database_url)
        counting = opened.reads.participant_groups

        def counted(**kwargs: Any) -> Any:
            passes.append(kwargs["year"])
            return counting(**kwargs)

        opened.reads.participant_groups = counted  # type: ignore[method-assign]
        return opened

    counts = ParticipantCounts(opening)
    for _ in range(3):
        counts.ask(None)
    counts.ask(2023)
    counts.join(timeout=60)

    assert uow.reads.kept_participant_groups(year=2023) is not None
    assert passes == [2023]  # asked four times, one pass over the register


def test_while_the_statistics_are_rebuilt_visitors_get_the_last_ones(
    uow: SqlUnitOfWork, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a change (a payout, a close) the first visitor rebuilds the statistics (a
    second or two at national scale); the others meanwhile get the last ones, not a wait."""
    build_world(uow, tmp_path)
    participant_statistics(uow)
    cache = StatisticsCache(AskedToCount())
    before = cache.get(uow)
    set_parameters(
        uow, parameters=[YearParameters(2024, Money(30000), Decimal(0), "t")], today=TODAY
    )
    close_year(uow, year=2024, as_of=dt.date(2025, 1, 31))
    region_statistics(uow, year=2024)
    rebuilt = threading.Event()
    build = web_statistics.build_statistics

    def slow_build(*args: Any, **kwargs: Any) -> Statistics:
        assert rebuilt.wait(30)
        return build(*args, **kwargs)

    monkeypatch.setattr(web_statistics, "build_statistics", slow_build)

    async def two_visitors() -> tuple[Statistics, Statistics]:
        first = asyncio.create_task(cache.answer(lambda: uow, year=None))
        while not first.done() and cache._kept(None) is before and not _rebuilding(cache):
            await asyncio.sleep(0.01)
        second = await asyncio.wait_for(cache.answer(lambda: uow, year=None), 10)
        rebuilt.set()
        return await first, second

    first, second = asyncio.run(two_visitors())
    assert second is before and before.last_closed_year == 2023
    assert first.last_closed_year == 2024


def _rebuilding(cache: StatisticsCache) -> bool:
    return any(turn.locked() for turn in cache._turns.values())


def test_a_count_that_failed_is_tried_again_by_the_next_visitor(
    uow: SqlUnitOfWork, database_url: str, tmp_path: Path
) -> None:
    """The database away for a moment as a close is counted: the next visitor asks again
    (the page said "being counted" until the ledger next changed)."""
    build_world(uow, tmp_path)
    away = [ConnectionError("the database is away")]

    def opening() -> UnitOfWork:
        if away:
            raise away.pop()
        return open_unit_of_work(database_url)

    counts = ParticipantCounts(opening)
    cache = StatisticsCache(counts)
    assert cache.get(uow).counting == (2023,)
    counts.join(10)
    deadline = time.monotonic() + 20
    while (found := cache.get(uow)).counting:
        assert time.monotonic() < deadline, "never counted"
        counts.join(10)
    assert {table.name for table in found.tables} >= COUNTED_TABLES


def test_an_earlier_close_s_table_is_shown_while_the_last_close_is_counted(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    build_world(uow, tmp_path)
    region_statistics(uow, year=2023)  # counted and kept
    set_parameters(
        uow, parameters=[YearParameters(2024, Money(30000), Decimal(0), "t")], today=TODAY
    )
    close_year(uow, year=2024, as_of=dt.date(2025, 1, 31))  # not counted
    cache = StatisticsCache(AskedToCount())

    found = cache.get(uow, year=2023)

    assert found.counting == (2024,)
    assert found.table("regions").year == 2023
    assert found.tables[0].name == "regions"  # where the page shows it

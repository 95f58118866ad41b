"""The public statistics and the lookup's estimate: figures add up to the close, small
cells are hidden, and the estimate's cases are ordered and carried forward as a close
would."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from urpaq.adapters.calendar import return_due_on
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.domain.disclosure import SMALL_CELL_THRESHOLD, suppressed_cells, suppressed_margins
from urpaq.domain.money import Money, apply_rate_half_up
from urpaq.domain.operators import Purpose
from urpaq.domain.projection import Assumption, carry_forward, project
from urpaq.services.lookup import look_up_participant
from urpaq.services.operators import operator_for_credential
from urpaq.services.payouts import request_payout
from urpaq.services.statistics import participant_statistics, statistics
from world import ADULT, MINOR, TODAY, UNKNOWN, add_bank, build_world


def test_participant_tables_add_up_to_the_close_and_hide_small_cells(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    """Three participants: every cell is under 10, so each is hidden; the total is not."""
    build_world(uow, tmp_path)
    tables = {table.name: table for table in participant_statistics(uow)}
    participants = uow.closes.closed_years()[-1].result.participants
    for name in ("participants_by_age", "participants_by_sex", "participants_by_region"):
        rows = tables[name].rows
        assert rows[-1] == ("total", participants), name
        assert all(count is None for _, count in rows[:-1]), name
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
    assert published.table("payouts_by_operator").rows == (("Bank", 12, Money(1200)),)
    assert published.table("payouts_by_purpose").rows == (("housing", 12, Money(1200), 0, 0),)
    accruals = published.table("accruals_by_year").rows
    assert accruals[0][:3] == (2023, 3, Money(10000))


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
    (unless every non-zero cell is hidden), so subtraction from a total recovers none."""
    hidden = suppressed_cells(counts)
    assert {key for key, count in counts.items() if 0 < count < SMALL_CELL_THRESHOLD} <= hidden
    together = sum(counts[key] for key in hidden)
    everything = all(key in hidden for key, count in counts.items() if count > 0)
    assert together == 0 or together >= SMALL_CELL_THRESHOLD or everything


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

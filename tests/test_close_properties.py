"""Money laws of the close, over random registers and random orders of knowledge.

Whatever the register says and whenever it says it — withdrawing some of what it said
included: nothing is created or destroyed, every person's statement explains their
balance, a child recorded late (or restored) ends holding exactly what a never-missed
peer holds, and a regained citizenship restarts from zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakes import FakeUnitOfWork
from urpaq.bootstrap import open_unit_of_work
from urpaq.domain import ledger
from urpaq.domain.accrual import Schedule
from urpaq.domain.explanation import Rule
from urpaq.domain.iin import Iin, compose
from urpaq.domain.money import Money
from urpaq.domain.parameters import YearParameters
from urpaq.domain.participation import participation_in
from urpaq.domain.register import RecordKind
from urpaq.domain.statement import Statement, StatementStatus
from urpaq.services.closing import close_year
from urpaq.services.parameters import set_parameters
from urpaq.services.ports.register import FeedRow
from urpaq.services.reconciliation import reconcile
from urpaq.services.register_import import import_records
from urpaq.services.statements import statement_of

TODAY = dt.date(2026, 11, 22)
AS_OF = {2023: dt.date(2024, 1, 31), 2024: dt.date(2025, 1, 31), 2025: dt.date(2026, 1, 30)}


@dataclass(frozen=True)
class Story:
    birth: dt.date
    by_birth: bool  # citizen by birth, else by acquisition
    acquired_on: dt.date
    recorded_after_days: int
    loss_on: dt.date | None
    regained_on: dt.date | None
    died_on: dt.date | None
    annulled: bool
    import_round: int  # 0: before the 2023 close, 1: before 2024, 2: before 2025
    #: Which of the story's records the register withdraws (an index, wrapped), in
    #: which import round, and how many days after it recorded the record.
    withdrawn: int | None = None
    withdrawal_round: int = 0
    withdrawn_after_days: int = 0


def dates(start: dt.date, end: dt.date) -> st.SearchStrategy[dt.date]:
    return st.dates(min_value=start, max_value=end)


@st.composite
def stories(draw: st.DrawFn) -> Story:
    birth = draw(dates(dt.date(2005, 6, 1), dt.date(2025, 12, 31)))
    by_birth = draw(st.booleans()) or draw(st.booleans())
    acquired_on = draw(dates(birth, dt.date(2025, 12, 31)))
    start = birth if by_birth else acquired_on
    loss_on = draw(st.none() | dates(start + dt.timedelta(days=1), dt.date(2026, 1, 1)))
    regained_on = None
    if loss_on is not None and loss_on < dt.date(2025, 12, 1):
        regained_on = draw(st.none() | dates(loss_on + dt.timedelta(days=1), dt.date(2026, 1, 1)))
    died_on = None
    if start < dt.date(2025, 6, 1):
        died_on = draw(st.none() | dates(start + dt.timedelta(days=300), dt.date(2026, 6, 1)))
    return Story(
        birth=birth,
        by_birth=by_birth,
        acquired_on=acquired_on,
        recorded_after_days=draw(st.sampled_from([3, 3, 3, 200, 700, 1500])),
        loss_on=loss_on,
        regained_on=regained_on,
        died_on=died_on,
        annulled=draw(st.integers(0, 9)) == 0,
        import_round=(import_round := draw(st.integers(0, 2))),
        withdrawn=draw(st.none() | st.none() | st.integers(0, 4)),
        withdrawal_round=draw(st.integers(import_round, 2)),
        withdrawn_after_days=draw(st.sampled_from([1, 30, 400, 1000])),
    )


@st.composite
def late_stories(draw: st.DrawFn) -> Story:
    """A child of a cohort that matures at a close of the test (born 2006 or 2007), whom
    a death or loss recorded in their maturity year kept from maturing, the register
    withdrawing it in a later round — or who is first imported after that close."""
    birth = draw(dates(dt.date(2006, 1, 1), dt.date(2007, 12, 31)))
    maturity_year = birth.year + 17
    ended = draw(dates(dt.date(maturity_year, 1, 1), dt.date(maturity_year, 12, 20)))
    dies = draw(st.booleans())
    return Story(
        birth=birth,
        by_birth=True,
        acquired_on=birth,
        recorded_after_days=3,
        loss_on=None if dies else ended,
        regained_on=None,
        died_on=ended if dies else None,
        annulled=False,
        import_round=(import_round := draw(st.integers(0, 2))),
        withdrawn=draw(st.none() | st.just(1) | st.just(1)),
        withdrawal_round=draw(st.integers(import_round, 2)),
        withdrawn_after_days=draw(st.sampled_from([1, 30, 400])),
    )


def records(story: Story) -> list[tuple[str, dt.date]]:
    """The story as (kind, effective date) records, in the order they happen."""
    out = [
        ("born_citizen", story.birth)
        if story.by_birth
        else ("citizenship_acquired", story.acquired_on)
    ]
    if story.loss_on is not None and (story.died_on is None or story.loss_on <= story.died_on):
        out.append(("citizenship_lost", story.loss_on))
        if story.regained_on is not None and (
            story.died_on is None or story.regained_on <= story.died_on
        ):
            out.append(("citizenship_acquired", story.regained_on))
    if story.died_on is not None:
        out.append(("died", story.died_on))
    if story.annulled:
        out.append(("record_annulled", max(d for _, d in out)))
    return out


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    people=st.lists(stories() | late_stories(), min_size=1, max_size=25),
    base=st.integers(min_value=10**5, max_value=10**7),
    extra=st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)),
    rates=st.tuples(st.just(Decimal(0)), *[st.decimals(0, Decimal("0.1"), places=7)] * 2),
)
def test_money_laws_hold_for_any_register(
    new_database: Callable[[], str],
    people: list[Story],
    base: int,
    extra: tuple[int, int],
    rates: tuple[Decimal, Decimal, Decimal],
) -> None:
    """Random registers, imported in rounds between closes, keep every money law."""
    # Each year's total is large enough to pay any back-accruals of 25 children.
    totals = [base, 40 * base + extra[0]]
    totals.append(40 * (totals[0] + totals[1]) + extra[1])
    uow = open_unit_of_work(new_database())
    uow.schema.initialise()
    set_parameters(
        uow,
        parameters=[
            YearParameters(2023 + i, Money(totals[i]), rates[i], "property test") for i in range(3)
        ],
        today=TODAY,
    )
    iins = {}
    rounds: dict[int, list[FeedRow]] = {0: [], 1: [], 2: []}
    line = 1
    # An ordinary child known from the start, so that every year has a participant.
    anchor = Story(dt.date(2015, 5, 5), True, dt.date(2015, 5, 5), 3, None, None, None, False, 0)
    for index, story in enumerate([anchor, *people]):
        iin = compose(birth_date=story.birth, is_male=index % 2 == 0, serial=index + 1)
        if iin is None:
            continue
        iins[index] = iin
        told = records(story)
        for number, (kind, effective) in enumerate(told):
            line += 1
            recorded = min(effective + dt.timedelta(days=story.recorded_after_days), TODAY)
            record_id = f"p{index}-{kind}-{effective}"
            rounds[story.import_round].append(
                FeedRow(
                    line,
                    {
                        "record_id": record_id,
                        "iin": iin.value,
                        "kind": kind,
                        "effective_date": effective.isoformat(),
                        "recorded_on": recorded.isoformat(),
                    },
                )
            )
            if story.withdrawn is not None and story.withdrawn % len(told) == number:
                line += 1
                on = min(recorded + dt.timedelta(days=story.withdrawn_after_days), TODAY)
                rounds[story.withdrawal_round].append(
                    FeedRow(
                        line,
                        {
                            "record_id": f"p{index}-withdrawal",
                            "iin": iin.value,
                            "kind": "record_retracted",
                            "effective_date": on.isoformat(),
                            "recorded_on": on.isoformat(),
                            "retracts": record_id,
                        },
                    )
                )
    closed = []
    memory = _in_memory(totals, rates)
    for year, batch in zip((2023, 2024, 2025), (0, 1, 2), strict=True):
        summary = import_records(
            uow,
            rows=sorted(rounds[batch], key=lambda row: row.line),
            source=f"round {batch}",
            sha256=f"round{batch}",
            today=TODAY,
        )
        withdrawals = [r for r in rounds[batch] if r.fields["kind"] == "record_retracted"]
        refused = {r.line for r in summary.rejections}
        assert not refused & {r.line for r in withdrawals}, summary.rejections
        result = close_year(uow, year=year, as_of=AS_OF[year])
        closed.append(result)
        # The in-memory close, from the same records by the domain's rules, agrees.
        _record_in_memory(memory, rounds[batch], refused=refused)
        assert close_year(memory.uow, year=year, as_of=AS_OF[year]) == result
        # The split never exceeds the pot and leaves less than a cent per participant.
        pot = result.tr_total + result.forfeited + result.annulled - result.back_accruals
        assert result.per_child.times(result.participants) + result.residue == pot
        assert 0 <= result.residue.cents < result.participants

    failed = [c for c in reconcile(uow) if not c.holds]
    assert not failed, failed

    assert len(closed) == 3
    records_of_closes = uow.closes.closed_years()
    schedule = Schedule([r.closed.as_closed_year() for r in records_of_closes])
    last = records_of_closes[-1].closed.year
    class_total = sum(
        b.balance.cents
        for b in uow.ledger.balances()
        if b.account.startswith("target_requirements:")
    )
    explained = 0
    for iin in iins.values():
        statement = statement_of(uow, iin=iin)
        tr = Money(
            sum(e.amount.cents for e in statement.lines if e.account == ledger.TARGET_REQUIREMENTS)
        )
        assert tr == statement.target_requirements
        explained += tr.cents
        assert_every_line_explained(statement)
        in_memory = statement_of(memory.uow, iin=iin)
        assert (in_memory.status, in_memory.target_savings) == (
            statement.status, statement.target_savings,
        )  # fmt: skip
        maturity_year = iin.birth_date.year + 17
        facts = memory.uow.state.persons[iin.value].facts
        last_view = memory.uow.closes.closed_years()[-1].closed.view
        if (
            2023 <= maturity_year <= last
            and participation_in(
                maturity_year, birth_date=iin.birth_date, facts=facts, view=last_view
            ).is_participant
        ):
            # Seen a participant of the last year they were under 18: they matured, on
            # time or at the first close that saw it, however late the register said so.
            assert statement.status is StatementStatus.MATURED, statement
        if statement.status is StatementStatus.MATURED:
            # Whether on time or late, a person matures once with what their class held
            # after the close of the last year they were under 18.
            assert statement.participant_since is not None
            expected = schedule.balance(statement.participant_since, after_year=maturity_year)
            assert statement.target_savings == expected
        if statement.status is StatementStatus.PARTICIPANT:
            # A participant holds what every member of the entry-year class holds,
            # however late the register learned of them.
            assert statement.participant_since is not None
            expected = schedule.balance(statement.participant_since, after_year=last)
            assert statement.target_requirements == expected
        else:
            assert statement.target_requirements == Money(0)
    assert explained == class_total
    uow.close()


@dataclass
class InMemory:
    """The in-memory unit of work closing the same register, and where each record
    landed among its person's facts (for the withdrawals)."""

    uow: FakeUnitOfWork
    positions: dict[str, tuple[Iin, int]]


def _in_memory(totals: list[int], rates: tuple[Decimal, Decimal, Decimal]) -> InMemory:
    memory = InMemory(FakeUnitOfWork(), {})
    set_parameters(
        memory.uow,
        parameters=[
            YearParameters(2023 + i, Money(totals[i]), rates[i], "property test") for i in range(3)
        ],
        today=TODAY,
    )
    return memory


def _record_in_memory(memory: InMemory, rows: list[FeedRow], *, refused: set[int]) -> None:
    """The rows the database accepted, in the order it numbered them."""
    register = memory.uow.register
    with memory.uow:
        for row in sorted(rows, key=lambda row: row.line):
            if row.line in refused:
                continue
            fields = row.fields
            iin = Iin.parse(fields["iin"])
            recorded = dt.date.fromisoformat(fields["recorded_on"])
            if fields["kind"] == "record_retracted":
                named_iin, index = memory.positions[fields["retracts"]]
                register.withdraw(named_iin, index=index, recorded=recorded)
                continue
            person = memory.uow.state.persons.get(iin.value)
            memory.positions[fields["record_id"]] = (iin, len(person.facts) if person else 0)
            effective = dt.date.fromisoformat(fields["effective_date"])
            register.add_record(iin, RecordKind(fields["kind"]), effective, recorded)
        memory.uow.commit()


def assert_every_line_explained(statement: Statement) -> None:
    """Every line is dated and explained by a rule; each account's running balance adds
    up line by line and ends at its balance; investment income applies to what the
    account held just before it, and a per-child accrual is the close's per-child TR."""
    for account, balance in (
        (ledger.TARGET_REQUIREMENTS, statement.target_requirements),
        (ledger.TARGET_SAVINGS, statement.target_savings),
    ):
        held = Money(0)
        for line in (e for e in statement.lines if e.account == account):
            assert line.date is not None and line.explanation is not None, line
            assert line.explanation.rule is not Rule.ENTRY, line
            if line.explanation.rule is Rule.INVESTMENT_INCOME:
                assert line.explanation.get("balance") == held, line
            if line.explanation.rule is Rule.ACCRUAL:
                assert line.explanation.get("per_child") == line.amount, line
            held += line.amount
            assert line.balance == held, line
        assert held == balance

"""Four eyes on the National Bank's inputs: entered by one staff member, the year's only
when another approves them, and a close that waits while they await approval — the rules
in memory, and what each database keeps of them by itself (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fakes import FakeUnitOfWork
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.domain.close import ClosedView, CloseRefused, CloseResult
from urpaq.domain.iin import Iin
from urpaq.domain.money import Money
from urpaq.domain.parameters import ProposalDecision, YearParameters
from urpaq.domain.participation import View
from urpaq.domain.register import RecordKind
from urpaq.domain.staff import InvalidStaffMember, same_person, staff_member
from urpaq.services.closing import close_year
from urpaq.services.parameters import (
    ParametersRefused,
    approve_parameters,
    parameter_year,
    parameter_years,
    propose_parameters,
    reject_parameters,
    set_parameters,
)
from urpaq.services.ports.closes import ClosedRecord
from urpaq.services.unit_of_work import writing

AT = dt.datetime(2026, 1, 20, 9, 30, tzinfo=dt.UTC)
TODAY = dt.date(2026, 1, 20)


def inputs(year: int, total: str = "904372119.04") -> YearParameters:
    return YearParameters(year, Money.parse(total), Decimal("0.0297"), "NB letter")


def test_inputs_are_the_years_only_once_another_approves_them() -> None:
    uow = FakeUnitOfWork()
    entered = propose_parameters(uow, parameters=inputs(2023), by="staff:aigerim", at=AT)
    assert uow.parameters.parameters_for(2023) is None
    assert uow.proposals.awaiting(2023) == entered
    for same in ("staff:aigerim", "staff:Aigerim", " staff:AIGERIM"):
        with pytest.raises(ParametersRefused) as refusal:
            approve_parameters(
                uow, year=2023, proposal_id=entered.proposal_id, by=same, at=AT, today=TODAY
            )
        assert refusal.value.code == "same_person"
    assert uow.parameters.parameters_for(2023) is None
    approve_parameters(
        uow, year=2023, proposal_id=entered.proposal_id, by="staff:saule", at=AT, today=TODAY
    )
    assert uow.parameters.parameters_for(2023) == inputs(2023)
    (decided,) = uow.proposals.proposals()
    assert (decided.decision, decided.decided_by) == (ProposalDecision.APPROVED, "staff:saule")
    year = parameter_year(uow, year=2023)
    assert year.approved == decided and year.awaiting is None and year.set_on == TODAY


def test_new_inputs_supersede_those_awaiting_and_an_approval_names_what_it_saw() -> None:
    uow = FakeUnitOfWork()
    first = propose_parameters(uow, parameters=inputs(2023), by="staff:aigerim", at=AT)
    second = propose_parameters(
        uow, parameters=inputs(2023, "1.00"), by="staff:marat", at=AT + dt.timedelta(hours=1)
    )
    assert uow.proposals.awaiting(2023) == second
    assert uow.proposals.proposals()[1].decision is ProposalDecision.SUPERSEDED
    with pytest.raises(ParametersRefused) as refusal:
        approve_parameters(
            uow, year=2023, proposal_id=first.proposal_id, by="staff:saule", at=AT, today=TODAY
        )
    assert refusal.value.code == "proposal_changed" and "staff:marat" in str(refusal.value)
    reject_parameters(uow, year=2023, proposal_id=second.proposal_id, by="staff:marat", at=AT)
    with pytest.raises(ParametersRefused) as refusal:
        reject_parameters(uow, year=2023, proposal_id=second.proposal_id, by="staff:saule", at=AT)
    assert refusal.value.code == "nothing_awaiting"
    assert uow.parameters.parameters_for(2023) is None


def test_the_same_inputs_sent_again_by_the_same_member_change_nothing() -> None:
    """A reload of the answer to entering the inputs sent the form again: a second
    proposal superseded the first, and the history grew by two rows. The same inputs of
    the same member while they await are the same proposal; anyone else's, or other
    inputs, still supersede them."""
    uow = FakeUnitOfWork()
    first = propose_parameters(uow, parameters=inputs(2023), by="staff:aigerim", at=AT)
    later = AT + dt.timedelta(minutes=1)
    again = propose_parameters(uow, parameters=inputs(2023), by="staff:Aigerim", at=later)
    assert again == first and uow.proposals.proposals() == [first]
    other = propose_parameters(uow, parameters=inputs(2023), by="staff:marat", at=later)
    assert other.proposal_id != first.proposal_id and uow.proposals.awaiting(2023) == other


def test_a_closed_years_inputs_are_final_in_the_back_office_too() -> None:
    uow = FakeUnitOfWork()
    set_parameters(uow, parameters=[inputs(2023)], today=TODAY)
    view = View(as_of=dt.date(2024, 1, 31), watermark=1)
    nothing = Money(0)
    result = CloseResult(2023, 1, Money(100), Money(100), *[nothing] * 5, 0, nothing)
    uow.state.closes.append(ClosedRecord(ClosedView(2023, view, Money(100), Decimal(0)), result))
    with pytest.raises(ParametersRefused) as refusal:
        propose_parameters(uow, parameters=inputs(2023, "2.00"), by="staff:aigerim", at=AT)
    assert refusal.value.code == "year_closed"
    years = parameter_years(uow)
    assert [(y.year, y.closed, y.parameters is not None) for y in years] == [
        (2023, True, True),
        (2024, False, False),
    ]


def test_a_close_asks_again_before_writing_whether_inputs_await_approval() -> None:
    """Inputs entered while the close counted hold it back: it writes nothing."""
    uow = FakeUnitOfWork()
    uow.register.add_record(
        Iin.parse("160202600019"), RecordKind.BORN_CITIZEN, dt.date(2016, 2, 2), dt.date(2016, 2, 7)
    )
    set_parameters(uow, parameters=[inputs(2023)], today=TODAY)
    counting = uow.closes.standing_counts

    def counted_while_someone_entered_inputs(**kwargs: object) -> object:
        uow.proposals.propose(inputs(2023, "2.00"), by="staff:marat", at=AT)
        return counting(**kwargs)  # type: ignore[arg-type]

    uow.closes.standing_counts = counted_while_someone_entered_inputs  # type: ignore[method-assign,assignment]
    with pytest.raises(CloseRefused) as refusal:
        close_year(uow, year=2023, as_of=dt.date(2024, 1, 31))
    assert refusal.value.code == "parameters_awaiting_approval"
    assert not uow.state.closes and not uow.state.entries


def test_each_database_keeps_proposals_and_their_decisions(uow: SqlUnitOfWork) -> None:
    entered = propose_parameters(uow, parameters=inputs(2026), by="staff:aigerim", at=AT)
    approve_parameters(
        uow, year=2026, proposal_id=entered.proposal_id, by="staff:saule", at=AT, today=TODAY
    )
    again = propose_parameters(uow, parameters=inputs(2026, "1.00"), by="staff:marat", at=AT)
    newer = propose_parameters(uow, parameters=inputs(2026, "2.00"), by="staff:dana", at=AT)
    found = uow.proposals.proposals(year=2026)
    assert [(p.proposal_id, p.decision) for p in found] == [
        (newer.proposal_id, None),
        (again.proposal_id, ProposalDecision.SUPERSEDED),
        (entered.proposal_id, ProposalDecision.APPROVED),
    ]
    assert found[2].entered_at == AT and found[2].decided_by == "staff:saule"
    assert uow.parameters.parameters_for(2026) == inputs(2026)
    waiting = newer.proposal_id
    refused = [  # each refused by the database itself, whoever writes it
        "UPDATE parameter_proposal SET decision = 'rejected'",  # a decided one is final
        f"UPDATE parameter_proposal SET tr_total_cents = 1 WHERE proposal_id = {waiting}",
        "DELETE FROM parameter_proposal",
        "INSERT INTO parameter_proposal (year, tr_total_cents, ii_rate, reference, entered_by,"
        " entered_at) VALUES (2026, 1, '0', 'x', 'y', 'z')",  # a second one awaiting
        f"UPDATE parameter_proposal SET decision = 'approved' WHERE proposal_id = {waiting}",
    ]
    for statement in refused:
        match = r"(?i)final|kept|unique|check"
        with pytest.raises(Exception, match=match), writing(uow, joined=False):
            uow.db.execute(statement)
    assert uow.db.scalar("SELECT COUNT(*) FROM parameter_proposal") == 3
    assert uow.proposals.awaiting(2026) == newer


@pytest.mark.parametrize(
    ("other", "same"),
    [("alice", True), (" ALICE ", True), ("Ａｌｉｃｅ", True), ("Alice\u0301", False),
     ("Alicia", False), ("ALİCE", True), ("alİce", True), ("ALICE", True), ("alıce", False),
     ("AlIce", True)],
)  # fmt: skip
def test_one_person_under_another_form_of_their_name_is_the_same_person(
    other: str, same: bool
) -> None:
    """A full-width `Ａｌｉｃｅ` approved what `Alice` entered, and so did `ALİCE` (the
    Turkic capital of `i`, which case folding alone makes an `i` with a dot above)."""
    assert same_person("Alice", other) is same


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [("alıce", "ALICE", True), ("aıdar", "aidar", False), ("AIDAR", "aıdar", True),
     ("AIDAR", "aidar", True), ("ALİ", "ali", True), ("ALİ", "alı", False)],
)  # fmt: skip
def test_the_turkic_capitals_name_one_person_and_dotless_i_another_letter(
    one: str, other: str, same: bool
) -> None:
    """`ı` and `i` are two letters of the Kazakh Latin alphabet (a staff member `aıdar`
    is not `aidar`), and `I` the capital of either."""
    assert same_person(one, other) is same


@pytest.mark.parametrize(
    ("user", "refused"),
    [("\u0410lice", "mixes alphabets in the word 'Аlice' (CYRILLIC and LATIN)"),
     ("Alice\u3164", "holds an invisible character U+3164 (HANGUL FILLER)"),
     ("Ali\u200dce", "printable characters"),
     ("Alice", None), ("Алия Нұрланқызы", None), ("aliya.n@operator.kz", None),
     ("Әлия", None), ("ALİCE", None), ("BANK\\Асель", None), ("Гүлнар(Gulnar)", None),
     ("Gʻulomov", None), ("Ivanov/Иванов", None)],
)  # fmt: skip
def test_a_staff_member_s_name_cannot_look_like_another_s(user: str, refused: str | None) -> None:
    """`Аlice` (a Cyrillic А) approved what `Alice` entered, and so did `Alice` with an
    invisible filler: a name is legible and each of its words of one alphabet, as an
    operator's is."""
    if refused is None:
        assert staff_member(user, "clerk").user == user
        return
    with pytest.raises(InvalidStaffMember) as raised:
        staff_member(user, "clerk")
    assert refused in str(raised.value)

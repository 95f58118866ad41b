"""Statements that explain every cent: each line's date, the rule that produced it with
the values it applied, its words in three languages, and the running balance of its
account, which ends at the statement's balance.  On the domain alone, and through the
in-memory unit of work for payouts, heirs' payouts and expiry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from fakes import FakeUnitOfWork
from urpaq.domain import ledger
from urpaq.domain.close import ClosedView, CloseResult
from urpaq.domain.explanation import Explanation, Rule, SavingsPosting
from urpaq.domain.inheritance import HeirPayout, HeirPayoutStatus
from urpaq.domain.ledger import EntryKind
from urpaq.domain.money import Money
from urpaq.domain.operators import SUB_PURPOSES, Purpose
from urpaq.domain.participation import Fact, View
from urpaq.domain.payouts import Payout, PayoutStatus
from urpaq.domain.register import RecordKind
from urpaq.domain.statement import (
    Statement,
    StatementLine,
    StatementStatus,
    build_statement,
    savings_lines_of,
)
from urpaq.entrypoints.http.web import i18n
from urpaq.entrypoints.http.web.explain import explained, percent
from urpaq.services.statements import statement_of
from world import ADULT, TODAY, add_bank, build_world

money = Money.parse
AS_OF = {2023: dt.date(2024, 1, 31), 2024: dt.date(2025, 1, 31), 2025: dt.date(2026, 1, 30)}
# The published inputs and figures, near enough: TR total, participants, per-child, rate.
PUBLISHED = {
    2023: ("695519269.00", 6_919_131, "100.52", "0"),
    2024: ("888834323.11", 6_869_686, "129.38", "0.0302"),
    2025: ("904337600.00", 6_918_656, "130.71", "0.029683"),
}


def close_of(year: int, *, as_of: dt.date | None = None) -> tuple[ClosedView, CloseResult]:
    tr_total, participants, per_child, rate = PUBLISHED[year]
    pot = money(tr_total)
    residue = pot - money(per_child).times(participants)
    view = View(as_of or AS_OF[year], watermark=1000)
    result = CloseResult(
        reporting_year=year, participants=participants, per_child=money(per_child),
        tr_total=pot, forfeited=Money(0), annulled=Money(0), back_accruals=Money(0),
        residue=residue, investment_income=Money(0), matured=0,
        target_savings_credited=Money(0),
    )  # fmt: skip
    return ClosedView(year, view, money(per_child), Decimal(rate)), result


def statement(
    birth: str,
    facts: list[Fact],
    *,
    years: tuple[int, ...] = (2023, 2024, 2025),
    savings: tuple[StatementLine, ...] = (),
) -> Statement:
    closes = [close_of(year) for year in years]
    return build_statement(
        iin="000000000000",
        birth_date=dt.date.fromisoformat(birth),
        facts=facts,
        closes=[view for view, _ in closes],
        figures={view.year: result for view, result in closes},
        savings_lines=savings,
    )


def fact(
    kind: RecordKind, effective: str, recorded: str, sequence: int,
    *, withdrawn_on: dt.date | None = None, withdrawn_sequence: int | None = None,
) -> Fact:  # fmt: skip
    return Fact(
        kind, dt.date.fromisoformat(effective), dt.date.fromisoformat(recorded), sequence,
        withdrawn_on=withdrawn_on, withdrawn_sequence=withdrawn_sequence,
    )  # fmt: skip


def born(date: str, recorded: str | None = None) -> Fact:
    return fact(RecordKind.BORN_CITIZEN, date, recorded or date, 1)


def tr(found: Statement) -> list[StatementLine]:
    return [line for line in found.lines if line.account == ledger.TARGET_REQUIREMENTS]


def rules(lines: list[StatementLine]) -> list[str]:
    return [line.explanation.rule.value for line in lines if line.explanation is not None]


def english(line: StatementLine) -> str:
    return explained("en", line, plain=True)


def assert_running_balances_end_at_the_balances(found: Statement) -> None:
    """Every cent: each account's running balance is the sum of its lines so far, and the
    last is the statement's balance of the account."""
    for account, balance in (
        (ledger.TARGET_REQUIREMENTS, found.target_requirements),
        (ledger.TARGET_SAVINGS, found.target_savings),
    ):
        held = Money(0)
        for line in (line for line in found.lines if line.account == account):
            held += line.amount
            assert line.balance == held, line
        assert held == balance, account


def test_a_participant_s_lines_are_dated_explained_and_add_up() -> None:
    """Accrual, II, accrual, II, accrual: each dated the day its close credited it, the
    II on exactly what was held before it, the accrual the TR total split among all."""
    found = statement("2015-05-01", [born("2015-05-01")])
    lines = tr(found)
    assert rules(lines) == [
        "accrual", "investment_income", "accrual", "investment_income", "accrual",
    ]  # fmt: skip
    assert [line.date for line in lines] == [AS_OF[2023], *[AS_OF[2024]] * 2, *[AS_OF[2025]] * 2]
    assert [str(line.balance) for line in lines] == [
        "100.52", "103.56", "232.94", "239.85", "370.56",
    ]  # fmt: skip
    assert found.target_requirements == money("370.56")
    assert_running_balances_end_at_the_balances(found)
    income_2025 = lines[3].explanation
    assert income_2025 == Explanation.of(
        Rule.INVESTMENT_INCOME, year=2025, rate=Decimal("0.029683"), balance=money("232.94")
    )
    assert [english(line) for line in lines[1:3]] == [
        "investment income of 2024: 3.02 % on 100.52",
        "per-child accrual of 2024: the TR total 888,834,323.11 split among 6,869,686 participants,"
        " rounded down to the cent (the 34,348.43 left over is not split)",
    ]
    assert english(lines[3]) == "investment income of 2025: 2.9683 % on 232.94"
    accrual = lines[2].explanation
    assert accrual is not None and accrual.as_json() == {
        "year": 2024, "tr_total": "888834323.11", "returned": "0.00", "back_accruals": "0.00",
        "pot": "888834323.11", "participants": 6869686, "per_child": "129.38",
        "residue": "34348.43",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("participants", "residue", "words"),
    [
        (1, "0.00", {"en": "split among 1 participant", "ru": "разделённая на 1 участника"}),
        (21, "0.19", {"en": "split among 21 participants, rounded down to the cent (the 0.19"
                            " left over is not split)",
                      "ru": "разделённая на 21 участника, с округлением вниз до цента"
                            " (неразделённый остаток: 0,19)"}),
        (11, "0.00", {"en": "split among 11 participants", "ru": "разделённая на 11 участников"}),
        (22, "0.00", {"en": "split among 22 participants", "ru": "разделённая на 22 участника"}),
        (13_842, "0.00", {"en": "split among 13\u202f842 participants",
                          "ru": "разделённая на 13\u202f842 участника"}),  # once «участников»
        (14, "0.00", {"en": "split among 14 participants", "ru": "разделённая на 14 участников"}),
        (1_001, "0.00", {"en": "split among 1\u202f001 participants",
                         "ru": "разделённая на 1\u202f001 участника"}),
    ],
)  # fmt: skip
def test_the_accrual_s_words_agree_with_the_count_and_name_the_residue(
    participants: int, residue: str, words: dict[str, str]
) -> None:
    """A parent can reconcile the line: the noun agrees with the count, and the cents the
    split left over are named (the per-child amount is rounded down)."""
    explanation = Explanation.of(
        Rule.ACCRUAL, year=2024, tr_total=money("1000.00"), returned=money("0.00"),
        back_accruals=money("0.00"), pot=money("1000.00"), participants=participants,
        per_child=money("47.61"), residue=money(residue),
    )  # fmt: skip
    line = StatementLine(2024, EntryKind.ACCRUAL, money("47.61"), explanation=explanation)
    for language, expected in words.items():
        assert explained(language, line).endswith(expected), language
    assert explained("kk", line).startswith("2024 жылғы бір балаға есептеу")
    assert ("0,19" in explained("kk", line)) == (residue != "0.00")


def test_the_json_of_a_line_extends_the_old_fields() -> None:
    line = tr(statement("2015-05-01", [born("2015-05-01")]))[1]
    assert line.as_json() == {
        "reporting_year": 2024, "kind": "investment_income", "amount": "3.04",
        "account": "target_requirements", "date": "2025-01-31", "rule": "investment_income",
        "values": {"year": 2024, "rate": "0.0302", "balance": "100.52"}, "balance": "103.56",
    }  # fmt: skip


def test_a_child_recorded_late_is_back_accrued_what_a_peer_holds() -> None:
    found = statement("2016-02-02", [born("2016-02-02", recorded="2024-06-01")])
    first = tr(found)[0]
    assert (first.kind, first.amount, first.date) == (
        EntryKind.BACK_ACCRUAL, money("100.52"), AS_OF[2024],
    )  # fmt: skip
    assert english(first) == (
        "back-accrual: what a participant since 2023 holds after the close of 2023 (100.52),"
        " paid from the pot"
    )
    assert found.target_requirements == money("370.56")
    assert_running_balances_end_at_the_balances(found)


def test_a_loss_of_citizenship_is_a_forfeiture_on_its_date() -> None:
    lost = fact(RecordKind.CITIZENSHIP_LOST, "2024-04-01", "2024-04-03", 2)
    found = statement("2015-05-01", [born("2015-05-01"), lost])
    assert found.status is StatementStatus.FORFEITED
    last = tr(found)[-1]
    assert last.explanation == Explanation.of(
        Rule.FORFEITURE, year=2024, cause="citizenship_lost", on=dt.date(2024, 4, 1),
        balance=money("100.52"),
    )  # fmt: skip
    assert english(last) == "forfeiture: citizenship lost on 2024-04-01"
    assert explained("ru", last) == "прекращение: гражданство утрачено 01.04.2024"
    assert explained("kk", last) == "тоқтату: азаматтығынан айырылды, 01.04.2024"
    assert last.balance == Money(0) == found.target_requirements
    assert_running_balances_end_at_the_balances(found)


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        (RecordKind.DIED, "forfeiture: died on 2024-03-11"),
        (RecordKind.DECLARED_DEAD, "forfeiture: declared dead by a court on 2024-03-11"),
        (RecordKind.CITIZENSHIP_RENOUNCED, "forfeiture: citizenship renounced on 2024-03-11"),
        (
            RecordKind.RECORD_ANNULLED,
            "annulment: the register annulled the record on 2024-03-11 — the right never existed",
        ),
    ],
)
def test_each_ending_names_its_record_and_date(kind: RecordKind, words: str) -> None:
    found = statement("2016-07-15", [born("2016-07-15"), fact(kind, "2024-03-11", "2024-03-13", 2)])
    assert english(tr(found)[-1]) == words
    assert found.target_requirements == Money(0)


def test_citizenship_lost_and_regained_within_a_year_restarts_from_zero() -> None:
    facts = [
        born("2015-05-01"),
        fact(RecordKind.CITIZENSHIP_LOST, "2024-04-01", "2024-04-03", 2),
        fact(RecordKind.CITIZENSHIP_ACQUIRED, "2024-09-01", "2024-09-03", 3),
    ]
    lines = tr(statement("2015-05-01", facts, years=(2023, 2024)))
    assert rules(lines) == ["accrual", "forfeiture", "accrual"]
    assert english(lines[1]) == (
        "forfeiture: citizenship lost on 2024-04-01; citizenship regained in 2024, a new"
        " participation begins from zero"
    )
    assert lines[-1].balance == money("129.38")


def test_a_withdrawn_loss_is_restored_at_the_first_close_that_sees_the_withdrawal() -> None:
    lost = fact(
        RecordKind.CITIZENSHIP_LOST, "2024-04-01", "2024-04-03", 2,
        withdrawn_on=dt.date(2025, 2, 10), withdrawn_sequence=3,
    )  # fmt: skip
    found = statement("2015-05-01", [born("2015-05-01"), lost])
    lines = tr(found)
    assert rules(lines) == [
        "accrual", "forfeiture", "restoration", "investment_income", "accrual",
    ]  # fmt: skip
    restoration = lines[2]
    assert (restoration.kind, restoration.amount, restoration.date) == (
        EntryKind.RESTORATION, money("232.94"), AS_OF[2025],
    )  # fmt: skip
    assert english(restoration) == (
        "restoration after the register withdrew a record (citizenship lost, 2024-04-01;"
        " withdrawn on 2025-02-10): what a participant since 2023 holds after the close of"
        " 2024 (232.94), paid from the pot"
    )
    assert found.target_requirements == money("370.56")
    assert_running_balances_end_at_the_balances(found)


def test_a_credit_made_without_the_right_is_reversed() -> None:
    """A loss in 2023 recorded after its close, citizenship regained in 2024: what the
    2023 close credited is taken back, and the child takes part again from 2024."""
    facts = [
        born("2012-02-02"),
        fact(RecordKind.CITIZENSHIP_LOST, "2023-10-01", "2024-03-01", 2),
        fact(RecordKind.CITIZENSHIP_ACQUIRED, "2024-06-01", "2024-06-03", 3),
    ]
    lines = tr(statement("2012-02-02", facts, years=(2023, 2024)))
    assert rules(lines) == ["accrual", "reversal", "accrual"]
    assert lines[1].amount == money("-100.52")
    assert english(lines[1]) == (
        "reversal: 100.52 had been credited, while a participant since 2024 holds 0.00 after"
        " the close of 2023; the excess was credited without the right"
    )
    assert [str(line.balance) for line in lines] == ["100.52", "0.00", "129.38"]


def test_maturity_leaves_the_tr_and_arrives_on_target_savings() -> None:
    credited = SavingsPosting("close:2023:maturity", 2023, EntryKind.MATURITY,
                              money("100.52"), AS_OF[2023])  # fmt: skip
    found = statement(
        "2006-03-03",
        [born("2006-03-03")],
        years=(2023,),
        savings=tuple(savings_lines_of([credited])),
    )
    assert found.status is StatementStatus.MATURED
    out, arrived = tr(found)[-1], found.lines[-1]
    assert english(out) == "became target savings at 18: the whole balance after the close of 2023"
    assert (out.balance, arrived.balance, arrived.date) == (Money(0), money("100.52"), AS_OF[2023])
    assert english(arrived) == (
        "target savings credited: the whole TR balance after the close of 2023"
    )
    assert_running_balances_end_at_the_balances(found)


def test_a_matured_person_keeps_the_year_they_participated_from_after_later_closes() -> None:
    """The year is that of the participation they matured from, the same whether their
    maturity was the last close or two closes ago."""
    credited = SavingsPosting("close:2024:maturity", 2024, EntryKind.MATURITY,
                              money("232.94"), AS_OF[2024])  # fmt: skip
    savings = tuple(savings_lines_of([credited]))
    at_once = statement("2007-03-03", [born("2007-03-03")], years=(2023, 2024), savings=savings)
    later = statement("2007-03-03", [born("2007-03-03")], savings=savings)
    assert (at_once.status, later.status) == (StatementStatus.MATURED,) * 2
    assert (at_once.participant_since, later.participant_since) == (2023, 2023)
    assert later.as_json()["participant_since"] == 2023


def payout(number: int, status: PayoutStatus, *, purpose: Purpose = Purpose.EDUCATION) -> Payout:
    return Payout(
        payout_id=f"p{number}", person_id=7, operator_name="Example Bank",
        amount=money("10.00"), purpose=purpose,
        sub_purpose="tuition_period" if purpose is Purpose.EDUCATION else "mortgage_down_payment",
        account="KZ01", status=status, return_due_on=dt.date(2024, 4, 5),
    )  # fmt: skip


def test_payouts_returns_heirs_and_expiry_say_why_and_through_whom() -> None:
    payouts = [
        payout(1, PayoutStatus.CONFIRMED, purpose=Purpose.HOUSING),
        payout(2, PayoutStatus.RETURNED),
        payout(3, PayoutStatus.RETURNED),
        payout(4, PayoutStatus.PAID),
    ]
    heir = HeirPayout("h1", 7, "Heir Bank", money("5.00"), "N-1", "KZ02",
                      HeirPayoutStatus.RETURNED)  # fmt: skip
    on = dt.date(2024, 2, 10)
    postings = [
        SavingsPosting("close:2023:maturity", 2023, EntryKind.MATURITY, money("100.52"),
                       AS_OF[2023]),
        SavingsPosting("payout:p1", 2024, EntryKind.PAYOUT, money("-10.00"), on),
        SavingsPosting("payout:p2", 2024, EntryKind.PAYOUT, money("-10.00"), on),
        SavingsPosting("payout:p2:returned", 2024, EntryKind.RETURN, money("10.00"), on),
        SavingsPosting("payout:p3", 2024, EntryKind.PAYOUT, money("-10.00"), on),
        SavingsPosting("payout:p3:returned", 2024, EntryKind.RETURN, money("10.00"),
                       dt.date(2024, 4, 8)),
        SavingsPosting("payout:p4", 2024, EntryKind.PAYOUT, money("-10.00"), on),
        SavingsPosting("heir_payout:h1", 2025, EntryKind.INHERITANCE, money("-5.00"), on),
        SavingsPosting("heir_payout:h1:returned", 2025, EntryKind.RETURN, money("5.00"), on),
        SavingsPosting("expiry:2034-02-01", 2034, EntryKind.EXPIRY, money("-80.52"),
                       dt.date(2034, 2, 1)),
        SavingsPosting("a-correction", 2034, EntryKind.RETURN, money("1.00"), dt.date(2034, 2, 2)),
    ]  # fmt: skip
    lines = savings_lines_of(postings, payouts=payouts, heir_payouts=[heir])
    assert [english(line) for line in lines] == [
        "target savings credited: the whole TR balance after the close of 2023",
        "payout for housing (mortgage down payment) through the authorised operator Example"
        " Bank; use confirmed",
        "payout for education (tuition for a period) through the authorised operator Example"
        " Bank; returned",
        "return from the authorised operator Example Bank: the payout for education (tuition"
        " for a period) was not used",
        "payout for education (tuition for a period) through the authorised operator Example"
        " Bank; returned",
        "return from the authorised operator Example Bank: the use of the payout for education"
        " (tuition for a period) was not confirmed by 2024-04-05 (45 working days)",
        "payout for education (tuition for a period) through the authorised operator Example"
        " Bank; use to be confirmed by 2024-04-05",
        "paid to an heir through the authorised operator Heir Bank, on the notary's"
        " certificate N-1; returned",  # once without the mark an ordinary payout has
        "return from the authorised operator Heir Bank: the heir's payout on the certificate"
        " N-1 could not be made",
        "to the pension account (voluntary contributions): not used within 10 years of"
        " crediting on 2024-01-31",
        "return",
    ]
    assert [line.explanation.rule for line in lines if line.explanation] == [
        Rule.SAVINGS_CREDITED, Rule.PAYOUT, Rule.PAYOUT, Rule.RETURN, Rule.PAYOUT,
        Rule.RETURN_UNUSED, Rule.PAYOUT, Rule.INHERITANCE, Rule.HEIR_RETURN, Rule.EXPIRY,
        Rule.ENTRY,
    ]  # fmt: skip
    assert [line.date for line in lines][-2:] == [dt.date(2034, 2, 1), dt.date(2034, 2, 2)]
    assert lines[1].explanation is not None and lines[1].explanation.as_json() == {
        "payout_id": "p1", "operator": "Example Bank", "purpose": "housing",
        "sub_purpose": "mortgage_down_payment", "status": "confirmed",
        "return_due_on": "2024-04-05",
    }  # fmt: skip
    assert explained("ru", lines[1]) == (
        "выплата на жильё (первоначальный взнос по ипотеке) через уполномоченного оператора"
        " Example Bank; использование подтверждено"
    )


def test_a_holder_s_statement_through_the_unit_of_work_names_each_payout(
    tmp_path: Path,
) -> None:
    """In memory as on the databases: the ledger's savings lines find their payouts."""
    from urpaq.services.payouts import request_payout, return_payout

    uow = FakeUnitOfWork()
    build_world(uow, tmp_path)
    add_bank(uow, name="Example Bank", purposes=frozenset(Purpose), credential="c")
    bank = uow.operators.named("Example Bank")
    assert bank is not None
    for number in (1, 2):
        request_payout(
            uow, operator=bank, iin=ADULT, amount=money("30.00"), purpose=Purpose.HOUSING,
            sub_purpose="purchase", account="KZ01", payout_id=f"q{number}", today=TODAY,
            return_due_on=lambda day: day + dt.timedelta(days=60),
        )  # fmt: skip
    return_payout(uow, operator=bank, payout_id="q2", today=TODAY)
    found = statement_of(uow, iin=ADULT)
    savings = [line for line in found.lines if line.account == ledger.TARGET_SAVINGS]
    assert [line.explanation.rule for line in savings if line.explanation] == [
        Rule.SAVINGS_CREDITED, Rule.PAYOUT, Rule.PAYOUT, Rule.RETURN,
    ]  # fmt: skip
    assert [line.date for line in savings][1:] == [TODAY] * 3
    assert english(savings[2]).endswith("Example Bank; returned")
    assert [str(line.balance) for line in savings] == ["100.00", "70.00", "40.00", "70.00"]
    assert_running_balances_end_at_the_balances(found)


def test_every_rule_has_words_in_every_language() -> None:
    keys = {f"rule_{rule.value}" for rule in Rule} - {"rule_payout"}
    keys |= {f"rule_payout_{status.value}" for status in PayoutStatus}
    keys |= {"rule_accrual_pot", "rule_back_accrual_held", "rule_restoration_held",
             "rule_forfeiture_restart", "rule_annulment_withdrawn", "rule_back_accrual_late",
             "rule_restoration_late", "rule_maturity_late"}  # fmt: skip
    keys |= {f"cause_{kind.value}" for kind in RecordKind} | {"cause_not_citizen"}
    keys |= {f"purpose_{purpose.value}" for purpose in Purpose}
    keys |= {f"sub_purpose_{part}" for parts in SUB_PURPOSES.values() for part in parts}
    for key in sorted(keys):
        assert set(i18n.MESSAGES[key]) == set(i18n.LANGUAGES), key


def test_a_rate_is_written_with_every_published_digit() -> None:
    assert percent(Decimal("0.029683"), space=" ") == "2.9683 %"
    assert percent(Decimal("0.0302000"), space=" ") == "3.02 %"
    assert percent(Decimal("0.10"), space=" ") == "10 %"
    assert percent(Decimal("0"), space=" ") == "0 %"


@pytest.mark.parametrize(
    ("closes", "ru", "en"),
    [
        (1, "1 год", "1 more close"),
        (4, "4 года", "4 more closes"),
        (14, "14 лет", "14 more closes"),
        (21, "21 год", "21 more closes"),
    ],
)
def test_the_estimate_s_count_of_closes_agrees_with_its_noun(closes: int, ru: str, en: str) -> None:
    """The lookup's estimate said «на 1 лет», «на 4 лет» and "1 more closes"."""
    from urpaq.entrypoints.http.web import i18n

    assert i18n.counted("ru", "projection_closes", closes) == ru
    assert i18n.counted("en", "projection_closes", closes) == en
    assert i18n.counted("kk", "projection_closes", closes) == f"{closes} жыл"
    intro = i18n.text("ru", "projection_intro", closes=ru, year=2040)
    assert f"параметры на {ru} (до итогов 2040 года)" in intro

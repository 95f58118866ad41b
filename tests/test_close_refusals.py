"""Whether a year may be closed: every refusal of a close in one table, in its fixed
order, with the message people read; no database."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from fakes import FakeUnitOfWork
from urpaq.domain.close import ClosedView, CloseRefused, CloseResult, check_close_allowed
from urpaq.domain.money import Money
from urpaq.domain.parameters import ParameterProposal, YearParameters
from urpaq.domain.participation import View
from urpaq.services.closing import close_report
from urpaq.services.ports.closes import ClosedRecord


def closed(year: int, *, as_of: dt.date) -> ClosedView:
    """A past close of `year` that saw the register as recorded by `as_of`."""
    return ClosedView(year, View(as_of=as_of, watermark=1), Money(10000), Decimal("0.03"))


def published(year: int) -> YearParameters:
    return YearParameters(year, Money.parse("1000.00"), Decimal("0.03"), "test figures")


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def entered(year: int) -> ParameterProposal:
    """Inputs of `year` entered in the back office, awaiting a second person's approval:
    late on 19 January in UTC, early on the 20th in Kazakhstan (a refusal once said the
    19th, the page the 20th)."""
    at = dt.datetime(year + 1, 1, 19, 20, 30, tzinfo=dt.UTC)
    return ParameterProposal(7, published(year), entered_by="staff:aigerim", entered_at=at)


def inputs_of(
    year: int, inputs: str | None
) -> tuple[YearParameters | None, ParameterProposal | None]:
    """The year's parameters and the inputs awaiting approval, as a row names them."""
    kinds = set((inputs or "").split("+"))
    return (
        published(year) if "published" in kinds else None,
        entered(year) if "awaiting" in kinds else None,
    )


AWAITING_2023 = (
    "the National Bank parameters for 2023 entered by staff:aigerim on 2024-01-20"
    " (Kazakhstan's day) await approval by another staff member"
)
AWAITING_2024 = AWAITING_2023.replace("2023", "2024").replace("2024-01-20", "2025-01-20")
CLOSED_2023 = closed(2023, as_of=day("2024-01-31"))
# Closed late: the close of 2024 cannot see less than this one saw.
CLOSED_2023_LATE = closed(2023, as_of=day("2025-06-01"))

# Each row: the year, the as-of date, today (or None), the last close (or None), the
# year's inputs — None, "published" (its parameters), "awaiting" (inputs entered in the
# back office awaiting approval, and no parameters yet) or "published+awaiting" (new
# inputs awaiting approval over published ones) — then the refusal.  No parameters exist
# for a year before the programme.  The rows after the first nine each break two rules,
# and show that the earlier rule in the order wins.
REFUSALS = [
    pytest.param(
        2022, "2023-01-31", None, None, None, "before_programme",
        "reporting year 2022 is before the programme's first year 2023",
        id="before_programme",
    ),
    pytest.param(
        2024, "2025-01-31", None, None, "published", "out_of_order",
        "reporting year 2024 cannot be closed before 2023",
        id="out_of_order: the first close is not of 2023",
    ),
    pytest.param(
        2025, "2026-01-31", None, CLOSED_2023, "published", "out_of_order",
        "reporting year 2025 cannot be closed before 2024",
        id="out_of_order: a year skipped",
    ),
    pytest.param(
        2023, "2023-12-31", None, None, "published", "year_not_over",
        "as-of date 2023-12-31 is not after the end of reporting year 2023",
        id="year_not_over",
    ),
    pytest.param(
        2023, "2024-02-01", "2024-01-31", None, "published", "as_of_in_future",
        "as-of date 2024-02-01 is after today (2024-01-31)",
        id="as_of_in_future",
    ),
    pytest.param(
        2024, "2025-01-31", None, CLOSED_2023_LATE, "published", "as_of_before_previous",
        "as-of date 2025-01-31 is before the as-of date 2025-06-01 of the close of 2023",
        id="as_of_before_previous",
    ),
    pytest.param(
        2023, "2024-01-31", "2024-01-31", None, None, "no_parameters",
        "no National Bank parameters for 2023: run `urpaq parameters set 2023`",
        id="no_parameters",
    ),
    pytest.param(
        2023, "2024-01-31", "2024-01-31", None, "awaiting", "parameters_awaiting_approval",
        AWAITING_2023,
        id="parameters_awaiting_approval: the first inputs of the year",
    ),
    pytest.param(
        2024, "2025-01-31", None, CLOSED_2023, "published+awaiting",
        "parameters_awaiting_approval", AWAITING_2024,
        id="parameters_awaiting_approval: someone is changing published inputs",
    ),
    pytest.param(
        2022, "2022-06-30", "2022-01-01", None, None, "before_programme",
        "reporting year 2022 is before the programme's first year 2023",
        id="before_programme before year_not_over",
    ),
    pytest.param(
        2025, "2025-06-30", None, None, "published", "out_of_order",
        "reporting year 2025 cannot be closed before 2023",
        id="out_of_order before year_not_over",
    ),
    pytest.param(
        2023, "2023-12-31", "2023-06-30", None, "published", "year_not_over",
        "as-of date 2023-12-31 is not after the end of reporting year 2023",
        id="year_not_over before as_of_in_future",
    ),
    pytest.param(
        2024, "2025-02-01", "2025-01-15", CLOSED_2023_LATE, "published", "as_of_in_future",
        "as-of date 2025-02-01 is after today (2025-01-15)",
        id="as_of_in_future before as_of_before_previous",
    ),
    pytest.param(
        2024, "2025-01-31", None, CLOSED_2023_LATE, None, "as_of_before_previous",
        "as-of date 2025-01-31 is before the as-of date 2025-06-01 of the close of 2023",
        id="as_of_before_previous before no_parameters",
    ),
    pytest.param(
        2024, "2025-01-31", None, CLOSED_2023_LATE, "awaiting", "as_of_before_previous",
        "as-of date 2025-01-31 is before the as-of date 2025-06-01 of the close of 2023",
        id="as_of_before_previous before parameters_awaiting_approval",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("year", "as_of", "today", "previous", "inputs", "code", "message"), REFUSALS
)
def test_a_close_the_rules_do_not_allow_is_refused_with_the_first_reason(
    year: int,
    as_of: str,
    today: str | None,
    previous: ClosedView | None,
    inputs: str | None,
    code: str,
    message: str,
) -> None:
    """Each refused close names the first reason that applies and says it in words."""
    parameters, awaiting = inputs_of(year, inputs)

    with pytest.raises(CloseRefused) as refusal:
        check_close_allowed(
            year=year,
            as_of=day(as_of),
            today=None if today is None else day(today),
            previous=previous,
            parameters=parameters,
            awaiting=awaiting,
        )

    assert (refusal.value.code, str(refusal.value)) == (code, message)


@pytest.mark.parametrize(
    ("year", "as_of", "today", "previous"),
    [
        pytest.param(2023, "2024-01-31", "2024-01-31", None, id="the first close, as of today"),
        pytest.param(2024, "2025-01-31", None, CLOSED_2023, id="the next close, no today"),
        pytest.param(2024, "2025-06-01", "2025-06-01", CLOSED_2023_LATE,
                     id="as of the same day as the previous close"),
    ],
)  # fmt: skip
def test_a_close_the_rules_allow_gets_its_parameters(
    year: int, as_of: str, today: str | None, previous: ClosedView | None
) -> None:
    """A close that breaks no rule may run, with the parameters published for its year."""
    parameters = published(year)

    allowed = check_close_allowed(
        year=year,
        as_of=day(as_of),
        today=None if today is None else day(today),
        previous=previous,
        parameters=parameters,
        awaiting=None,
    )

    assert allowed is parameters


@pytest.mark.parametrize(
    ("year", "as_of", "today", "previous", "inputs", "code", "message"), REFUSALS
)
def test_a_preview_is_refused_with_the_same_first_reason_and_writes_nothing(
    year: int,
    as_of: str,
    today: str | None,
    previous: ClosedView | None,
    inputs: str | None,
    code: str,
    message: str,
) -> None:
    """`urpaq close YEAR --preview` is refused wherever the close would be."""
    uow = FakeUnitOfWork()
    if previous is not None:
        nothing = Money(0)
        stored = CloseResult(previous.year, 1, Money(1000), Money(1000), *[nothing] * 5, 0, nothing)
        uow.state.closes.append(ClosedRecord(previous, stored))
    parameters, awaiting = inputs_of(year, inputs)
    if parameters is not None:
        uow.state.parameters[year] = parameters
    if awaiting is not None:
        uow.state.proposals.append(dataclasses.replace(awaiting, proposal_id=1))

    with pytest.raises(CloseRefused) as refusal:
        close_report(
            uow,
            year=year,
            as_of=day(as_of),
            today=None if today is None else day(today),
            is_working_day=lambda _: True,
            preview=True,
        )

    assert (refusal.value.code, str(refusal.value)) == (code, message)
    assert uow.commits == 0 and not uow.state.entries

"""The annual close in the back office: every close made, a close previewed (computed,
written and checked, then discarded: nothing is kept) beside last year's, and run by a
supervisor.  A close that the rules refuse shows the reason.

The close runs in the request, as `urpaq close` runs it: at national scale the answer
takes the minutes the close takes.  Every answer is recorded by the edge with the staff
member as actor and the year in the action (`AuditedPathRoute`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from urpaq.bootstrap import is_working_day
from urpaq.domain.close import CloseRefused, CloseResult
from urpaq.domain.close_calendar import close_calendar
from urpaq.domain.money import Money
from urpaq.domain.participation import FIRST_REPORTING_YEAR
from urpaq.domain.staff import Permission, may
from urpaq.entrypoints.http.deps import ClockDep, UnitOfWorkDep
from urpaq.entrypoints.http.edge import AuditedPathRoute
from urpaq.entrypoints.http.office.answers import (
    Problem,
    date_field,
    refusal_page,
    reporting_year,
)
from urpaq.entrypoints.http.office.deps import FormDep, permitted
from urpaq.entrypoints.http.office.pages import office_page
from urpaq.entrypoints.http.office.sessions import OFFICE_PATH
from urpaq.entrypoints.http.threads import in_thread
from urpaq.entrypoints.http.web.render import language_of, money, not_found
from urpaq.services.closing import CloseContended, CloseReport, close_report, closes
from urpaq.services.parameters import parameter_year
from urpaq.services.ports.staff import StaffSession

router = APIRouter(include_in_schema=False, route_class=AuditedPathRoute)

PreviewerDep = Annotated[StaffSession, Depends(permitted(Permission.PREVIEW_CLOSE))]
RunnerDep = Annotated[StaffSession, Depends(permitted(Permission.RUN_CLOSE))]


def _count(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


#: The figures of a close, as the page shows them beside last year's: (label, the
#: attribute of `CloseResult` that holds it).
FIGURES: list[tuple[str, str]] = [
    ("office_participants", "participants"), ("office_per_child", "per_child"),
    ("office_tr_total", "tr_total"), ("office_forfeited", "forfeited"),
    ("office_annulled", "annulled"), ("office_back_accruals", "back_accruals"),
    ("office_residue", "residue"), ("office_investment_income", "investment_income"),
    ("office_matured", "matured"), ("office_ts_credited", "target_savings_credited"),
]  # fmt: skip


def _figure(result: CloseResult, attribute: str, language: str) -> str:
    """One figure of a close as the page writes it: a count, or an amount."""
    value = getattr(result, attribute)
    return money(value, language) if isinstance(value, Money) else _count(value)


@router.get(f"{OFFICE_PATH}/closes", response_class=HTMLResponse)
async def closes_list(request: Request, session: PreviewerDep, uow: UnitOfWorkDep) -> HTMLResponse:
    """Each reporting year closed so far with its result and dates (one column a year),
    and the next one to close."""
    made = await in_thread(lambda: closes(uow(), is_working_day=is_working_day))
    following = made[-1].result.reporting_year + 1 if made else FIRST_REPORTING_YEAR
    language = language_of(request)
    rows = [(label, [_figure(c.result, name, language) for c in made]) for label, name in FIGURES]
    return office_page(request, "closes.html", session, closes=made, rows=rows, following=following)


@router.get(f"{OFFICE_PATH}/closes/{{year}}", response_class=HTMLResponse)
async def close_page(
    request: Request, year: str, session: PreviewerDep, uow: UnitOfWorkDep, clock: ClockDep
) -> HTMLResponse:
    """A closed year's result beside last year's; else the year's inputs and the forms
    that preview and run its close."""
    number = reporting_year(year)
    if number is None:
        return not_found(request)
    return await _year_page(request, session, uow, number, as_of=clock.today())


@router.post(f"{OFFICE_PATH}/closes/{{year}}/preview", response_class=HTMLResponse)
async def close_preview(
    request: Request,
    year: str,
    session: PreviewerDep,
    form: FormDep,
    uow: UnitOfWorkDep,
    clock: ClockDep,
) -> HTMLResponse:
    """The whole close of `year` as of `as_of`, computed and checked, nothing written."""
    return await _close(request, year, session, form, uow, clock, preview=True)


@router.post(f"{OFFICE_PATH}/closes/{{year}}/run", response_class=HTMLResponse)
async def close_run(
    request: Request,
    year: str,
    session: RunnerDep,
    form: FormDep,
    uow: UnitOfWorkDep,
    clock: ClockDep,
) -> HTMLResponse:
    """Close `year` as of `as_of`; a closed year shows the result it was closed with."""
    return await _close(request, year, session, form, uow, clock, preview=False)


async def _close(
    request: Request,
    year: str,
    session: StaffSession,
    form: FormData,
    uow: UnitOfWorkDep,
    clock: ClockDep,
    *,
    preview: bool,
) -> HTMLResponse:
    number = reporting_year(year)
    if number is None:
        return not_found(request)
    today = clock.today()

    def run(as_of: dt.date) -> CloseReport:
        return close_report(
            uow(), year=number, as_of=as_of, is_working_day=is_working_day, today=today,
            preview=preview,
        )  # fmt: skip

    try:
        as_of = date_field(form, "as_of")
        report = await in_thread(lambda: run(as_of), writes=True)
    except (CloseRefused, Problem) as refusal:
        return refusal_page(request, session, refusal, back=f"{OFFICE_PATH}/closes/{number}")
    except CloseContended as error:
        contended = Problem("close_contended", str(error))
        return refusal_page(request, session, contended, back=f"{OFFICE_PATH}/closes/{number}")
    return await _year_page(
        request, session, uow, number, as_of=as_of, report=report, preview=preview
    )


async def _year_page(
    request: Request,
    session: StaffSession,
    uow: UnitOfWorkDep,
    year: int,
    *,
    as_of: dt.date,
    report: CloseReport | None = None,
    preview: bool = False,
) -> HTMLResponse:
    """The page of one year's close: `report` (a preview or a close just run), else the
    close made, else the forms; with last year's close beside it."""

    def read() -> dict[str, Any]:
        work = uow()
        made = {c.result.reporting_year: c for c in closes(work, is_working_day=is_working_day)}
        return {
            "made": made.get(year),
            "previous": made.get(year - 1),
            "inputs": parameter_year(work, year=year),
        }

    found = await in_thread(read)
    shown: CloseReport | None = report or found["made"]
    previous: CloseReport | None = found["previous"]
    return office_page(
        request, "close.html", session, year=year, report=shown, preview=preview,
        closed=found["made"] is not None, inputs=found["inputs"], as_of=as_of,
        calendar=close_calendar(year, is_working_day=is_working_day),
        figures=_figures(shown, previous, language_of(request)), previous=previous,
        may_run=may(session.member, Permission.RUN_CLOSE),
    )  # fmt: skip


def _figures(
    report: CloseReport | None, previous: CloseReport | None, language: str
) -> list[tuple[str, str, str]]:
    """Each figure of the close shown, and last year's beside it (empty if none)."""
    if report is None:
        return []
    return [
        (
            label,
            _figure(report.result, name, language),
            _figure(previous.result, name, language) if previous else "",
        )
        for label, name in FIGURES
    ]

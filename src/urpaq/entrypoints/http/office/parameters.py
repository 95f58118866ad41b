"""The National Bank's inputs in the back office: entered by one staff member, approved by
another (four eyes).  Until they are approved or rejected, the year's close is refused.

Every answer is recorded by the edge with the staff member as actor and the year in the
action (`AuditedPathRoute`); what was entered, by whom and when, and who decided, is kept
with the proposal itself (`parameter_proposal`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from urpaq.domain.parameters import InvalidParameters, year_parameters
from urpaq.domain.refusals import Refused
from urpaq.domain.staff import Permission, may, same_person
from urpaq.entrypoints.http.deps import ClockDep, UnitOfWorkDep
from urpaq.entrypoints.http.edge import AuditedPathRoute
from urpaq.entrypoints.http.office.answers import field, refusal_page, reporting_year
from urpaq.entrypoints.http.office.deps import FormDep, permitted
from urpaq.entrypoints.http.office.pages import office_page
from urpaq.entrypoints.http.office.sessions import OFFICE_PATH
from urpaq.entrypoints.http.threads import in_thread
from urpaq.entrypoints.http.web.render import not_found
from urpaq.services.parameters import (
    ParametersRefused,
    approve_parameters,
    parameter_year,
    parameter_years,
    propose_parameters,
    reject_parameters,
)
from urpaq.services.ports.staff import StaffSession

router = APIRouter(include_in_schema=False, route_class=AuditedPathRoute)

EntererDep = Annotated[StaffSession, Depends(permitted(Permission.ENTER_PARAMETERS))]
ApproverDep = Annotated[StaffSession, Depends(permitted(Permission.APPROVE_PARAMETERS))]

#: The fields of the form that enters a year's inputs, as `urpaq parameters set` takes them.
FIELDS = ("tr_total", "ii_rate", "reference")


@router.get(f"{OFFICE_PATH}/parameters", response_class=HTMLResponse)
async def parameters_list(
    request: Request, session: EntererDep, uow: UnitOfWorkDep
) -> HTMLResponse:
    """Every year's inputs: the approved ones, and those awaiting approval, who entered
    them and when."""
    years = await in_thread(lambda: parameter_years(uow()))
    return office_page(request, "parameters.html", session, years=years)


@router.get(f"{OFFICE_PATH}/parameters/{{year}}", response_class=HTMLResponse)
async def parameters_year(
    request: Request, year: str, session: EntererDep, uow: UnitOfWorkDep
) -> HTMLResponse:
    """One year's inputs, those awaiting approval, the form to enter new ones, and every
    proposal with its decision."""
    number = reporting_year(year)
    if number is None:
        return not_found(request)
    return await _year_page(request, session, uow, number)


@router.post(f"{OFFICE_PATH}/parameters/{{year}}", response_class=HTMLResponse)
async def parameters_enter(
    request: Request,
    year: str,
    session: EntererDep,
    form: FormDep,
    uow: UnitOfWorkDep,
    clock: ClockDep,
) -> HTMLResponse:
    """Enter a year's inputs (`tr_total`, `ii_rate`, `reference`), checked as `urpaq
    parameters set` checks them: they await another staff member's approval."""
    number = reporting_year(year)
    if number is None:
        return not_found(request)
    entered = {name: field(form, name) for name in FIELDS}
    try:
        parameters = year_parameters(year=number, **entered)
    except InvalidParameters as error:
        return await _year_page(
            request,
            session,
            uow,
            number,
            status=422,
            problem=str(error),
            entered=entered,
            said="office_inputs_not_taken",
        )
    by, at = session.member.actor, clock.now()
    try:
        await in_thread(
            lambda: propose_parameters(uow(), parameters=parameters, by=by, at=at), writes=True
        )
    except ParametersRefused as refusal:
        return refusal_page(request, session, refusal, back=f"{OFFICE_PATH}/parameters/{number}")
    return await _year_page(request, session, uow, number, notice="office_parameters_entered")


@router.post(f"{OFFICE_PATH}/parameters/{{year}}/approve", response_class=HTMLResponse)
async def parameters_approve(
    request: Request,
    year: str,
    session: ApproverDep,
    form: FormDep,
    uow: UnitOfWorkDep,
    clock: ClockDep,
) -> HTMLResponse:
    """Approve the inputs awaiting approval (field `proposal`: the ones the approver saw):
    they become the year's parameters.  Refused (403) to the one who entered them."""
    return await _decide(request, year, session, form, uow, clock, approve=True)


@router.post(f"{OFFICE_PATH}/parameters/{{year}}/reject", response_class=HTMLResponse)
async def parameters_reject(
    request: Request,
    year: str,
    session: ApproverDep,
    form: FormDep,
    uow: UnitOfWorkDep,
    clock: ClockDep,
) -> HTMLResponse:
    """Set aside the inputs awaiting approval (field `proposal`): the year keeps what it
    had, and its close may run again."""
    return await _decide(request, year, session, form, uow, clock, approve=False)


async def _decide(
    request: Request,
    year: str,
    session: StaffSession,
    form: FormData,
    uow: UnitOfWorkDep,
    clock: ClockDep,
    *,
    approve: bool,
) -> HTMLResponse:
    number = reporting_year(year)
    if number is None:
        return not_found(request)
    back = f"{OFFICE_PATH}/parameters/{number}"
    proposal = field(form, "proposal")
    if not proposal.isascii() or not proposal.isdigit() or len(proposal) > 19:  # past BIGINT
        refusal = ParametersRefused("proposal_changed", f"proposal {proposal[:20]!r} is unknown")
        return refusal_page(request, session, refusal, back=back)
    by, at, today = session.member.actor, clock.now(), clock.today()

    def decide() -> None:
        if approve:
            approve_parameters(
                uow(), year=number, proposal_id=int(proposal), by=by, at=at, today=today
            )
        else:
            reject_parameters(uow(), year=number, proposal_id=int(proposal), by=by, at=at)

    try:
        await in_thread(decide, writes=True)
    except Refused as refusal:
        return refusal_page(request, session, refusal, back=back)
    notice = "office_parameters_approved" if approve else "office_parameters_rejected"
    return await _year_page(request, session, uow, number, notice=notice)


async def _year_page(
    request: Request,
    session: StaffSession,
    uow: UnitOfWorkDep,
    year: int,
    *,
    status: int = 200,
    **values: Any,
) -> HTMLResponse:
    found = await in_thread(lambda: parameter_year(uow(), year=year))
    awaiting = found.awaiting
    return office_page(
        request, "parameter_year.html", session, status=status, item=found,
        may_decide=may(session.member, Permission.APPROVE_PARAMETERS),
        entered_it=awaiting is not None and same_person(awaiting.entered_by, session.member.actor),
        **values,
    )  # fmt: skip

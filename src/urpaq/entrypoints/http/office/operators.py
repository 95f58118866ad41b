"""Authorised operators in the back office: the list with what each may pay and whether it
is active; a supervisor adds one, rotates its credential or revokes it.

A new credential is shown once, on the answer to the request that issued it (never
cached: `Cache-Control: no-store`), and never again: the database keeps only its digest,
and neither the access log nor the audit log sees it (it travels in no URL).  An
operator's name is no person's data: it stands in the path, and in the audit log's action
(`AuditedPathRoute`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from urpaq.domain.operators import SCOPES, InvalidOperator, parse_name, parse_scopes
from urpaq.domain.refusals import Refused
from urpaq.domain.staff import Permission
from urpaq.entrypoints.cli.operators import new_credential
from urpaq.entrypoints.http.audit_note import note_of
from urpaq.entrypoints.http.credentials import BelievedCredentials
from urpaq.entrypoints.http.deps import ClockDep, UnitOfWorkDep
from urpaq.entrypoints.http.edge import AuditedPathRoute
from urpaq.entrypoints.http.office.answers import Problem, field, refusal_page
from urpaq.entrypoints.http.office.deps import FormDep, permitted
from urpaq.entrypoints.http.office.pages import office_page
from urpaq.entrypoints.http.office.sessions import OFFICE_PATH
from urpaq.entrypoints.http.threads import in_thread
from urpaq.services.operators import (
    add_operator,
    credential_marks,
    operators,
    revoke_operator,
    rotate_credential,
)
from urpaq.services.ports.staff import StaffSession

router = APIRouter(include_in_schema=False, route_class=AuditedPathRoute)

ManagerDep = Annotated[StaffSession, Depends(permitted(Permission.MANAGE_OPERATORS))]

BACK = f"{OFFICE_PATH}/operators"


@router.get(f"{OFFICE_PATH}/operators", response_class=HTMLResponse)
async def operators_list(request: Request, session: ManagerDep, uow: UnitOfWorkDep) -> HTMLResponse:
    """Every authorised operator, what it may pay for, and whether it is active."""
    return await _list_page(request, session, uow)


@router.post(f"{OFFICE_PATH}/operators", response_class=HTMLResponse)
async def operator_add(
    request: Request, session: ManagerDep, form: FormDep, uow: UnitOfWorkDep, clock: ClockDep
) -> HTMLResponse:
    """Register an operator (fields `name`, and `purposes` once for each of housing,
    education, inheritance); its credential is shown once."""
    chosen = ",".join(str(value) for value in form.getlist("purposes"))[:200]
    try:
        name = parse_name(field(form, "name"))
        purposes, pays_heirs = parse_scopes(chosen)
    except InvalidOperator as error:
        return refusal_page(request, session, Problem("invalid_operator", str(error)), back=BACK)
    # The path does not say which operator: the action does, with what it may pay.
    scopes = sorted(p.value for p in purposes) + (["inheritance"] if pays_heirs else [])
    note_of(request).detail = f"{name}: {','.join(scopes)}"
    today = clock.today()

    def add() -> str:
        return add_operator(
            uow(), name=name, purposes=purposes, pays_heirs=pays_heirs, today=today,
            new_credential=new_credential,
        )  # fmt: skip

    return await _issued(request, session, name, add, added=True)


@router.post(f"{OFFICE_PATH}/operators/{{name}}/rotate", response_class=HTMLResponse)
async def operator_rotate(
    request: Request,
    name: str,
    session: ManagerDep,
    form: FormDep,
    uow: UnitOfWorkDep,
    clock: ClockDep,
) -> HTMLResponse:
    """Issue a new credential, shown once; the old one stops moving money at once, and
    reading within a second on every server process (docs/decisions/0024)."""
    name = _named(name)
    today = clock.today()
    replacing = field(form, "replaces")  # the credential the page showed; none: refused

    def rotate() -> str:
        return rotate_credential(
            uow(), name=name, today=today, new_credential=new_credential, replacing=replacing
        )

    return await _issued(request, session, name, rotate, added=False)


@router.post(f"{OFFICE_PATH}/operators/{{name}}/revoke", response_class=HTMLResponse)
async def operator_revoke(
    request: Request,
    name: str,
    session: ManagerDep,
    form: FormDep,
    uow: UnitOfWorkDep,
    clock: ClockDep,
) -> HTMLResponse:
    """Revoke an operator: its credential stops moving money at once, and reading within
    a second on every server process; its history stays."""
    name = _named(name)
    today = clock.today()
    try:
        await in_thread(lambda: revoke_operator(uow(), name=name, today=today), writes=True)
    except Refused as refusal:
        return refusal_page(request, session, refusal, back=BACK)
    _forget_credentials(request)
    return await _list_page(request, session, uow, notice="office_operator_revoked", named=name)


async def _issued(
    request: Request,
    session: StaffSession,
    name: str,
    issue: Callable[[], str],
    *,
    added: bool,
) -> HTMLResponse:
    """The page that shows a credential just issued, the one time it is ever shown."""
    try:
        credential = await in_thread(issue, writes=True)
    except Refused as refusal:
        return refusal_page(request, session, refusal, back=BACK)
    if not added:  # the old credential stops working here at once
        _forget_credentials(request)
    return office_page(
        request, "credential.html", session, status=201 if added else 200, name=name,
        credential=credential, added=added,
    )  # fmt: skip


async def _list_page(
    request: Request, session: StaffSession, uow: UnitOfWorkDep, **values: Any
) -> HTMLResponse:
    registered, marks = await in_thread(lambda: (operators(uow()), credential_marks(uow())))
    return office_page(
        request, "operators.html", session, operators=registered, marks=marks, scopes=SCOPES,
        **values,
    )  # fmt: skip


def _forget_credentials(request: Request) -> None:
    """This process's reads stop believing the credentials they found active
    (`credentials.py`); the other processes' within a second."""
    believed: BelievedCredentials = request.app.state.credentials
    believed.forget_all()


def _named(text: str) -> str:
    """The operator a path names; an address that can name no operator is not found."""
    try:
        return parse_name(text)
    except InvalidOperator:
        raise HTTPException(status_code=404) from None

"""The back office's pages: the staff home, a person's whole file, and the audit viewer.

Every answer is recorded by the edge with the staff member as actor (and the person, for
a person's file).  A person's IIN travels only in a POST body, never in a URL.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from urpaq.domain.audit import AuditEvent, people_shown
from urpaq.domain.iin import Iin, InvalidIin
from urpaq.domain.ledger import TARGET_SAVINGS
from urpaq.domain.register import parse_day
from urpaq.domain.staff import Permission, may
from urpaq.entrypoints.http.audit_note import note_of
from urpaq.entrypoints.http.deps import UnitOfWorkDep
from urpaq.entrypoints.http.edge import AuditedRoute, UnauditedRedirect
from urpaq.entrypoints.http.office.deps import Forbidden, FormDep, StaffDep, permitted
from urpaq.entrypoints.http.office.sessions import FORM_FIELD, OFFICE_PATH
from urpaq.entrypoints.http.threads import in_thread
from urpaq.entrypoints.http.web import i18n
from urpaq.entrypoints.http.web.render import NO_STORE, page
from urpaq.services.audit import audit_events
from urpaq.services.ports.office import PayoutRow
from urpaq.services.ports.staff import StaffSession
from urpaq.services.ports.unit_of_work import UnitOfWork
from urpaq.services.register_history import register_history
from urpaq.services.statements import statement_of

router = APIRouter(include_in_schema=False, route_class=AuditedRoute)

AUDIT_ROWS_MAX = 1000

ReaderDep = Annotated[StaffSession, Depends(permitted(Permission.READ_PERSON))]
AuditorDep = Annotated[StaffSession, Depends(permitted(Permission.READ_AUDIT))]


def office_page(
    request: Request, template: str, session: StaffSession, *, status: int = 200, **values: Any
) -> HTMLResponse:
    """An office page: private, with the member, what they may do, and the form token;
    with every message's key, so that a stored code without words (a payout's
    sub-purpose) is shown as it is rather than failing the page."""
    member = session.member
    allowed = {permission.value for permission in Permission if may(member, permission)}
    return page(
        request, f"office/{template}", status=status, private=True, staff=member,
        allowed=allowed, form_field=FORM_FIELD, form_token=session.form_token,
        message_keys=i18n.MESSAGES.keys(), **values,
    )  # fmt: skip


async def to_sign_in(request: Request, error: Exception) -> Response:
    """An office page without a staff session: to the sign-in page (nobody's data)."""
    return UnauditedRedirect(f"{OFFICE_PATH}/sign-in", status_code=303, headers=NO_STORE)


async def forbidden(request: Request, error: Exception) -> Response:
    """403: the member's role may not do this, or the form was not the session's."""
    assert isinstance(error, Forbidden)
    return office_page(request, "forbidden.html", error.session, status=403, reason=error.reason)


@router.get(f"{OFFICE_PATH}/", response_class=HTMLResponse)
def home(request: Request, session: StaffDep) -> HTMLResponse:
    return office_page(request, "home.html", session)


@router.get(f"{OFFICE_PATH}/persons", response_class=HTMLResponse)
def person_form(request: Request, session: ReaderDep) -> HTMLResponse:
    return office_page(request, "person_search.html", session)


@router.post(f"{OFFICE_PATH}/persons", response_class=HTMLResponse)
async def person_file(
    request: Request, session: ReaderDep, form: FormDep, uow: UnitOfWorkDep
) -> HTMLResponse:
    """A person's whole file: register records, status, TR and TS line by line, and for
    an auditor who read this person and when."""
    entered = str(form.get("iin", ""))[:64]
    try:
        iin = Iin.parse(entered)
    except InvalidIin as error:
        said = i18n.IIN_PROBLEMS.get(error.problem, "iin_not_12_digits")
        return office_page(
            request, "person_search.html", session, status=422, problem=str(error), said=said
        )
    note_of(request).iin = iin.value
    may_see_readers = may(session.member, Permission.READ_WHO_READ)

    def read() -> dict[str, Any]:
        work = uow()
        found = statement_of(work, iin=iin)
        return {
            "history": register_history(work, iin=iin),
            "statement": found,
            "tr": [line for line in found.lines if line.account != TARGET_SAVINGS],
            "ts": [line for line in found.lines if line.account == TARGET_SAVINGS],
            "readers": audit_events(work, iin=iin.value, limit=200) if may_see_readers else None,
            "payouts": payouts_of(work, iin),
        }

    values = await in_thread(read)
    return office_page(request, "person.html", session, iin=iin.value, **values)


def payouts_of(uow: UnitOfWork, iin: Iin) -> list[PayoutRow]:
    """The person's payouts and heirs' payouts (none for a person the register lacks)."""
    person = uow.register.person_by_iin(iin.value)
    return [] if person is None else uow.office.payouts_of_person(person.person_id)


@router.get(f"{OFFICE_PATH}/audit", response_class=HTMLResponse)
def audit_form(request: Request, session: AuditorDep) -> HTMLResponse:
    return office_page(request, "audit.html", session, events=None, filters={})


@router.post(f"{OFFICE_PATH}/audit", response_model=None)
async def audit_view(
    request: Request, session: AuditorDep, form: FormDep, uow: UnitOfWorkDep
) -> Response:
    """The audit log, newest first, filtered by person, days, actor and action; as a page or,
    with `format=csv`, as a CSV file (the IIN filter is a form field, never in a URL)."""
    filters, problem = _audit_filters(form)
    if problem:
        return office_page(
            request, "audit.html", session, status=422, events=None, filters=filters,
            problem=problem, said="office_search_not_taken",
        )  # fmt: skip
    iin, since = filters.get("iin") or None, _date(filters.get("since"))
    until = _date(filters.get("until"))
    actor, action = filters.get("actor") or None, filters.get("action") or None
    if iin is not None:  # the events shown are about this person: the read is theirs
        note_of(request).iin = iin
    events = await in_thread(
        lambda: audit_events(
            uow(),
            iin=iin,
            since=since,
            until=until,
            limit=AUDIT_ROWS_MAX,
            actor=actor,
            action=action,
        )
    )
    if iin is None:  # by actor, action or day: a read of each person whose events it shows
        note_of(request).shown = people_shown(events)
    if form.get("format") == "csv":
        return Response(
            _audit_csv(events), media_type="text/csv; charset=utf-8",
            headers={**NO_STORE, "Content-Disposition": 'attachment; filename="urpaq-audit.csv"'},
        )  # fmt: skip
    return office_page(
        request, "audit.html", session, events=events, filters=filters, limit=AUDIT_ROWS_MAX
    )


def _audit_filters(form: FormData) -> tuple[dict[str, str], str]:
    filters = {
        name: str(form.get(name, "")).strip()[:120]
        for name in ("iin", "since", "until", "actor", "action")
    }
    if filters["iin"]:
        try:
            filters["iin"] = Iin.parse(filters["iin"]).value
        except InvalidIin as error:
            return filters, str(error)
    for name in ("since", "until"):
        if filters[name] and _date(filters[name]) is None:
            return filters, f"{name} {filters[name]!r} is not a date YYYY-MM-DD"
    first, last = _date(filters["since"]), _date(filters["until"])
    if first is not None and last is not None and last < first:
        return filters, f"until {filters['until']!r} is before since {filters['since']!r}"
    for name in ("actor", "action"):
        if not filters[name].isprintable():
            return filters, f"{name} {filters[name]!r} holds control characters"
    return filters, ""


def _date(text: str | None) -> dt.date | None:
    try:
        return parse_day(text) if text else None
    except ValueError:
        return None


def _audit_csv(events: list[AuditEvent]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["at", "actor", "action", "iin", "outcome", "request_id"])
    for e in events:
        row = [e.at.isoformat(), e.actor, e.action, e.iin or "", str(e.outcome), e.request_id]
        writer.writerow([cell(value) for value in row])
    return out.getvalue()


def cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value

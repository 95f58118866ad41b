"""What an office route is handed: the signed-in staff member, checked for a permission,
and a form whose anti-forgery field matches the session's.

A request without a session is sent to sign in (`SignInRequired`, answered 303); a role
without the permission, or a form without the session's anti-forgery value, is refused
(`Forbidden`, answered 403 with a page).  Both answers are made by the handlers the
application installs (`app.py`), and the edge records every office request with the
staff member as actor.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from urpaq.domain.staff import Permission, may
from urpaq.entrypoints.http.audit_note import note_of
from urpaq.entrypoints.http.context import Context
from urpaq.entrypoints.http.office.identity import StaffIdentity
from urpaq.entrypoints.http.office.sessions import (
    FORM_FIELD,
    STAFF_COOKIE,
    StaffSessions,
    same,
)
from urpaq.entrypoints.http.threads import in_thread
from urpaq.services.ports.staff import StaffSession


class SignInRequired(Exception):
    """No staff session: the request is sent to the sign-in page."""


class Forbidden(Exception):
    """The staff member may not do this (`reason`: the permission, or `form`)."""

    def __init__(self, reason: str, session: StaffSession) -> None:
        super().__init__(reason)
        self.reason = reason
        self.session = session


async def staff_sessions(request: Request) -> StaffSessions:
    found: StaffSessions = request.app.state.staff_sessions
    return found


async def staff_identity(request: Request) -> StaffIdentity:
    found: StaffIdentity = request.app.state.staff_identity
    return found


StaffSessionsDep = Annotated[StaffSessions, Depends(staff_sessions)]
StaffIdentityDep = Annotated[StaffIdentity, Depends(staff_identity)]


async def signed_in(request: Request, sessions: StaffSessionsDep) -> StaffSession:
    """The session of the request's staff cookie; `SignInRequired` if there is none."""
    context: Context = request.app.state.context
    token = request.cookies.get(STAFF_COOKIE)
    now = context.clock.now()
    found = await in_thread(lambda: sessions.find(token, now=now))
    if found is None:
        raise SignInRequired
    note_of(request).actor = found.member.actor
    return found


StaffDep = Annotated[StaffSession, Depends(signed_in)]


def permitted(permission: Permission) -> Callable[[StaffSession], Awaitable[StaffSession]]:
    """A dependency: the signed-in member, if their role holds `permission`."""

    async def check(session: StaffDep) -> StaffSession:
        if not may(session.member, permission):
            raise Forbidden(permission.value, session)
        return session

    return check


async def checked_form(request: Request, session: StaffDep) -> FormData:
    """The posted form, if its anti-forgery field is the session's."""
    form = await request.form()
    value = form.get(FORM_FIELD)
    if not same(value if isinstance(value, str) else None, session.form_token):
        raise Forbidden("form", session)
    return form


FormDep = Annotated[FormData, Depends(checked_form)]

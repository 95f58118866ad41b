"""What a route is handed: FastAPI dependencies, as `Annotated` aliases to name in a signature.

Everything the requests share lives on `app.state`, put there once by `app.py`; a route
declares what it needs (`uow: UnitOfWorkDep, clock: ClockDep, by: OperatorDep`) and never
reaches for the application itself.

The unit of work comes as its provider: call `uow()` in the thread that uses it, because
FastAPI may run a dependency and the route in different threads of its pool, and a
connection belongs to one thread.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from urpaq.domain.operators import AuthorisedOperator
from urpaq.entrypoints.http.context import Clock, Context, UnitOfWorkProvider
from urpaq.entrypoints.http.edge import RequestNote, note_of
from urpaq.services.operators import operator_for_credential


async def unit_of_work_provider(request: Request) -> UnitOfWorkProvider:
    context: Context = request.app.state.context
    return context.uow


async def clock(request: Request) -> Clock:
    context: Context = request.app.state.context
    return context.clock


async def request_note(request: Request) -> RequestNote:
    return note_of(request)


UnitOfWorkDep = Annotated[UnitOfWorkProvider, Depends(unit_of_work_provider)]
ClockDep = Annotated[Clock, Depends(clock)]
NoteDep = Annotated[RequestNote, Depends(request_note)]

# --- the operators' credential ----------------------------------------------------------

_bearer = HTTPBearer(auto_error=False, description="The credential `urpaq operator add` printed.")


class UnauthenticatedError(Exception):
    """No credential, or one that belongs to no active operator: answered with 401."""


def authenticated_operator(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    uow: UnitOfWorkDep,
    note: NoteDep,
) -> AuthorisedOperator:
    """The active operator whose credential the request carries; 401 for anything else."""
    found = None
    if credentials is not None and credentials.scheme.lower() == "bearer":
        found = operator_for_credential(uow(), credential=credentials.credentials)
    if found is None:
        raise UnauthenticatedError
    note.actor = f"operator:{found.name}"
    return found


OperatorDep = Annotated[AuthorisedOperator, Depends(authenticated_operator)]

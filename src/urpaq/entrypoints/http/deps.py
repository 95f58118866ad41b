"""What a route is handed: FastAPI dependencies, as `Annotated` aliases to name in a signature.

Everything the requests share lives on `app.state`, put there once by `app.py`: the context
(unit of work, clock), and for the pages their settings, rate limits, sessions, statistics
cache and identity provider.  A route declares what it needs (`uow: UnitOfWorkDep,
clock: ClockDep, by: OperatorDep`) and never reaches for the application itself.

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
from urpaq.entrypoints.http.web.rate_limit import RateLimits
from urpaq.entrypoints.http.web.sessions import Sessions
from urpaq.entrypoints.http.web.settings import WebSettings
from urpaq.entrypoints.http.web.statistics import StatisticsCache
from urpaq.services.operators import operator_for_credential
from urpaq.services.ports.identity import IdentityProvider


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

# --- the pages' state -------------------------------------------------------------------


async def web_settings(request: Request) -> WebSettings:
    settings: WebSettings = request.app.state.web_settings
    return settings


async def rate_limits(request: Request) -> RateLimits:
    limits: RateLimits = request.app.state.rate_limits
    return limits


async def sessions(request: Request) -> Sessions:
    found: Sessions = request.app.state.sessions
    return found


async def statistics_cache(request: Request) -> StatisticsCache:
    cache: StatisticsCache = request.app.state.statistics_cache
    return cache


async def identity_provider(request: Request) -> IdentityProvider:
    provider: IdentityProvider = request.app.state.identity
    return provider


WebSettingsDep = Annotated[WebSettings, Depends(web_settings)]
RateLimitsDep = Annotated[RateLimits, Depends(rate_limits)]
SessionsDep = Annotated[Sessions, Depends(sessions)]
StatisticsCacheDep = Annotated[StatisticsCache, Depends(statistics_cache)]
IdentityDep = Annotated[IdentityProvider, Depends(identity_provider)]

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

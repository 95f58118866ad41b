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

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from urpaq.domain.iin import Iin, InvalidIin
from urpaq.domain.operators import AuthorisedOperator, credential_digest
from urpaq.entrypoints.http.audit_note import RequestNote, note_of
from urpaq.entrypoints.http.context import Clock, Context, UnitOfWorkProvider
from urpaq.entrypoints.http.credentials import BelievedCredentials
from urpaq.entrypoints.http.edge import UNAUTHENTICATED, AuditedRoute
from urpaq.entrypoints.http.threads import in_thread
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
    """No credential, more than one, or one that belongs to no active operator: answered
    with 401."""


#: Where the operator a request authenticated as is kept in its ASGI scope.
_OPERATOR_KEY = "urpaq.operator"


async def authenticated_operator(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    request: Request,
) -> AuthorisedOperator:
    """The active operator whose credential the request carries, as `OperatorRoute`
    found it before the body was read, and, for a write, as the database says once the
    body is in: a caller who sends the body late holds no window open in which a
    revoked credential still moves money.  401 for anything else.  (`credentials` puts
    the bearer scheme in the OpenAPI document.)"""
    found: AuthorisedOperator | None = request.scope.get(_OPERATOR_KEY)
    if found is None or credentials is None:  # only an OperatorRoute authenticates
        raise UnauthenticatedError
    if request.method in _READING:
        return found
    now = await _operator_of(request, credentials.credentials, believe=False)
    if now is None or now.name != found.name:
        note_of(request).actor = UNAUTHENTICATED
        raise UnauthenticatedError
    return now


OperatorDep = Annotated[AuthorisedOperator, Depends(authenticated_operator)]


class OperatorRoute(AuditedRoute):
    """A route of the operators' API.  One that takes the operator (`OperatorDep`) has
    the credential checked before anything else, its body unread: a caller without a
    valid credential gets 401 whatever it sends, and nothing it sends is parsed."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if not _needs_operator(self.dependant):
            return handler

        async def credential_first(request: Request) -> Response:
            await _authenticate(request)
            _one_content_type(request)
            return await handler(request)

        return credential_first


def _one_content_type(request: Request) -> None:
    """A body's one type: `Content-Type` given twice naming two types (a proxy or a
    library adding its own) is refused, as a key or a field given twice is — a reader
    taking the first would read the body as JSON where one taking the last would not.
    The same type spelled twice (`application/json` and `Application/JSON;
    charset=utf-8`) is one; a request without a body is not asked."""
    if request.method in ("GET", "HEAD"):
        return
    named = request.headers.getlist("content-type")
    if len({value.split(";")[0].strip().lower() for value in named}) > 1:
        raise RequestValidationError(
            [
                {
                    "type": "value_error",
                    "loc": ("header", "Content-Type"),
                    "msg": "is given more than once, with different values: send one",
                }
            ]
        )


async def _authenticate(request: Request) -> None:
    """Note the active operator whose credential the request carries, for
    `authenticated_operator`; `UnauthenticatedError` for anything else."""
    found = await _operator_carried(request)
    if found is None:
        # Who was asked about, for the auditor's `urpaq audit --iin`: someone probing
        # people's balances without a valid credential is recorded against each of them.
        note_of(request).iin = iin_if_valid(request.path_params.get("iin"))
        raise UnauthenticatedError
    note_of(request).actor = f"operator:{found.name}"
    request.scope[_OPERATOR_KEY] = found


async def name_the_operator(request: Request) -> None:
    """For an API request no route takes (404, 405): the operator whose credential it
    carries named as its actor, if the credential is active, so that the audit log says
    which bank asked rather than `unauthenticated`; nothing else follows from it."""
    if (found := await _operator_carried(request)) is not None:
        note_of(request).actor = f"operator:{found.name}"


async def _operator_carried(request: Request) -> AuthorisedOperator | None:
    """The active operator of the one bearer credential the request carries, if any.
    Two credentials in one request are none: a proxy or a log that reads the other one
    would name another operator than the one who acted."""
    credentials = await _bearer(request)
    if credentials is None or len(request.headers.getlist("authorization")) != 1:
        return None
    return await _operator_of(request, credentials.credentials)


def iin_if_valid(text: object) -> str | None:
    """`text` if it is a valid IIN, else None."""
    try:
        return Iin.parse(text).value if isinstance(text, str) else None
    except InvalidIin:
        return None


#: The methods that change nothing: a credential found active a moment ago is believed.
_READING = frozenset({"GET", "HEAD"})


async def _operator_of(
    request: Request, credential: str, *, believe: bool = True
) -> AuthorisedOperator | None:
    """The active operator of a credential: the one this process found a moment ago if
    any and `believe`; otherwise as the database says now (docs/decisions/0024).  Before
    the body is read every request believes (a write asks again once it is in)."""
    believed: BelievedCredentials = request.app.state.credentials
    digest = credential_digest(credential)
    if believe and (operator := believed.believed(digest)) is not None:
        return operator
    context: Context = request.app.state.context
    asked_in = believed.generation
    found = await in_thread(lambda: operator_for_credential(context.uow(), credential=credential))
    believed.found(digest, found, asked_in=asked_in)
    return found


def _needs_operator(dependant: Dependant) -> bool:
    return any(
        dependency.call is authenticated_operator or _needs_operator(dependency)
        for dependency in dependant.dependencies
    )

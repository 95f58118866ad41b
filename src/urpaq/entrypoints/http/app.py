"""The HTTP server: one ASGI application serving the operators' API and the web pages.

Assembly only: the routers, the static files, the edge middleware and the error answers,
each defined in its own module, put together on one database.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from urpaq import bootstrap
from urpaq.entrypoints.http import api, api_lists, errors, office, openapi
from urpaq.entrypoints.http.context import (
    STORAGE_FAILURE_SECONDS,
    Clock,
    Context,
    UnitOfWorkProvider,
)
from urpaq.entrypoints.http.credentials import BelievedCredentials
from urpaq.entrypoints.http.deps import UnauthenticatedError
from urpaq.entrypoints.http.edge import Edge, UnauditedRoute, error_body
from urpaq.entrypoints.http.office import pages as office_pages
from urpaq.entrypoints.http.office.deps import Forbidden, SignInRequired
from urpaq.entrypoints.http.office.identity import StaffIdentity
from urpaq.entrypoints.http.office.sessions import StaffSessions
from urpaq.entrypoints.http.threads import end_writing_threads, worker_threads
from urpaq.entrypoints.http.web import routes as web_routes
from urpaq.entrypoints.http.web.rate_limit import RateLimits
from urpaq.entrypoints.http.web.sessions import Sessions
from urpaq.entrypoints.http.web.settings import WebSettings
from urpaq.entrypoints.http.web.statistics import ParticipantCounts, StatisticsCache
from urpaq.services.ports.identity import IdentityProvider
from urpaq.services.readiness import readiness


def create_app(
    *,
    database_url: str,
    clock: Clock | None = None,
    identity: IdentityProvider | None = None,
    web_settings: WebSettings | None = None,
    staff_identity: StaffIdentity | None = None,
) -> FastAPI:
    """The whole HTTP face of urpaq on one database: the operators' API and the pages."""
    context = Context(uow=UnitOfWorkProvider(database_url), clock=clock or Clock())
    app = FastAPI(
        title="urpaq",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan,
        exception_handlers={
            RequestValidationError: errors.invalid_request,
            StarletteHTTPException: errors.http_error,
            UnauthenticatedError: errors.unauthenticated,
            SignInRequired: office_pages.to_sign_in,
            Forbidden: office_pages.forbidden,
        },
    )
    settings = web_settings or WebSettings()
    app.state.context = context
    app.state.web_settings = settings
    app.state.credentials = BelievedCredentials()
    app.state.rate_limits = RateLimits.from_settings(settings, serving=context.serving)
    app.state.sessions = Sessions(serving=context.serving)
    app.state.participant_counts = ParticipantCounts(
        functools.partial(bootstrap.open_unit_of_work, context.uow.url)
    )
    app.state.statistics_cache = StatisticsCache(app.state.participant_counts)
    app.state.identity = identity or bootstrap.identity_provider(serving=context.serving)
    staff = staff_identity or StaffIdentity.from_environment()
    app.state.staff_identity = staff
    app.state.staff_sessions = StaffSessions(staff=lambda: context.uow().staff)
    app.include_router(api.router)
    app.include_router(api_lists.router)
    app.include_router(web_routes.router)
    app.include_router(office.router)
    app.mount("/static", StaticFiles(packages=[("urpaq.entrypoints.http.web", "static")]))
    app.add_middleware(Edge, context=context)
    app.router.add_api_route(
        "/healthz", healthz, include_in_schema=False, route_class_override=UnauditedRoute
    )
    app.router.add_api_route(
        "/readyz", readyz, include_in_schema=False, route_class_override=UnauditedRoute
    )
    app.openapi = functools.partial(openapi.openapi_of, app)  # type: ignore[method-assign]
    return app


def healthz() -> dict[str, str]:
    """The process runs and answers (it asks nothing of the database)."""
    return {"status": "ok"}


def readyz(request: Request) -> JSONResponse:
    """The process can answer: its database reachable (else 503 `database_unavailable`
    from the edge, with `Retry-After`), at the schema version this urpaq writes, and its
    storage not failing its writes (a disk full or read-only, in the last seconds)."""
    context: Context = request.app.state.context
    if (failed := context.storage.recent()) is None:
        try:
            found = readiness(context.uow())
        except Exception as error:
            if (failed := context.storage.note(error)) is None:
                raise  # the database away is the edge's 503 to say, any other its 500
    if failed is not None:
        message = f"the storage failed this process's last writes: {failed}"
        return JSONResponse(
            error_body("storage_failing", message), status_code=503,
            headers={"Retry-After": str(int(STORAGE_FAILURE_SECONDS))},
        )  # fmt: skip
    if not found.ready:
        return JSONResponse(error_body("not_ready", found.reason), status_code=503)
    return JSONResponse({"status": "ready", "schema_version": found.schema_version})


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    context: Context = app.state.context
    asyncio.get_running_loop().set_default_executor(worker_threads())
    counts: ParticipantCounts = app.state.participant_counts
    counts.ask(None)  # the last close's participants, if nobody has counted them yet
    yield
    counts.join(timeout=120)
    end_writing_threads()
    context.uow.close_all()

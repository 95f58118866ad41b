"""The shape of the HTTP edge: each route is a module-level function that can be imported and
tested on its own, the server's route table is the documented one, and each route declares
who records its answers as the documentation says."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Mount

from urpaq.entrypoints.http.api import (
    get_heir_payout,
    get_payout,
    get_savings,
    openapi_document,
    post_confirmation,
    post_heir_payout,
    post_heir_return,
    post_payout,
    post_return,
)
from urpaq.entrypoints.http.api_lists import list_payouts
from urpaq.entrypoints.http.app import create_app, healthz, readyz
from urpaq.entrypoints.http.edge import Audit, DeclaredRoute, declared_audit
from urpaq.entrypoints.http.office import closes as office_closes
from urpaq.entrypoints.http.office import operators as office_operators
from urpaq.entrypoints.http.office import pages as office
from urpaq.entrypoints.http.office import parameters as office_parameters
from urpaq.entrypoints.http.office import queues as office_queues
from urpaq.entrypoints.http.office import sign_in as office_sign_in
from urpaq.entrypoints.http.web.routes import (
    home,
    lookup,
    lookup_form,
    sign_in,
    sign_in_code,
    sign_in_code_form,
    sign_in_form,
    sign_out,
    statement,
    statistics_csv,
    statistics_page,
)

DOCS = Path(__file__).parent.parent / "docs"

ROUTE_FUNCTIONS: list[Callable[..., Any]] = [
    get_savings, post_payout, get_payout, post_confirmation, post_return, post_heir_payout,
    get_heir_payout, post_heir_return, list_payouts,
    openapi_document, home, lookup_form, lookup, sign_in_form, sign_in, sign_in_code,
    sign_in_code_form, statement, sign_out, statistics_page, statistics_csv, healthz, readyz,
    office_sign_in.sign_in_form, office_sign_in.development_sign_in, office_sign_in.oidc_begin,
    office_sign_in.oidc_callback, office_sign_in.sign_out, office.home, office.person_form,
    office.person_file, office.audit_form, office.audit_view, office_queues.rejections,
    office_queues.rejections_csv, office_queues.payouts,
    office_parameters.parameters_list, office_parameters.parameters_year,
    office_parameters.parameters_enter, office_parameters.parameters_approve,
    office_parameters.parameters_reject, office_closes.closes_list, office_closes.close_page,
    office_closes.close_preview, office_closes.close_run, office_operators.operators_list,
    office_operators.operator_add, office_operators.operator_rotate,
    office_operators.operator_revoke,
]  # fmt: skip


@pytest.fixture(scope="module")
def app() -> FastAPI:
    return create_app(database_url="sqlite:///:memory:")


def routes_of(app: FastAPI) -> list[APIRoute]:
    """Every route the application answers, its included routers' too."""
    found = [context.original_route for context in iter_route_contexts(app.routes)]
    return [route for route in found if isinstance(route, APIRoute)]


def documented() -> dict[tuple[str, str], bool]:
    """(method, path) → audited, as docs/api.md (every route audited), docs/web.md and
    docs/office.md say."""
    api = (DOCS / "api.md").read_text(encoding="utf-8")
    web = (DOCS / "web.md").read_text(encoding="utf-8")
    web += (DOCS / "office.md").read_text(encoding="utf-8")
    routes = {route: True for route in re.findall(r"^### `(GET|POST) (/api/v1/\S+)`$", api, re.M)}
    for method, path, audited in re.findall(
        r"^\| `(GET|POST) (/\S*)` \|.*\| (yes|no) \|$", web, re.M
    ):
        routes[(method, path)] = audited == "yes"
    return routes


def test_every_route_function_is_a_module_level_function_of_its_module() -> None:
    """Each route function is importable by name from its module, not a closure."""
    for function in ROUTE_FUNCTIONS:
        assert function.__qualname__ == function.__name__, function.__qualname__
        module = __import__(function.__module__, fromlist=[function.__name__])
        assert getattr(module, function.__name__) is function


def test_the_route_table_is_made_of_those_functions(app: FastAPI) -> None:
    """The application serves exactly the route functions above, each once (one written
    `def` wrapped to run in a worker thread: `threads.awaitable`)."""
    endpoints = [inspect.unwrap(route.endpoint) for route in routes_of(app)]
    assert sorted(map(id, endpoints)) == sorted(map(id, ROUTE_FUNCTIONS))


def test_the_route_table_is_the_documented_one(app: FastAPI) -> None:
    """Every (method, path) the server answers is documented, and every documented one is
    served; besides them only the static files are mounted."""
    served = {(method, route.path) for route in routes_of(app) for method in route.methods}
    assert served == set(documented())
    mounts = [route.path for route in app.routes if isinstance(route, Mount)]
    assert mounts == ["/static"]


def test_each_route_declares_who_records_its_answers_as_documented(app: FastAPI) -> None:
    """A route audited in the documentation is recorded by the edge; any other by nobody."""
    audited = documented()
    for route in routes_of(app):
        assert isinstance(route, DeclaredRoute), route.path
        for method in route.methods:
            expected = Audit.BY_EDGE if audited[(method, route.path)] else Audit.NONE
            assert route.audit is expected, (method, route.path)


@pytest.mark.parametrize(
    ("method", "path", "audit"),
    [
        ("GET", "/lookup", Audit.NONE),  # the route's declaration: the empty form
        ("POST", "/lookup", Audit.BY_EDGE),
        ("PUT", "/lookup", Audit.BY_EDGE),  # a method no route takes: by the path
        ("GET", "/lookup/other", Audit.BY_EDGE),  # no route: by the path
        ("GET", "/api/v1/nowhere", Audit.BY_EDGE),
        ("GET", "/nowhere", Audit.NONE),
        ("POST", "/statistics", Audit.NONE),
    ],
)
def test_a_request_is_recorded_by_its_route_else_by_its_path(
    app: FastAPI, method: str, path: str, audit: Audit
) -> None:
    """The edge's decision for answers that carry none of their own."""
    scope: dict[str, Any] = {"type": "http", "method": method, "path": path}
    matching = [route for route in routes_of(app) if route.path == path]
    if matching:
        scope["route"] = next((route for route in matching if method in route.methods), matching[0])
    assert declared_audit(scope) is audit

"""Who may use each back-office route: one table, every route against every role, over
HTTP against the real server, on SQLite and PostgreSQL.

A role the route is not granted to (`domain/staff.py: GRANTS`) is answered 403 with the
page that says so; any other role is not (the request itself may still be refused for
what it asks: a POST here sends a valid anti-forgery field and otherwise empty or
harmless fields, so that only the role decides between 403 and anything else, and
nothing changes).  Routes for signing in serve people before they hold a role, and are
not in the table.  A route added to the back office gets its row here: the last test
fails until it has one.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from office_world import FEED, development, form_token, office, sign_in, write
from pg_server import TemporaryPostgres
from test_cli import urpaq
from urpaq.domain.staff import Role
from urpaq.entrypoints.http.app import create_app

CLERK, SUPERVISOR, AUDITOR = Role.CLERK, Role.SUPERVISOR, Role.AUDITOR
ANY = frozenset(Role)

#: What the path parameters of a row stand for: a year none of these requests can change,
#: an operator nobody registered.
EXAMPLES = {"year": "2030", "name": "Nobody Bank"}

#: Every back-office route but the sign-in routes, and the roles that may use it.
ROUTES: list[tuple[str, str, frozenset[Role]]] = [
    ("GET", "/office/", ANY),
    ("POST", "/office/sign-out", ANY),
    ("GET", "/office/persons", ANY),
    ("POST", "/office/persons", ANY),
    ("GET", "/office/rejections", frozenset({CLERK, SUPERVISOR})),
    ("GET", "/office/rejections.csv", frozenset({CLERK, SUPERVISOR})),
    ("GET", "/office/payouts", frozenset({CLERK, SUPERVISOR})),
    ("GET", "/office/audit", frozenset({AUDITOR})),
    ("POST", "/office/audit", frozenset({AUDITOR})),
    ("GET", "/office/parameters", frozenset({CLERK, SUPERVISOR})),
    ("GET", "/office/parameters/{year}", frozenset({CLERK, SUPERVISOR})),
    ("POST", "/office/parameters/{year}", frozenset({CLERK, SUPERVISOR})),
    ("POST", "/office/parameters/{year}/approve", frozenset({SUPERVISOR})),
    ("POST", "/office/parameters/{year}/reject", frozenset({SUPERVISOR})),
    ("GET", "/office/closes", ANY),
    ("GET", "/office/closes/{year}", ANY),
    ("POST", "/office/closes/{year}/preview", ANY),
    ("POST", "/office/closes/{year}/run", frozenset({SUPERVISOR})),
    ("GET", "/office/operators", frozenset({SUPERVISOR})),
    ("POST", "/office/operators", frozenset({SUPERVISOR})),
    ("POST", "/office/operators/{name}/rotate", frozenset({SUPERVISOR})),
    ("POST", "/office/operators/{name}/revoke", frozenset({SUPERVISOR})),
]

#: Routes every visitor may use, signed in or not: they are how one signs in.
SIGN_IN_ROUTES = {
    ("GET", "/office/sign-in"),
    ("POST", "/office/sign-in"),
    ("GET", "/office/sign-in/oidc"),
    ("GET", "/office/sign-in/callback"),
}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server for the whole table, on a small register with its inputs."""
    folder = tmp_path_factory.mktemp("roles")
    if request.param == "sqlite":
        database = f"sqlite:///{folder / 'urpaq.db'}"
    else:
        server: TemporaryPostgres = request.getfixturevalue("postgres")
        database = server.create_database()
    urpaq("init", db=database)
    urpaq("register", "import", str(write(folder / "a.csv", FEED)), db=database)
    urpaq("parameters", "import", db=database)
    with office(database, development()) as served:
        yield served


@pytest.mark.parametrize(
    ("method", "route", "role", "refused"),
    [
        pytest.param(method, route, role, role not in allowed, id=f"{method} {route} {role}")
        for method, route, allowed in ROUTES
        for role in Role
    ],
)
def test_each_route_refuses_exactly_the_roles_it_is_not_granted_to(
    url: str, method: str, route: str, role: Role, refused: bool
) -> None:
    path = route.format(**EXAMPLES)
    with httpx.Client(base_url=url, headers={"Accept-Language": "en"}) as client:
        sign_in(client, f"{role}-member", role)
        token = form_token(client.get("/office/").text)
        if method == "GET":
            answer = client.get(path)
        else:
            answer = client.post(path, data={"form_token": token})
    if refused:
        assert answer.status_code == 403, answer.text
        assert f"The role “{role}” may not do this." in answer.text
    else:
        assert answer.status_code != 403 and answer.status_code < 500, answer.text


def test_the_table_holds_every_back_office_route() -> None:
    app = create_app(database_url="sqlite:///:memory:")
    served = {
        (method, route.path)
        for context in iter_route_contexts(app.routes)
        if isinstance(route := context.original_route, APIRoute)
        and route.path.startswith("/office")
        for method in route.methods
    }
    assert served >= SIGN_IN_ROUTES
    assert served - SIGN_IN_ROUTES == {(method, route) for method, route, _ in ROUTES}

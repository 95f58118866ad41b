"""What a request's audit event says: who asked, about whom, and by which route.

The edge (`edge.py`) makes a note for every request; routes fill it in as they learn who
is asking and about whom, and the events are made from it once the answer's status is
known.  The action is the route's template, never the raw path, whose rest anyone may
write (a name, a birth date) and which the log would keep for years.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fastapi import Request
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Match
from starlette.types import Scope

from urpaq.domain.audit import SHOWN, AuditEvent
from urpaq.entrypoints.http.log_text import redact

#: A request that no route answered is recorded when its path starts with one of these.
AUDITED_PATHS = ("/api/", "/lookup", "/statement", "/sign-in", "/office/")

#: Where a request's note is kept in its ASGI scope.
NOTE_KEY = "urpaq.note"
#: Set in the scope of a `HEAD` request, which the application answers as its `GET`.
HEAD_KEY = "urpaq.head"


@dataclass
class RequestNote:
    """Who asked and about whom, noted while a request is answered, for its audit event."""

    request_id: str
    actor: str
    iin: str | None = None
    #: The heirs a request concerns besides the deceased holder (`iin`): the one it names,
    #: and the one its certificate names; each recorded in an event of their own, so
    #: that searching the log for an heir finds the request.
    heirs: tuple[str, ...] = ()
    #: The people whose own events an answer showed (an audit search not by IIN): each
    #: recorded in an event of its own (`(shown)` after the action), so that "who read
    #: this person" lists every search that showed them.
    shown: tuple[str, ...] = ()
    #: What the action was done to, where its path does not say (the operator a form
    #: added): written after the action, in brackets.
    detail: str | None = None


def note_of(request: Request) -> RequestNote:
    note: RequestNote = request.scope[NOTE_KEY]
    return note


def audit_events(
    scope: Scope, note: RequestNote, *, status: int, at: dt.datetime
) -> list[AuditEvent]:
    """The audit events of a request, as answered with `status`: one about its person,
    one more about each heir it concerns (`(heir)` after the action), and one about each
    other person whose events it showed (`(shown)`)."""
    action = f"{method_of(scope)} {_route_of(scope)}" + (
        f" ({redact(note.detail)})" if note.detail else ""
    )
    about = [(note.iin, action)]
    for heir in dict.fromkeys(note.heirs):  # each once, in order
        if heir != note.iin:
            about.append((heir, f"{action} (heir)"))
    for person in dict.fromkeys(note.shown):
        if person != note.iin and person not in note.heirs:
            about.append((person, f"{action}{SHOWN}"))
    return [AuditEvent(at, note.actor, what, iin, status, note.request_id) for iin, what in about]


def method_of(scope: Scope) -> str:
    """The method as the client sent it (a `HEAD` is answered as its `GET`)."""
    return "HEAD" if scope.get(HEAD_KEY) else str(scope["method"])


def _route_of(scope: Scope) -> str:
    """The route a request matched (`/api/v1/savings/{iin}`), never the raw path, but for
    a route that names its path (`AuditedPathRoute`); for a request no route matched, the
    audited beginning of its path only (`/lookup/… (no route)`): the rest, which anyone
    may write (a name, a birth date), stays out of the log kept for years."""
    route = scope.get("route")
    if getattr(route, "names_path", False):
        return redact(scope["path"])
    template = getattr(route, "path", None)
    if isinstance(template, str):
        return template
    if (template := _route_it_would_have(scope)) is not None:  # refused before routing
        return template
    path = scope["path"]
    audited = next((prefix for prefix in AUDITED_PATHS if path.startswith(prefix)), None)
    if audited is None or path == audited:
        return redact(path)
    rest = path[len(audited) :]
    slash = "/" if rest.startswith("/") else ""  # `/lookup/…`, `/api/…`, `/lookup…`
    return f"{audited}{slash}… (no route)"


def _route_it_would_have(scope: Scope) -> str | None:
    """The route of a request the edge answered before the router saw it (a body too
    large), as the router would have matched it; None if none would."""
    for context in iter_route_contexts(getattr(scope.get("app"), "routes", [])):
        route = context.original_route
        if isinstance(route, APIRoute) and route.matches(scope)[0] is Match.FULL:
            return route.path
    return None

"""Staff sign-in and sign-out: OpenID Connect through the operator's identity provider,
or the development form on a loopback address only."""

from __future__ import annotations

import ipaddress
import secrets
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from urpaq.domain.staff import InvalidStaffMember, StaffMember, staff_member
from urpaq.entrypoints.http.audit_note import note_of
from urpaq.entrypoints.http.context import Context
from urpaq.entrypoints.http.deps import RateLimitsDep
from urpaq.entrypoints.http.edge import AuditedRoute, UnauditedRoute
from urpaq.entrypoints.http.office.deps import (
    FormDep,
    StaffDep,
    StaffIdentityDep,
    StaffSessionsDep,
)
from urpaq.entrypoints.http.office.identity import StaffIdentity, StaffIdentityMode
from urpaq.entrypoints.http.office.sessions import (
    FORM_COOKIE,
    FORM_FIELD,
    OFFICE_PATH,
    SIGN_IN_COOKIE,
    STAFF_COOKIE,
    STAFF_SESSION_LASTS,
    StaffSessions,
    same,
)
from urpaq.entrypoints.http.threads import in_thread
from urpaq.entrypoints.http.web.rate_limit import RateLimits, client_of, limited_client
from urpaq.entrypoints.http.web.render import NO_STORE, page, too_many
from urpaq.services.ports.staff import SignInFailed, StaffIdentityProvider

forms = APIRouter(include_in_schema=False, route_class=UnauditedRoute)
actions = APIRouter(include_in_schema=False, route_class=AuditedRoute)

SIGN_IN_PATH = f"{OFFICE_PATH}/sign-in"
CALLBACK_PATH = f"{SIGN_IN_PATH}/callback"


def is_loopback(request: Request) -> bool:
    """Whether the request came from this host (the address the edge trusts)."""
    try:
        return ipaddress.ip_address(client_of(request)).is_loopback
    except ValueError:
        return False


async def oidc_client(request: Request) -> StaffIdentityProvider | None:
    identity: StaffIdentity = request.app.state.staff_identity
    return identity.provider


OidcDep = Annotated[StaffIdentityProvider | None, Depends(oidc_client)]


@forms.get(SIGN_IN_PATH, response_class=HTMLResponse)
def sign_in_form(request: Request, identity: StaffIdentityDep) -> HTMLResponse:
    """The development form (with its own anti-forgery value), the way to the identity
    provider, or why nobody can sign in here."""
    mode = identity.mode
    if mode is StaffIdentityMode.DEVELOPMENT and not is_loopback(request):
        mode = StaffIdentityMode.NONE
    token = secrets.token_urlsafe(32)
    status = 503 if mode is StaffIdentityMode.NONE else 200
    response = page(
        request, "office/sign_in.html", status=status, private=True, mode=mode.value,
        form_field=FORM_FIELD, form_token=token, roles=["clerk", "supervisor", "auditor"],
    )  # fmt: skip
    response.set_cookie(
        FORM_COOKIE, token, max_age=600, httponly=True, samesite="strict",
        secure=request.url.scheme == "https", path=SIGN_IN_PATH,
    )  # fmt: skip
    return response


@actions.post(SIGN_IN_PATH, response_model=None)
async def development_sign_in(
    request: Request, identity: StaffIdentityDep, sessions: StaffSessionsDep, limits: RateLimitsDep
) -> Response:
    """Development only, from this host only: sign in at once as the user and role given."""
    if identity.mode is not StaffIdentityMode.DEVELOPMENT or not is_loopback(request):
        return _refused(request, "sign_in_not_here", status=403)
    if wait := await _held_back(request, limits):
        return too_many(request, wait)
    form = await request.form()
    given = form.get(FORM_FIELD)
    if not same(given if isinstance(given, str) else None, request.cookies.get(FORM_COOKIE, "")):
        return _refused(request, "form_expired", status=403)
    try:
        member = staff_member(str(form.get("user", ""))[:200], str(form.get("role", ""))[:40])
    except InvalidStaffMember as error:
        return _refused(request, "sign_in_invalid", status=422, detail=str(error))
    return await _signed_in(request, sessions, member)


@forms.get(f"{SIGN_IN_PATH}/oidc", response_model=None)
async def oidc_begin(
    request: Request, client: OidcDep, sessions: StaffSessionsDep, limits: RateLimitsDep
) -> Response:
    """Off to the identity provider, with a state bound to this browser by a cookie."""
    if client is None:
        return _refused(request, "sign_in_not_here", status=404)
    if wait := await _held_back(request, limits):
        return too_many(request, wait)
    context: Context = request.app.state.context
    redirect_uri = _callback_uri(request)
    try:
        url, state, pending = await in_thread(lambda: client.begin(redirect_uri=redirect_uri))
    except SignInFailed as error:
        return _refused(request, "sign_in_failed", status=502, detail=str(error))
    now = context.clock.now()
    await in_thread(lambda: sessions.remember_sign_in(state, pending, now=now))
    response = RedirectResponse(url, status_code=303, headers=NO_STORE)
    response.set_cookie(
        SIGN_IN_COOKIE, state, max_age=600, httponly=True, samesite="lax",
        secure=request.url.scheme == "https", path=SIGN_IN_PATH,
    )  # fmt: skip
    return response


@actions.get(CALLBACK_PATH, response_model=None)
async def oidc_callback(
    request: Request,
    client: OidcDep,
    sessions: StaffSessionsDep,
    code: Annotated[str, Query(max_length=2048)] = "",
    state: Annotated[str, Query(max_length=256)] = "",
) -> Response:
    """Back from the identity provider: the state must be this browser's, and the code
    must give an ID token that names a role."""
    if client is None:
        return _refused(request, "sign_in_not_here", status=404)
    context: Context = request.app.state.context
    now = context.clock.now()
    if not code or not same(state, request.cookies.get(SIGN_IN_COOKIE, "")):
        return _refused(request, "sign_in_failed", status=400, detail="state")
    pending = await in_thread(lambda: sessions.take_sign_in(state, now=now))
    if pending is None:
        return _refused(request, "sign_in_failed", status=400, detail="expired")
    redirect_uri = _callback_uri(request)
    try:
        member = await in_thread(
            lambda: client.complete(code=code, pending=pending, redirect_uri=redirect_uri)
        )
    except SignInFailed as error:
        return _refused(request, "sign_in_failed", status=403, detail=str(error))
    response = await _signed_in(request, sessions, member)
    response.delete_cookie(
        SIGN_IN_COOKIE, path=SIGN_IN_PATH, httponly=True, samesite="lax",
        secure=request.url.scheme == "https",
    )  # fmt: skip
    return response


@actions.post(f"{OFFICE_PATH}/sign-out", response_model=None)
async def sign_out(
    request: Request, session: StaffDep, form: FormDep, sessions: StaffSessionsDep
) -> Response:
    token = request.cookies.get(STAFF_COOKIE)
    await in_thread(lambda: sessions.close(token))
    response = RedirectResponse(SIGN_IN_PATH, status_code=303, headers=NO_STORE)
    response.delete_cookie(
        STAFF_COOKIE, path=OFFICE_PATH, httponly=True, samesite="lax",
        secure=request.url.scheme == "https",
    )  # fmt: skip
    return response


async def _signed_in(request: Request, sessions: StaffSessions, member: StaffMember) -> Response:
    context: Context = request.app.state.context
    note_of(request).actor = member.actor
    now = context.clock.now()
    # A session this browser still had (another member's, or its own) ends here: one
    # browser, one session.
    earlier = request.cookies.get(STAFF_COOKIE)
    if earlier:
        await in_thread(lambda: sessions.close(earlier))
    token = await in_thread(lambda: sessions.open(member, now=now))
    response = RedirectResponse(f"{OFFICE_PATH}/", status_code=303, headers=NO_STORE)
    # Lax, not Strict: the way back from the identity provider is a top-level navigation
    # from its site; every form carries its own anti-forgery value besides.
    response.set_cookie(
        STAFF_COOKIE, token, max_age=int(STAFF_SESSION_LASTS.total_seconds()), httponly=True,
        samesite="lax", secure=request.url.scheme == "https", path=OFFICE_PATH,
    )  # fmt: skip
    response.delete_cookie(
        FORM_COOKIE, path=SIGN_IN_PATH, httponly=True, samesite="strict",
        secure=request.url.scheme == "https",
    )  # fmt: skip
    return response


async def _held_back(request: Request, limits: RateLimits) -> float:
    """How long the client must wait before signing in again (0: not at all); counted per
    client across every server process, as the public sign-in's allowance is.  The way
    back from the identity provider is not counted: it goes no further than a sign-in
    this client began (and was counted for)."""
    return await limits.staff_sign_ins.take(limited_client(request), now=time.time())


def _callback_uri(request: Request) -> str:
    """Where the provider sends staff back: as configured (`URPAQ_OIDC_REDIRECT_URI`),
    else this server's address as the request names it (its `Host`)."""
    identity: StaffIdentity = request.app.state.staff_identity
    if identity.redirect_uri is not None:
        return identity.redirect_uri
    return str(request.base_url).rstrip("/") + CALLBACK_PATH


def _refused(request: Request, problem: str, *, status: int, detail: str = "") -> HTMLResponse:
    return page(
        request, "office/refused.html", status=status, private=True, problem=problem,
        detail=detail,
    )  # fmt: skip


router = APIRouter()
router.include_router(forms)
router.include_router(actions)

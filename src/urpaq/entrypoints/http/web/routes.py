"""The web pages: the public lookup, a young adult's statement behind sign-in, and the
statistics.  Server-rendered HTML (Jinja2), no script, no external resource; Kazakh,
Russian and English on every page.

Personal data never travels in a URL: the IIN is a POST field, the answer is the page the
POST returns, and those pages are never cached (`Cache-Control: no-store`).
"""

from __future__ import annotations

import datetime as dt
import time
import unicodedata
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from urpaq.domain.disclosure import SMALL_CELL_THRESHOLD
from urpaq.domain.iin import Iin, InvalidIin
from urpaq.domain.ledger import TARGET_SAVINGS
from urpaq.domain.operators import SUB_PURPOSES
from urpaq.domain.statement import StatementStatus
from urpaq.entrypoints.http.deps import (
    ClockDep,
    IdentityDep,
    NoteDep,
    RateLimitsDep,
    SessionsDep,
    StatisticsCacheDep,
    UnitOfWorkDep,
    WebSettingsDep,
)
from urpaq.entrypoints.http.edge import (
    AuditedRoute,
    UnauditedRedirect,
    UnauditedRoute,
    error_log,
)
from urpaq.entrypoints.http.threads import in_thread
from urpaq.entrypoints.http.web import i18n
from urpaq.entrypoints.http.web.rate_limit import client_of, limited_client
from urpaq.entrypoints.http.web.render import (
    NO_STORE,
    language_of,
    page,
    projection_rows,
    too_many,
)
from urpaq.entrypoints.http.web.sessions import CHALLENGE_COOKIE, SESSION_COOKIE
from urpaq.entrypoints.http.web.statistics import COUNTED_TABLES, csv_of, sections
from urpaq.services.lookup import look_up_participant
from urpaq.services.operators import operators
from urpaq.services.ports.identity import IdentityProvider, IdentityUnavailable
from urpaq.services.statements import statement_of
from urpaq.services.statistics import Statistics, StatisticsRefused

#: The pages that touch nobody's data (the same for everyone, or an empty form): no audit.
public = APIRouter(include_in_schema=False, route_class=UnauditedRoute)
#: The answers about a person, or attempts at one: the edge records each.
personal = APIRouter(include_in_schema=False, route_class=AuditedRoute)

#: Where the one-time code is entered.
_CODE_PAGE = "/sign-in/code"


def _typed_iin(value: object) -> str:
    """The IIN as typed, without the spaces a pasted or grouped one has
    ("1506 1060 0015")."""
    return "".join(str(value or "")[:64].split())


def typed_code(value: object) -> str:
    """A one-time code as people paste it from a message ("313 978", " 313978",
    "313-978", "３１３９７８"): in its compatibility form (full-width digits as digits),
    without spaces, dashes, a minus sign or invisible characters."""
    text = unicodedata.normalize("NFKC", str(value or "")[:64])
    return "".join(
        ch for ch in text
        if not ch.isspace() and unicodedata.category(ch) not in _SPACING and ch != "\u2212"
    )  # fmt: skip


#: The kinds of character a code is written with besides its digits: dashes, separators
#: and invisible formatting (a zero-width space).
_SPACING = frozenset({"Pd", "Zs", "Zl", "Zp", "Cf", "Cc"})


@public.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    return page(request, "home.html")


@public.get("/lookup", response_class=HTMLResponse)
def lookup_form(request: Request) -> HTMLResponse:
    return page(request, "lookup.html", private=True)


@personal.post("/lookup", response_class=HTMLResponse)
async def lookup(
    request: Request,
    note: NoteDep,
    uow: UnitOfWorkDep,
    limits: RateLimitsDep,
    settings: WebSettingsDep,
) -> HTMLResponse:
    """Every answer takes at least `lookup_seconds_min`, whatever it is, so timing
    tells nothing about the IIN; a client gets a limited number of lookups."""
    started = time.monotonic()
    note.actor = f"public:{client_of(request)}"
    form = await request.form()
    entered = _typed_iin(form.get("iin"))
    iin: Iin | None = None
    problem = ""
    try:
        iin = Iin.parse(entered)
    except InvalidIin as error:
        problem = error.problem
    # Recorded about the person whose IIN was asked, a lookup refused for the client's
    # limit too: `urpaq audit --iin` lists every attempt at a child's data.
    note.iin = None if iin is None else iin.value
    client = limited_client(request)
    wait = await limits.lookups.take(client, now=time.time())
    values: dict[str, Any]
    status = 200
    if wait:
        template, status = "too_many.html", 429
        values = {"seconds": int(wait) + 1}
    elif iin is None:
        template, status = "lookup.html", 422
        values = {
            "problem": i18n.IIN_PROBLEMS.get(problem, "iin_not_12_digits"),
            "entered": entered,
        }
    else:
        asked = iin
        answer = await in_thread(lambda: look_up_participant(uow(), iin=asked))
        template = "lookup_result.html" if answer else "lookup_not_found.html"
        values = {"answer": answer, "rows": projection_rows(answer, language_of(request))}
    remaining = settings.lookup_seconds_min - (time.monotonic() - started)
    if remaining > 0:
        await anyio.sleep(remaining)
    response = page(request, template, status=status, private=True, **values)
    if wait:
        response.headers["Retry-After"] = str(int(wait) + 1)
    return response


@public.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request) -> HTMLResponse:
    """The way to sign in; `?ended=1` when the statement found its session cookie naming
    no open session (it ended, or was never one), which the page says."""
    ended = request.query_params.get("ended") == "1"
    return page(request, "sign_in.html", private=True, notice="session_ended" if ended else None)


@personal.post("/sign-in", response_class=HTMLResponse)
async def sign_in(
    request: Request,
    note: NoteDep,
    clock: ClockDep,
    limits: RateLimitsDep,
    identity: IdentityDep,
) -> HTMLResponse:
    """Starts proving who the person is: the identity provider sends a one-time code."""
    note.actor = f"public:{client_of(request)}"
    form = await request.form()
    entered = _typed_iin(form.get("iin"))
    try:
        iin: Iin | None = Iin.parse(entered)
    except InvalidIin as error:
        iin, problem = None, i18n.IIN_PROBLEMS.get(error.problem, "iin_not_12_digits")
    if iin is not None:  # audited about the person even when the client's limit refuses
        note.iin = iin.value
    client = limited_client(request)
    wait = await limits.sign_ins.take(client, now=time.time())
    if wait:
        return too_many(request, wait)
    if iin is None:
        return page(
            request, "sign_in.html", status=422, private=True, problem=problem, entered=entered
        )
    wait = await limits.sign_ins_per_iin.take(iin.value, now=time.time())
    if wait:  # whoever asks: no number of addresses buys more codes sent to one person
        return too_many(request, wait)
    now = clock.now()
    try:
        challenge = await in_thread(lambda: identity.begin(iin=iin, now=now))
    except _IDENTITY_AWAY as error:
        return _identity_away(request, error)
    response = page(request, "sign_in_code.html", private=True, links_to=_CODE_PAGE)
    response.set_cookie(
        CHALLENGE_COOKIE, challenge.challenge_id, max_age=300, httponly=True,
        samesite="strict", secure=request.url.scheme == "https", path="/sign-in",
    )  # fmt: skip
    return response


#: What an identity provider raises when it cannot answer now (`IdentityUnavailable`, or
#: a connection refused or timed out on the way to its service).
_IDENTITY_AWAY = (IdentityUnavailable, OSError)


def _identity_away(request: Request, error: Exception) -> HTMLResponse:
    """The sign-in page, saying that signing in is unavailable for now (503)."""
    error_log.error(
        "the identity provider could not answer %s: %s", request.url.path, type(error).__name__
    )
    return page(request, "sign_in.html", status=503, private=True, problem="identity_unavailable")


@personal.post("/sign-in/code", response_model=None)
async def sign_in_code(
    request: Request,
    note: NoteDep,
    clock: ClockDep,
    limits: RateLimitsDep,
    identity: IdentityDep,
    sessions: SessionsDep,
) -> Response:
    """The one-time code: right, and a session opens on the statement.  Every guess is
    recorded with the person whose challenge it was aimed at, and limited per person."""
    note.actor = f"public:{client_of(request)}"
    form = await request.form()
    code = typed_code(form.get("code"))
    challenge = request.cookies.get(CHALLENGE_COOKIE, "")
    now = clock.now()
    # The person the guess was aimed at, known before any limit: a guess the client's
    # limit refuses is audited about them too.
    try:
        claimed = await in_thread(lambda: identity.iin_of(challenge_id=challenge, now=now))
    except _IDENTITY_AWAY as error:
        return _identity_away(request, error)
    if claimed is not None:
        note.iin = claimed.value
    client = limited_client(request)
    wait = await limits.codes.take(client, now=time.time())
    if wait:
        return too_many(request, wait)
    if claimed is not None:
        person = claimed.value
        wait = await limits.codes_per_iin.take(person, now=time.time())
        if wait:
            return too_many(request, wait)
    try:
        iin = await in_thread(
            lambda: identity.complete(challenge_id=challenge, response=code, now=now)
        )
    except _IDENTITY_AWAY as error:
        return _identity_away(request, error)
    if (
        iin is None
        and claimed is not None
        and await in_thread(lambda: _waits_for_code(identity, challenge_id=challenge, now=now))
    ):  # the code is still waited for: try again
        return page(
            request, "sign_in_code.html", status=401, private=True, problem="code_wrong_again",
            links_to=_CODE_PAGE,
        )  # fmt: skip
    if iin is None:
        return page(request, "sign_in.html", status=401, private=True, problem="code_wrong")
    note.iin = iin.value
    token = await in_thread(lambda: sessions.open(iin, now=clock.now()))
    response = RedirectResponse("/statement", status_code=303, headers=NO_STORE)
    # A cookie of the browser's session, outliving the session it carries (which the
    # serving store ends after `SESSION_LASTS`): so that the statement can tell its
    # holder that the session ended, rather than show a bare sign-in form.
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="strict",
        secure=request.url.scheme == "https",
    )  # fmt: skip
    response.delete_cookie(CHALLENGE_COOKIE, path="/sign-in", **_cookie_flags(request))
    return response


def _sign_in_address(request: Request) -> str:
    """Where a person is sent to sign in, in the language they asked for (`?lang=`)."""
    lang = request.query_params.get("lang")
    return f"/sign-in?lang={lang}" if lang in i18n.LANGUAGES else "/sign-in"


def _waits_for_code(identity: IdentityProvider, *, challenge_id: str, now: dt.datetime) -> bool:
    """Whether the sign-in still takes a code (guesses left): a provider that can tell
    says so (`waits_for_code`, optional); of one that cannot, a sign-in it still names
    is taken to wait, and its form is shown again."""
    waits = getattr(identity, "waits_for_code", None)
    return True if waits is None else bool(waits(challenge_id=challenge_id, now=now))


@public.get(_CODE_PAGE, response_model=None)
def sign_in_code_form(request: Request) -> Response:
    """The code's form again (another language, a reload) while a sign-in waits for its
    code; else the way to sign in."""
    if not request.cookies.get(CHALLENGE_COOKIE):
        return RedirectResponse(_sign_in_address(request), status_code=303, headers=NO_STORE)
    return page(request, "sign_in_code.html", private=True, links_to=_CODE_PAGE)


@personal.get("/statement", response_model=None)
async def statement(
    request: Request, note: NoteDep, uow: UnitOfWorkDep, clock: ClockDep, sessions: SessionsDep
) -> Response:
    """The signed-in person's own statement; anyone else is sent to sign in."""
    token = request.cookies.get(SESSION_COOKIE)
    iin = await in_thread(lambda: sessions.holder(token, now=clock.now()))
    if iin is None:  # nobody's data: this answer is not recorded
        address = _sign_in_address(request)
        if not token:
            return UnauditedRedirect(address, status_code=303, headers=NO_STORE)
        # A session that ended (expired, or signed out): said so on the way in.
        ended = UnauditedRedirect(
            address + ("&" if "?" in address else "?") + "ended=1", status_code=303,
            headers=NO_STORE,
        )  # fmt: skip
        ended.delete_cookie(SESSION_COOKIE, **_cookie_flags(request))
        return ended
    note.actor = f"person:{iin.value}"
    note.iin = iin.value
    found = await in_thread(lambda: statement_of(uow(), iin=iin))
    tr = [line for line in found.lines if line.account != TARGET_SAVINGS]
    ts = [line for line in found.lines if line.account == TARGET_SAVINGS]
    # `?print=1`: the same statement on a page of its own, without navigation, made for
    # paper (with its IIN and the day it was prepared); the stylesheet's print rules do
    # the rest, for this page and the ordinary one alike.
    printable = request.query_params.get("print") == "1"
    template = "statement_print.html" if printable else "statement.html"
    # Savings the holder may spend: where and how (programme.md, "Target savings:
    # payouts"), with the operators that take applications now.
    spendable = (
        found.status is StatementStatus.MATURED
        and found.target_savings.cents > 0
        and found.savings_frozen is None
        and not found.savings_expired(clock.today())  # due to the pension account
    )
    serving = (
        await in_thread(lambda: [o for o in operators(uow()) if o.active and o.purposes])
        if spendable and not printable
        else None
    )
    return page(
        request, template, private=True, statement=found, tr=tr, ts=ts, today=clock.today(),
        operators=serving, purposes=SUB_PURPOSES,
    )  # fmt: skip


@public.post("/sign-out", response_model=None)
def sign_out(request: Request, sessions: SessionsDep) -> Response:
    sessions.close(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303, headers=NO_STORE)
    response.delete_cookie(SESSION_COOKIE, **_cookie_flags(request))
    return response


def _cookie_flags(request: Request) -> dict[str, Any]:
    """The flags the personal pages' cookies are set with, for the answer that ends one
    (a cookie ended without them went out `SameSite=lax`, without `Secure`, over HTTPS)."""
    return {"httponly": True, "samesite": "strict", "secure": request.url.scheme == "https"}


@public.get("/statistics", response_class=HTMLResponse)
async def statistics_page(
    request: Request, uow: UnitOfWorkDep, cache: StatisticsCacheDep, year: str | None = None
) -> HTMLResponse:
    """Every published table; `?year=` picks the close of the table by region."""
    found = await _statistics(uow, cache, year)
    if found is None:
        return page(request, "not_found.html", status=404)
    return page(
        request, "statistics.html", statistics=found,
        sections=sections(language_of(request), found), threshold=SMALL_CELL_THRESHOLD,
    )  # fmt: skip


#: When to ask again for a table whose close is being counted.
COUNTING_RETRY_SECONDS = 60


@public.get("/statistics/{name}.csv")
async def statistics_csv(
    name: str,
    request: Request,
    uow: UnitOfWorkDep,
    cache: StatisticsCacheDep,
    year: str | None = None,
) -> Response:
    """One table as CSV; `?year=` picks the close of the table by region."""
    found = await _statistics(uow, cache, year)
    tables = {table.name: table for table in found.tables} if found else {}
    if found and found.counting and name not in tables and name in COUNTED_TABLES:
        counting = page(request, "statistics_counting.html", status=503, counting=found.counting)
        counting.headers["Retry-After"] = str(COUNTING_RETRY_SECONDS)
        return counting
    if name not in tables:
        return page(request, "not_found.html", status=404)
    table = tables[name]
    suffix = f"-{table.year}" if table.year is not None else ""
    return Response(
        csv_of(table),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="urpaq-{name}{suffix}.csv"',
            "Cache-Control": "public, max-age=300",
        },
    )


async def _statistics(
    uow: UnitOfWorkDep, cache: StatisticsCacheDep, year: str | None
) -> Statistics | None:
    """The statistics with the table by region of `year`; None for a `year` that is no
    closed reporting year (the page is not found)."""
    if year is not None and not (year.isascii() and year.isdigit() and len(year) <= 4):
        return None
    try:
        return await cache.answer(uow, year=None if year is None else int(year))
    except StatisticsRefused:
        return None


#: The pages, as the application includes them.
router = APIRouter()
router.include_router(public)
router.include_router(personal)

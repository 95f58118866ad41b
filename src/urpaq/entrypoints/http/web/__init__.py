"""The web pages: the public lookup, a young adult's statement behind sign-in, and the
statistics.  Server-rendered HTML (Jinja2), no script, no external resource; Kazakh,
Russian and English on every page.

Personal data never travels in a URL: the IIN is a POST field, the answer is the page the
POST returns, and those pages are never cached (`Cache-Control: no-store`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from urpaq.domain.disclosure import SMALL_CELL_THRESHOLD
from urpaq.domain.iin import Iin, InvalidIin
from urpaq.domain.money import Money
from urpaq.entrypoints.http.context import Context
from urpaq.entrypoints.http.edge import note_of
from urpaq.entrypoints.http.web import i18n
from urpaq.entrypoints.http.web.charts import bar_chart
from urpaq.services.lookup import LookupAnswer, look_up_participant
from urpaq.services.ports.identity import IdentityProvider
from urpaq.services.statements import statement_of
from urpaq.services.statistics import (
    Cell,
    Statistics,
    StatTable,
    participant_statistics,
    statistics_version,
)
from urpaq.services.statistics import statistics as build_statistics

SESSION_COOKIE = "urpaq_session"
CHALLENGE_COOKIE = "urpaq_challenge"
LANGUAGE_COOKIE = "lang"
SESSION_LASTS = dt.timedelta(minutes=15)
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@dataclass(frozen=True)
class WebSettings:
    """What an operator of the server may tune (tests and benchmarks do)."""

    lookup_seconds_min: float = 0.25  # every lookup answer takes at least this long
    lookups_per_client: int = 10  # a client's burst of lookups …
    lookup_refill_seconds: float = 60.0  # … then one more per this many seconds
    sign_ins_per_client: int = 5
    sign_in_refill_seconds: float = 60.0


class RateLimiter:
    """A token bucket per client: `capacity` at once, one more every `refill` seconds."""

    def __init__(self, *, capacity: int, refill_seconds: float) -> None:
        self.capacity = capacity
        self.refill_seconds = refill_seconds
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, client: str, *, now: float) -> float:
        """0 if the client may go on; otherwise the seconds until it may."""
        with self._lock:
            if len(self._buckets) > 100_000:  # forget full buckets, bounded memory
                full = self.capacity * self.refill_seconds
                self._buckets = {
                    key: (tokens, at)
                    for key, (tokens, at) in self._buckets.items()
                    if now - at < full
                }
            tokens, at = self._buckets.get(client, (float(self.capacity), now))
            tokens = min(float(self.capacity), tokens + (now - at) / self.refill_seconds)
            if tokens < 1:
                self._buckets[client] = (tokens, now)
                return (1 - tokens) * self.refill_seconds
            self._buckets[client] = (tokens - 1, now)
            return 0.0


@dataclass
class Sessions:
    """Signed-in people, by a random token in an HttpOnly cookie; kept in memory, so a
    restart signs everyone out."""

    lasts: dt.timedelta = SESSION_LASTS
    _by_token: dict[str, tuple[Iin, dt.datetime]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def open(self, iin: Iin, *, now: dt.datetime) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._by_token = {k: v for k, v in self._by_token.items() if v[1] > now}
            self._by_token[token] = (iin, now + self.lasts)
        return token

    def holder(self, token: str | None, *, now: dt.datetime) -> Iin | None:
        if not token:
            return None
        with self._lock:
            found = self._by_token.get(token)
        if found is None or found[1] <= now:
            return None
        return found[0]

    def close(self, token: str | None) -> None:
        with self._lock:
            self._by_token.pop(token or "", None)


class StatisticsCache:
    """The published statistics, rebuilt only when a close or any ledger entry has
    changed them (the participants' counts themselves are kept in the database)."""

    def __init__(self) -> None:
        self._key: tuple[object, ...] | None = None
        self._statistics: Statistics | None = None
        self._lock = threading.Lock()

    def get(self, context: Context) -> Statistics:
        uow = context.uow()
        key = statistics_version(uow)
        with self._lock:
            if key != self._key or self._statistics is None:
                self._statistics = build_statistics(uow, participants=participant_statistics(uow))
                self._key = key
            return self._statistics


_templates = Environment(
    loader=PackageLoader("urpaq.entrypoints.http.web", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def router(
    context: Context, *, identity: IdentityProvider, settings: WebSettings | None = None
) -> APIRouter:
    settings = settings or WebSettings()
    lookups = RateLimiter(
        capacity=settings.lookups_per_client, refill_seconds=settings.lookup_refill_seconds
    )
    sign_ins = RateLimiter(
        capacity=settings.sign_ins_per_client, refill_seconds=settings.sign_in_refill_seconds
    )
    # Code guesses are limited per client like sign-ins (and per challenge by the provider).
    codes = RateLimiter(
        capacity=settings.sign_ins_per_client * 2, refill_seconds=settings.sign_in_refill_seconds
    )
    sessions = Sessions()
    statistics_cache = StatisticsCache()
    web = APIRouter(include_in_schema=False)

    def page(
        request: Request, template: str, *, status: int = 200, private: bool = False,
        **values: Any,
    ) -> HTMLResponse:  # fmt: skip
        language = language_of(request)
        html = _templates.get_template(template).render(
            lang=language,
            t=lambda key, **kw: i18n.text(language, key, **kw),
            languages=[(code, i18n.LANGUAGE_NAMES[code]) for code in i18n.LANGUAGES],
            path=request.url.path,
            money=_money,
            **values,
        )  # fmt: skip
        switching = request.query_params.get("lang") in i18n.LANGUAGES
        if private:
            headers = dict(NO_STORE)
        else:  # a shared cache must not keep an answer that sets a cookie
            headers = {
                "Cache-Control": f"{'private' if switching else 'public'}, max-age=300",
                "Vary": "Accept-Language, Cookie",  # the language comes from either
            }
        response = HTMLResponse(html, status_code=status, headers=headers)
        if switching:
            response.set_cookie(
                LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax",
                httponly=True, secure=request.url.scheme == "https",
            )  # fmt: skip
        return response

    def too_many(request: Request, wait: float) -> HTMLResponse:
        """429: the client has used its allowance; it may go on in `wait` seconds."""
        seconds = int(wait) + 1
        response = page(request, "too_many.html", status=429, private=True, seconds=seconds)
        response.headers["Retry-After"] = str(seconds)
        return response

    def client_of(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    @web.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        return page(request, "home.html")

    @web.get("/lookup", response_class=HTMLResponse)
    def lookup_form(request: Request) -> HTMLResponse:
        note_of(request).audited = False  # the empty form touches nobody's data
        return page(request, "lookup.html", private=True)

    @web.post("/lookup", response_class=HTMLResponse)
    async def lookup(request: Request) -> HTMLResponse:
        """Every answer takes at least `lookup_seconds_min`, whatever it is, so timing
        tells nothing about the IIN; a client gets a limited number of lookups."""
        started = time.monotonic()
        note = note_of(request)
        note.actor = f"public:{client_of(request)}"
        form = await request.form()
        entered = str(form.get("iin", ""))[:64]
        wait = lookups.take(client_of(request), now=started)
        values: dict[str, Any]
        status = 200
        if wait:
            template, status = "too_many.html", 429
            values = {"seconds": int(wait) + 1}
        else:
            try:
                iin = Iin.parse(entered)
            except InvalidIin as error:
                template, status = "lookup.html", 422
                values = {"problem": _IIN_PROBLEMS.get(error.problem, "iin_not_12_digits")}
            else:
                note.iin = iin.value
                answer = await run_in_threadpool(
                    lambda: look_up_participant(context.uow(), iin=iin)
                )
                template = "lookup_result.html" if answer else "lookup_not_found.html"
                values = {"answer": answer, "rows": _projection_rows(answer)}
        await anyio.sleep(max(0.0, settings.lookup_seconds_min - (time.monotonic() - started)))
        response = page(request, template, status=status, private=True, **values)
        if wait:
            response.headers["Retry-After"] = str(int(wait) + 1)
        return response

    @web.get("/sign-in", response_class=HTMLResponse)
    def sign_in_form(request: Request) -> HTMLResponse:
        note_of(request).audited = False
        return page(request, "sign_in.html", private=True)

    @web.post("/sign-in", response_class=HTMLResponse)
    async def sign_in(request: Request) -> HTMLResponse:
        note = note_of(request)
        note.actor = f"public:{client_of(request)}"
        form = await request.form()
        entered = str(form.get("iin", ""))[:64]
        wait = sign_ins.take(client_of(request), now=time.monotonic())
        if wait:
            return too_many(request, wait)
        try:
            iin = Iin.parse(entered)
        except InvalidIin as error:
            problem = _IIN_PROBLEMS.get(error.problem, "iin_not_12_digits")
            return page(request, "sign_in.html", status=422, private=True, problem=problem)
        note.iin = iin.value
        now = context.clock.now()
        challenge = await run_in_threadpool(lambda: identity.begin(iin=iin, now=now))
        response = page(request, "sign_in_code.html", private=True)
        response.set_cookie(
            CHALLENGE_COOKIE, challenge.challenge_id, max_age=300, httponly=True,
            samesite="strict", secure=request.url.scheme == "https", path="/sign-in",
        )  # fmt: skip
        return response

    @web.post("/sign-in/code", response_model=None)
    async def sign_in_code(request: Request) -> Response:
        note_of(request).actor = f"public:{client_of(request)}"
        form = await request.form()
        code = str(form.get("code", ""))[:16]
        challenge = request.cookies.get(CHALLENGE_COOKIE, "")
        wait = codes.take(client_of(request), now=time.monotonic())
        if wait:
            return too_many(request, wait)
        now = context.clock.now()
        iin = await run_in_threadpool(
            lambda: identity.complete(challenge_id=challenge, response=code, now=now)
        )
        if iin is None:
            return page(request, "sign_in.html", status=401, private=True, problem="code_wrong")
        note_of(request).iin = iin.value
        response = RedirectResponse("/statement", status_code=303, headers=NO_STORE)
        response.set_cookie(
            SESSION_COOKIE, sessions.open(iin, now=context.clock.now()),
            max_age=int(SESSION_LASTS.total_seconds()), httponly=True, samesite="strict",
            secure=request.url.scheme == "https",
        )  # fmt: skip
        response.delete_cookie(CHALLENGE_COOKIE, path="/sign-in")
        return response

    @web.get("/statement", response_model=None)
    async def statement(request: Request) -> Response:
        note = note_of(request)
        iin = sessions.holder(request.cookies.get(SESSION_COOKIE), now=context.clock.now())
        if iin is None:
            note.audited = False
            return RedirectResponse("/sign-in", status_code=303, headers=NO_STORE)
        note.actor = f"person:{iin.value}"
        note.iin = iin.value
        found = await run_in_threadpool(lambda: statement_of(context.uow(), iin=iin))
        tr = [line for line in found.lines if line.account != "target_savings"]
        ts = [line for line in found.lines if line.account == "target_savings"]
        return page(request, "statement.html", private=True, statement=found, tr=tr, ts=ts)

    @web.post("/sign-out", response_model=None)
    def sign_out(request: Request) -> Response:
        note_of(request).audited = False
        sessions.close(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/", status_code=303, headers=NO_STORE)
        response.delete_cookie(SESSION_COOKIE)
        return response

    def current_statistics() -> Statistics:
        return statistics_cache.get(context)

    @web.get("/statistics", response_class=HTMLResponse)
    async def statistics_page(request: Request) -> HTMLResponse:
        language = language_of(request)
        found = await run_in_threadpool(current_statistics)
        sections = [
            _section(language, table, chart=index < 7 or table.name == "payouts_by_operator")
            for index, table in enumerate(found.tables)
        ]
        return page(
            request, "statistics.html", statistics=found, sections=sections,
            threshold=SMALL_CELL_THRESHOLD,
        )  # fmt: skip

    @web.get("/statistics/{name}.csv")
    async def statistics_csv(name: str, request: Request) -> Response:
        found = await run_in_threadpool(current_statistics)
        tables = {table.name: table for table in found.tables}
        if name not in tables:
            return page(request, "not_found.html", status=404)
        return Response(
            _csv(tables[name]),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="urpaq-{name}.csv"',
                "Cache-Control": "public, max-age=300",
            },
        )

    return web


def language_of(request: Request) -> str:
    """`?lang=`, else the cookie, else the browser's preference, else Kazakh."""
    asked = request.query_params.get("lang")
    if asked in i18n.LANGUAGES:
        return asked
    kept = request.cookies.get(LANGUAGE_COOKIE)
    if kept in i18n.LANGUAGES:
        return kept
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in i18n.LANGUAGES:
            return code
    return i18n.DEFAULT_LANGUAGE


_IIN_PROBLEMS = {
    "format": "iin_not_12_digits",
    "century": "iin_bad_century",
    "birth_date": "iin_bad_date",
    "never_issued": "iin_never_issued",
    "check_digit": "iin_bad_check_digit",
}


def _money(amount: Money) -> str:
    """1 234 567.89 — thin-space groups, as people read amounts in all three languages."""
    return amount.grouped().replace(",", "\u202f")


def _projection_rows(answer: LookupAnswer | None) -> list[dict[str, Any]]:
    if answer is None:
        return []
    projection = answer.projection
    cases = (
        ("projection_low", projection.low_case, projection.low),
        ("projection_central", projection.central_case, projection.central),
        ("projection_high", projection.high_case, projection.high),
    )
    return [
        {
            "case": case,
            "rate": f"{(assumption.ii_rate * 100).quantize(Decimal('0.001'))} %",
            "participants": f"{assumption.participants:,}".replace(",", "\u202f"),
            "amount": _money(amount),
        }
        for case, assumption, amount in cases
    ]


def _cell_text(language: str, column: str, cell: Cell) -> str:
    if cell is None:
        return i18n.text(language, "suppressed")
    if isinstance(cell, Money):
        return _money(cell)
    if isinstance(cell, int):
        return str(cell) if column in ("year", "age") else f"{cell:,}".replace(",", "\u202f")
    if column == "region" and cell.startswith("KZ-"):
        return i18n.region_name(language, cell)
    if f"value_{cell}" in i18n.MESSAGES:
        return i18n.text(language, f"value_{cell}")
    return cell


def _section(language: str, table: StatTable, *, chart: bool) -> dict[str, Any]:
    title = i18n.text(language, f"table_{table.name}")
    headers = [i18n.text(language, f"col_{column}") for column in table.columns]
    rows = [
        [
            _cell_text(language, column, cell)
            for column, cell in zip(table.columns, row, strict=True)
        ]
        for row in table.rows
    ]
    drawn: Markup | None = None
    bars = [
        (
            _cell_text(language, table.columns[table.label_column], row[table.label_column]),
            _bar_value(row[table.value_column]),
            _cell_text(language, table.columns[table.value_column], row[table.value_column]),
        )
        for row in table.rows
        if row[table.label_column] != "total"
    ]
    if chart and bars:
        drawn = bar_chart(
            chart_id=f"chart-{table.name}",
            title=i18n.text(language, "chart_of", title=title),
            description=f"{headers[table.value_column]} / {headers[table.label_column]}",
            bars=bars,
        )
    textual = ("region", "sex", "purpose", "operator")
    return {
        "name": table.name,
        "title": title,
        "headers": headers,
        "rows": rows,
        "chart": drawn,
        "numeric": [column not in textual for column in table.columns],
    }


def _bar_value(cell: Cell) -> int | None:
    if isinstance(cell, Money):
        return cell.cents
    if isinstance(cell, int):
        return cell
    return None


def _csv(table: StatTable) -> str:
    """The table as published: amounts with two decimals, hidden cells as `suppressed`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["suppressed" if cell is None else str(cell) for cell in row])
    return out.getvalue()


def not_found(request: Request) -> HTMLResponse:
    """The page for an address that has none."""
    language = language_of(request)
    html = _templates.get_template("not_found.html").render(
        lang=language,
        t=lambda key, **kw: i18n.text(language, key, **kw),
        languages=[(code, i18n.LANGUAGE_NAMES[code]) for code in i18n.LANGUAGES],
        path="/",
    )
    return HTMLResponse(html, status_code=404)

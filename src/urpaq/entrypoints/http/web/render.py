"""The pages as HTML: Jinja2 templates in the visitor's language, with the caching and
cookie headers each kind of page needs.

Personal answers are never cached (`Cache-Control: no-store`); public pages may be, for
five minutes, by the browser only when they set the language cookie.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from urpaq.domain.iin import can_name_an_iin
from urpaq.domain.kazakhstan_time import KAZAKHSTAN
from urpaq.domain.money import Money
from urpaq.entrypoints.http.web import explain, i18n
from urpaq.services.lookup import LookupAnswer

LANGUAGE_COOKIE = "lang"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

#: The longest address a page's language links repeat.  No page of the site has a longer
#: one: a longer path links the home page and a longer query is not kept, so a page is
#: never three times the size of the request that asked for it.
LONGEST_LINK = 2048

_templates = Environment(
    loader=PackageLoader("urpaq.entrypoints.http.web", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # the templates are the package's: no look at their files per page
)


def page(
    request: Request, template: str, *, status: int = 200, private: bool = False,
    links_to: str | None = None, **values: Any,
) -> HTMLResponse:  # fmt: skip
    """The page `template` in the visitor's language; `private` for an answer about a
    person, which no cache may keep; `links_to` the page its language links open, where
    that is not the request's own path (an answer to a form)."""
    language = language_of(request)
    # A language link keeps the page's other query parameters (a year, a batch, `print`),
    # never an IIN (no page puts one in a link), nor one too long to repeat.
    kept = urlencode(
        [
            (k, v)
            for k, v in request.query_params.multi_items()
            if k not in ("lang", "iin") and not can_name_an_iin(k) and not can_name_an_iin(v)
            and len(k) + len(v) <= LONGEST_LINK
        ]
    )  # fmt: skip
    html = _render(
        language,
        template,
        path=links_to or request.url.path,
        kept_query=kept,
        **values,
    )
    switching = request.query_params.get("lang") in i18n.LANGUAGES
    if private or status >= 400:  # an answer about a person, or to an address that has none
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


def not_found(request: Request) -> HTMLResponse:
    """The page for an address that has none; its language links ask for that address
    again (a path of this site, quoted: `//host` would be another site's; one naming an
    IIN is not repeated).  Never cached: the address may name a person."""
    asked = request.url.path
    ours = asked.startswith("/") and not asked.startswith("//")
    # Judged as asked, before quoting: `１５０６…` quoted is no longer digits.
    path = quote(asked, safe="/-._~") if ours and not can_name_an_iin(asked) else "/"
    html = _render(language_of(request), "not_found.html", path=path)
    return HTMLResponse(html, status_code=404, headers=NO_STORE)


def language_of(request: Request) -> str:
    """`?lang=`, else the cookie, else the browser's preference, else Kazakh."""
    asked = request.query_params.get("lang")
    if asked in i18n.LANGUAGES:
        return asked
    kept = request.cookies.get(LANGUAGE_COOKIE)
    if kept in i18n.LANGUAGES:
        return kept
    return _preferred(request.headers.get("accept-language", "")) or i18n.DEFAULT_LANGUAGE


def _preferred(header: str) -> str | None:
    """The browser's most wanted language of ours, by its weights (`kk;q=0.9`), the
    first listed among equals; None if it wants none of them."""
    wanted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:32]):
        code, _, weight = part.partition(";")
        code = code.strip().lower()[:2]
        if code not in i18n.LANGUAGES:
            continue
        quality = 1.0
        name, _, value = weight.strip().partition("=")
        if name.strip() == "q":
            try:
                quality = float(value)
            except ValueError:
                continue
        if quality > 0:
            wanted.append((-quality, position, code))
    return min(wanted)[2] if wanted else None


def money(amount: Money, language: str = "en") -> str:
    """1 234 567.89 — thin-space groups, as people read amounts in all three languages;
    1 234 567,89 in Kazakh and Russian, which write a decimal comma."""
    return explain.amount(amount, language=language)


def projection_rows(answer: LookupAnswer | None, language: str = "en") -> list[dict[str, Any]]:
    """The lookup's three estimates at 18, as the result page shows them."""
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
            "rate": explain.percent(
                assumption.ii_rate.quantize(Decimal("0.00001")), language=language
            ),
            "participants": f"{assumption.participants:,}".replace(",", "\u202f"),
            "amount": money(amount, language),
        }
        for case, assumption, amount in cases
    ]


def _render(language: str, template: str, *, path: str, kept_query: str = "", **values: Any) -> str:
    # No page puts an IIN in a link (web.md): an address that holds one, which no page of
    # the site has (`/nope/150610600015`), is not repeated in the language links either.
    if len(path) > LONGEST_LINK or can_name_an_iin(path):
        path = "/"
    if len(path) + len(kept_query) > LONGEST_LINK:
        kept_query = ""
    return _templates.get_template(template).render(
        kept_query=kept_query,
        lang=language,
        t=lambda key, **kw: i18n.text(language, key, **kw),
        counted=lambda key, n: i18n.counted(language, key, n),
        explain=lambda line: explain.explained(language, line),
        money=lambda amount: money(amount, language),
        day=lambda date: explain.day(language, date),
        moment=lambda at: explain.moment(language, at.astimezone(KAZAKHSTAN)),
        languages=[(code, i18n.LANGUAGE_NAMES[code]) for code in i18n.LANGUAGES],
        path=path,
        **values,
    )

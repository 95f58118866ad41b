"""What the edge says of a request it refuses or the application failed: a 503 with
`Retry-After` when the database could not be reached (a server restarting or failing
over, a connection lost, a database that cannot be opened now: trying again shortly may
pass), else a 500; as JSON for the API, as a page in Kazakh, Russian and English for
everything else (a browser shows it; nothing in it comes from the request or the
database)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from urpaq import bootstrap
from urpaq.entrypoints.http.web.i18n import text

#: The addresses a program asks rather than a browser, besides the API's: a load
#: balancer's checks of the process.
_PROBES = frozenset({"/healthz", "/readyz"})

#: How long a client is asked to wait before trying again when the database is away.
RETRY_AFTER_SECONDS = 5


@dataclass(frozen=True, slots=True)
class Failure:
    status: int
    code: str
    message: str
    headers: tuple[tuple[bytes, bytes], ...] = ()


def failure_of(error: Exception, *, request_id: str, what: str = "completed") -> Failure:
    """The answer to a request that could not be `what` (completed; recorded, when its
    audit event could not be written) for `error`."""
    if bootstrap.database_unreachable(error):
        return Failure(
            503,
            "database_unavailable",
            f"the database cannot be reached now; try again in {RETRY_AFTER_SECONDS} seconds"
            f" (request {request_id}); a write repeated with its Idempotency-Key is made once",
            ((b"retry-after", str(RETRY_AFTER_SECONDS).encode()),),
        )
    return Failure(500, "internal_error", f"the request could not be {what} (request {request_id})")


#: A page's words for an answer the edge gives a page's address, by status: what
#: happened and what to do, in each language.
_WORDS = {
    400: (
        ("kk", "Сұрауды оқу мүмкін болмады.", "Бетті қайта ашып, қайталап көріңіз."),
        ("ru", "Запрос не удалось прочитать.", "Откройте страницу заново и повторите."),
        ("en", "The request could not be read.", "Open the page again and try once more."),
    ),
    403: (
        ("kk", "Форма басқа сайттан жіберілді.", "Форманы осы сайттың өз бетінен жіберіңіз."),
        ("ru", "Форма отправлена с другого сайта.", "Отправьте форму со страницы этого сайта."),
        ("en", "The form was sent from another site.", "Send it from this site's own page."),
    ),
    405: (
        ("kk", "Бұл бетке мұндай сұрау жіберілмейді.", "Бетті сілтеме арқылы ашыңыз."),
        ("ru", "Эта страница не принимает такой запрос.", "Откройте страницу по ссылке."),
        ("en", "This page does not take such a request.", "Open the page from a link."),
    ),
    413: (
        ("kk", "Жіберілген мәтін тым үлкен.", "Тек сұралған мәліметтерді енгізіңіз."),
        ("ru", "Отправленный текст слишком велик.", "Введите только то, что просит форма."),
        ("en", "What was sent is too large.", "Enter only what the form asks for."),
    ),
    500: (
        ("kk", "Сұрауды орындау мүмкін болмады.", "Кейінірек қайталап көріңіз."),
        ("ru", "Запрос не удалось выполнить.", "Попробуйте ещё раз позже."),
        ("en", "The request could not be completed.", "Please try again later."),
    ),
    503: (
        ("kk", "Қызмет уақытша қолжетімсіз.", "Бірнеше секундтан кейін қайталап көріңіз."),
        ("ru", "Сервис временно недоступен.", "Попробуйте ещё раз через несколько секунд."),
        ("en", "The service is unavailable for a moment.", "Please try again in a few seconds."),
    ),
}


def speaks_json(path: str) -> bool:
    """Whether an error at `path` is answered as JSON (a program asks) rather than as a
    page (a browser shows it)."""
    return path.startswith("/api/") or path in _PROBES


def error_page(status: int, *, request_id: str) -> bytes:
    """A page saying what an answer of `status` means, in the three languages, with the
    request id (what a visitor quotes when they call the operator)."""
    words = _WORDS.get(status, _WORDS[500])
    # One main heading (the first language's); the others' are its translations.
    sections = "".join(
        f'<section lang="{lang}"><{h}>{escape(what)}</{h}><p>{escape(then)}</p></section>'
        for h, (lang, what, then) in zip(("h1", "h2", "h2"), words, strict=True)
    )
    # Each language's words marked as such (a screen reader reads them in its voice); the
    # title cannot be, so it is in the page's language alone.
    home = _in_each_language(lambda lang: text(lang, "site_name"))
    quoted = _in_each_language(lambda lang: text(lang, "request_id"))
    return (
        '<!doctype html><html lang="kk"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{status} — {escape(words[0][1])}</title>"
        '<link rel="stylesheet" href="/static/style.css"></head>'
        f'<body><main id="main">{sections}'
        f'<p class="note">{quoted}: <code class="request-id">{escape(request_id)}</code></p>'
        f'<p><a href="/">{home}</a></p></main></body></html>'
    ).encode()


def _in_each_language(words: Callable[[str], str]) -> str:
    """`words` in Kazakh, Russian and English, each marked with its language."""
    return " · ".join(
        f'<span lang="{lang}">{escape(words(lang))}</span>' for lang in ("kk", "ru", "en")
    )

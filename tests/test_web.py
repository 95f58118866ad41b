"""The public pages in a real browser: Playwright driving Debian's Chromium (headless)
against the real server on loopback, on the small demo database with a few payouts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from api_server import serving
from urpaq.adapters.calendar import return_due_on
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.bootstrap import open_unit_of_work
from urpaq.domain.iin import Iin
from urpaq.domain.money import Money
from urpaq.domain.operators import Purpose
from urpaq.entrypoints.http.app import create_app
from urpaq.entrypoints.http.context import Clock
from urpaq.entrypoints.http.web import i18n
from urpaq.entrypoints.http.web.settings import WebSettings
from urpaq.services.audit import audit_events
from urpaq.services.payouts import request_payout, return_payout
from urpaq.services.statements import statement_of
from world import add_bank

CHROMIUM = os.environ.get("URPAQ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
UNKNOWN = "150101500021"  # valid, never in the register
TODAY = dt.date(2026, 11, 20)


@dataclass
class Site:
    url: str
    uow: SqlUnitOfWork
    child: Iin  # a participant
    adult: Iin  # a holder of target savings with a payout and a return
    codes: list[str]


class CodeCatcher(logging.Handler):
    """Reads the development provider's one-time codes from the server log."""

    def __init__(self) -> None:
        super().__init__()
        self.codes: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        found = re.search(r"one-time code (\d{6})", record.getMessage())
        if found:
            self.codes.append(found[1])


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("web")
    url = f"sqlite:///{folder}/demo.db"
    subprocess.run([sys.executable, "-m", "urpaq", "demo", "--db", url, "--workdir",
                    str(folder)], check=True, capture_output=True)  # fmt: skip
    return folder / "demo.db"


@pytest.fixture(scope="module")
def site(demo_database: Path) -> Iterator[Site]:
    uow = open_unit_of_work(f"sqlite:///{demo_database}")
    child = Iin.parse(uow.db.query("SELECT iin FROM person WHERE birth_year = 2015 LIMIT 1")[0][0])
    adult = Iin.parse(uow.db.query(
        "SELECT p.iin FROM person p JOIN posting s ON s.person_id = p.person_id"
        " WHERE s.account = 'target_savings' LIMIT 1")[0][0])  # fmt: skip
    if not uow.operators.named("Web Bank"):
        add_bank(uow, name="Web Bank", purposes=frozenset(Purpose), credential="web-bank")
        bank = uow.operators.named("Web Bank")
        assert bank is not None
        for number, amount in enumerate(("10.00", "20.00")):
            request_payout(
                uow, operator=bank, iin=adult, amount=Money.parse(amount),
                purpose=Purpose.EDUCATION, sub_purpose="tuition_period", account="KZ01",
                payout_id=f"web{number}", today=TODAY, return_due_on=return_due_on,
            )  # fmt: skip
        return_payout(uow, operator=bank, payout_id="web1", today=TODAY)
    catcher = CodeCatcher()
    logging.getLogger("urpaq.identity").addHandler(catcher)
    app = create_app(
        database_url=f"sqlite:///{demo_database}",
        clock=Clock(),
        web_settings=WebSettings(lookup_seconds_min=0.05, lookups_per_client=1000),
    )
    with serving(app) as url:
        yield Site(url, uow, child, adult, catcher.codes)
    logging.getLogger("urpaq.identity").removeHandler(catcher)
    uow.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-US", accept_downloads=True)
    opened = context.new_page()
    yield opened
    context.close()


def look_up(page: Page, site: Site, iin: str) -> None:
    page.goto(f"{site.url}/lookup?lang=en")
    page.get_by_label("IIN (12 digits)").fill(iin)
    page.get_by_role("button", name="Check").click()


def test_a_parent_sees_participation_and_total_credited(page: Page, site: Site) -> None:
    """The lookup shows the year and the total, an estimate at 18, and no IIN in the URL."""
    expected = statement_of(site.uow, iin=site.child)
    look_up(page, site, site.child.value)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The child participates in the programme"
    )
    expect(page.locator("#participant-since")).to_have_text(str(expected.participant_since))
    total = expected.target_requirements.grouped().replace(",", "\u202f")
    expect(page.locator("#total-credited")).to_have_text(f"{total} USD")
    expect(page.locator("#projection tbody tr")).to_have_count(3)
    expect(page.get_by_text("This is an estimate, not a promise")).to_be_visible()
    assert site.child.value not in page.url
    assert page.url.endswith("/lookup")


def test_an_unknown_iin_and_an_adult_get_the_same_guidance(page: Page, site: Site) -> None:
    """Unknown and not-a-participant look the same: guidance, nothing about the person."""
    look_up(page, site, UNKNOWN)
    unknown = page.locator("main").inner_text()
    look_up(page, site, site.adult.value)
    adult = page.locator("main").inner_text()
    assert unknown == adult
    assert "Public Service Centre" in unknown
    expect(page.get_by_role("heading", level=1)).to_have_text("No participant found for this IIN")


@pytest.mark.parametrize(
    ("entered", "problem"),
    [
        ("12345", "An IIN has exactly 12 digits."),
        ("150101500012", "The last (check) digit does not match"),
        ("151301500011", "The first 6 digits must be a date of birth"),
    ],
)
def test_an_invalid_iin_is_named_next_to_the_field(
    page: Page, site: Site, entered: str, problem: str
) -> None:
    look_up(page, site, entered)
    field = page.get_by_label("IIN (12 digits)")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_contain_text(problem)


def test_every_page_switches_language_and_remembers_it(page: Page, site: Site) -> None:
    """Kazakh, Russian and English on every page; the choice follows to the next page."""
    page.goto(f"{site.url}/lookup")
    page.get_by_role("link", name="Русский").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Проверить участие ребёнка в программе"
    )
    page.get_by_role("link", name="Статистика").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Статистика программы")
    page.get_by_role("link", name="Қазақша").click()
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.get_by_role("heading", level=1)).to_have_text("Бағдарлама статистикасы")


def test_every_message_exists_in_every_language() -> None:
    missing = [
        f"{key}:{language}"
        for key, languages in i18n.MESSAGES.items()
        for language in i18n.LANGUAGES
        if not languages.get(language)
    ]
    assert not missing, missing


def test_statistics_show_charts_tables_and_csv_downloads(page: Page, site: Site) -> None:
    """Every table has its CSV; charts are SVG with a title; small cells are hidden."""
    page.goto(f"{site.url}/statistics?lang=en")
    charts = page.locator("svg.chart")
    assert charts.count() >= 7
    expect(charts.first.locator("title").first).to_contain_text("Chart: Participants by age")
    by_sex = page.locator("#table-participants_by_sex")
    expect(by_sex).to_contain_text("female")
    expect(page.locator("#table-payouts_by_operator")).to_contain_text("hidden")
    links = page.get_by_role("link", name=re.compile("Download the table"))
    assert links.count() == 9
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the table (CSV): Participants by sex").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    assert rows[0] == ["sex", "participants"]
    total = int(rows[-1][1])
    assert rows[-1][0] == "total" and int(rows[1][1]) + int(rows[2][1]) == total
    closes = site.uow.closes.closed_years()
    assert total == closes[-1].result.participants
    operators = httpx.get(f"{site.url}/statistics/payouts_by_operator.csv").text
    assert operators.splitlines()[1] == "Web Bank,suppressed,suppressed"


def test_a_young_adult_signs_in_and_sees_every_payout_and_return(page: Page, site: Site) -> None:
    """The statement is behind sign-in (a one-time code); it lists the savings entries."""
    page.goto(f"{site.url}/statement?lang=en")
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    page.get_by_label("IIN (12 digits)").fill(site.adult.value)
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the one-time code")
    page.get_by_label("Code (6 digits)").fill(site.codes[-1])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/statement$"))
    expected = statement_of(site.uow, iin=site.adult)
    savings = expected.target_savings.grouped().replace(",", "\u202f")
    expect(page.locator("#target-savings")).to_have_text(f"{savings} USD")
    entries = page.locator("#savings-entries tbody tr")
    expect(entries).to_have_count(4)  # maturity, two payouts, one return
    expect(page.locator("#savings-entries")).to_contain_text("return")
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{site.url}/statement")
    expect(page).to_have_url(re.compile(r"/sign-in$"))


def test_a_wrong_code_does_not_sign_in(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/sign-in?lang=en")
    page.get_by_label("IIN (12 digits)").fill(site.adult.value)
    page.get_by_role("button", name="Send me a code").click()
    wrong = "000000" if site.codes[-1] != "000000" else "111111"
    page.get_by_label("Code (6 digits)").fill(wrong)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("The code is wrong or has expired")


def test_the_pages_work_from_the_keyboard(page: Page, site: Site) -> None:
    """The first Tab reaches the skip link; the form is reachable and submits with Enter."""
    page.goto(f"{site.url}/lookup?lang=en")
    page.locator("body").focus()
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")
    page.get_by_label("IIN (12 digits)").focus()
    page.keyboard.type(UNKNOWN)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("No participant found for this IIN")


def test_lookups_are_limited_per_client_padded_in_time_and_audited(
    demo_database: Path, site: Site
) -> None:
    """Beyond its allowance a client gets 429; every answer takes the same minimum time;
    every lookup is in the audit log; nothing personal is cached or in a URL."""
    app = create_app(
        database_url=f"sqlite:///{demo_database}",
        web_settings=WebSettings(lookup_seconds_min=0.3, lookups_per_client=3),
    )
    with serving(app) as url, httpx.Client(base_url=url) as client:
        timings, answers = [], []
        for iin in (site.child.value, UNKNOWN, "12345", site.child.value):
            started = time.monotonic()
            answers.append(client.post("/lookup", data={"iin": iin}))
            timings.append(time.monotonic() - started)
    assert [answer.status_code for answer in answers] == [200, 200, 422, 429]
    assert int(answers[3].headers["Retry-After"]) > 0
    assert min(timings) >= 0.3
    assert all(answer.headers["Cache-Control"] == "no-store" for answer in answers)
    events = audit_events(site.uow, iin=UNKNOWN, limit=5)
    assert events and events[0].action == "POST /lookup"
    assert events[0].actor == "public:127.0.0.1"


def test_security_headers_forbid_outside_resources(site: Site) -> None:
    answer = httpx.get(f"{site.url}/statistics")
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'none'" in policy
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert httpx.get(f"{site.url}/no-such-page").status_code == 404


def test_code_guesses_are_limited_per_client(demo_database: Path) -> None:
    """Beyond a few wrong codes a client is refused for a while, whatever the challenge."""
    app = create_app(
        database_url=f"sqlite:///{demo_database}",
        web_settings=WebSettings(sign_ins_per_client=1),
    )
    with serving(app) as url, httpx.Client(base_url=url) as client:
        statuses = [client.post("/sign-in/code", data={"code": "000000"}).status_code
                    for _ in range(3)]  # fmt: skip
    assert statuses == [401, 401, 429]

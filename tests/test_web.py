"""The public pages in a real browser: Playwright driving Debian's Chromium (headless)
against the real server on loopback, on the small demo database with a few payouts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from starlette.requests import Request

from api_server import serving
from urpaq.adapters.calendar import return_due_on
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.bootstrap import open_unit_of_work
from urpaq.domain.iin import Iin
from urpaq.domain.money import Money
from urpaq.domain.operators import Purpose
from urpaq.entrypoints.http.app import create_app
from urpaq.entrypoints.http.context import Clock
from urpaq.entrypoints.http.web import i18n, routes
from urpaq.entrypoints.http.web.render import language_of, money
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
#: Valid, and never in the register: the synthetic register numbers each day's children
#: from serial 1 and never reaches this one's, 9990.
UNKNOWN = "150101599902"
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
        # The pages' tests sign the same people in many times; the limits per client and
        # per IIN have tests of their own (test_edge.py, below).
        web_settings=WebSettings(
            lookup_seconds_min=0.05,
            lookups_per_client=1000,
            sign_ins_per_client=1000,
            sign_ins_per_iin=1000,
            codes_per_iin=1000,
        ),
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


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_no_chart_label_is_cut_at_the_charts_edge(page: Page, site: Site, language: str) -> None:
    """ "Западно-Казахстанская область" lost its first 31 px at the chart's left edge,
    the longest Kazakh names too: each label is drawn whole inside its chart."""
    page.goto(f"{site.url}/statistics?lang={language}")
    outside = page.evaluate(
        """() => [...document.querySelectorAll('svg.chart .chart-label')]
               .filter(label => label.getBBox().x < 0).map(label => label.textContent)"""
    )
    assert outside == []


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
    assert links.count() == 10
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the table (CSV): Participants by sex").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    assert rows[0] == ["sex", "participants"]
    total = int(rows[-1][1])
    assert rows[-1][0] == "total" and int(rows[1][1]) + int(rows[2][1]) == total
    closes = site.uow.closes.closed_years()
    assert total == closes[-1].result.participants
    operators = httpx.get(f"{site.url}/statistics/payouts_by_operator.csv").text
    assert operators.splitlines()[1] == "Web Bank" + ",suppressed" * 6


def test_the_figures_of_a_close_by_region_for_each_closed_year(page: Page, site: Site) -> None:
    """The table by region is of the last close, and of any other closed year on asking;
    its CSV has a header and amounts with two decimals; the sample's three regions with
    published figures have them, scaled (1:500)."""
    page.goto(f"{site.url}/statistics?lang=en")
    regions = page.locator("#table-regions")
    expect(page.get_by_role("heading", name="By region: the close of 2025")).to_be_visible()
    expect(regions.get_by_role("columnheader")).to_have_text(
        ["Region", "Participants", "Turning 18 next year", "TR accrued, USD",
         "Target savings credited, USD", "Matured late"]
    )  # fmt: skip
    page.get_by_role("navigation", name="Reporting year").get_by_role("link", name="2023").click()
    expect(page).to_have_url(re.compile(r"/statistics\?year=2023#regions$"))
    expect(page.get_by_role("heading", name="By region: the close of 2023")).to_be_visible()
    turkestan = page.locator("#table-regions tr", has_text="Turkestan Region")
    expect(turkestan.locator("td")).to_have_text(
        # Nobody matured late at the close of 2023: 0 in every region.
        ["1\u202f846", "84", "185\u202f559.92", re.compile(r"^[\d\u202f]+\.\d\d$"), "0"]
    )
    with page.expect_download() as download:
        page.get_by_role(
            "link", name="Download the table (CSV): By region: the close of 2023"
        ).click()
    assert download.value.suggested_filename == "urpaq-regions-2023.csv"
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    assert rows[0] == [
        "region", "participants", "turning_18", "accrued", "target_savings_credited",
        "matured_late",
    ]  # fmt: skip
    published = {row[0]: row[1:4] for row in rows[1:]}
    assert published["KZ-61"] == ["1846", "84", "185559.92"]
    assert published["KZ-75"] == ["1333", "53", "133993.16"]
    assert published["KZ-19"] == ["1217", "54", "122332.84"]
    assert rows[-1][:2] == ["total", str(site.uow.closes.closed_years()[0].result.participants)]
    assert all(re.fullmatch(r"\d+\.\d\d", row[3]) for row in rows[1:])
    for wrong in ("2022", "2099", "twenty", "-1"):
        assert httpx.get(f"{site.url}/statistics?year={wrong}").status_code == 404
        assert httpx.get(f"{site.url}/statistics/regions.csv?year={wrong}").status_code == 404


def test_payouts_by_purpose_and_operator_net_of_returns_as_csv(page: Page, site: Site) -> None:
    """The payouts' tables add the amount returned and the payouts net of returns; two
    payouts are too few to show, in every language."""
    purposes = httpx.get(f"{site.url}/statistics/payouts_by_purpose.csv").text.splitlines()
    assert purposes == [
        "purpose,payouts,amount,confirmed,returned,returned_amount,net_payouts,net_amount",
        "education" + ",suppressed" * 7,
    ]
    for language, heading, hidden in (
        ("kk", "Қайтаруларды шегергендегі сома, USD", "жасырын"),
        ("ru", "Сумма за вычетом возвратов, USD", "скрыто"),
        ("en", "Amount net of returns, USD", "hidden"),
    ):
        page.goto(f"{site.url}/statistics?lang={language}")
        table = page.locator("#table-payouts_by_purpose")
        expect(table.get_by_role("columnheader").last).to_have_text(heading)
        expect(table.locator("td").last).to_have_text(hidden)


def test_a_young_adult_signs_in_and_sees_every_payout_and_return(page: Page, site: Site) -> None:
    """The statement is behind sign-in (a one-time code); it lists the savings entries."""
    page.goto(f"{site.url}/statement?lang=en")
    expect(page).to_have_url(re.compile(r"/sign-in\?lang=en$"))
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
    # Only the maturity belongs to a reporting year (its close's); a payout to none.
    years = entries.locator("td.year").all_inner_texts()
    assert years[0].strip().isdigit() and [y.strip() for y in years[1:]] == ["", "", ""]
    expect(page.locator("#savings-entries")).to_contain_text("return")
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{site.url}/statement")
    expect(page).to_have_url(re.compile(r"/sign-in$"))


def test_a_holder_is_told_how_and_where_to_spend_target_savings(page: Page, site: Site) -> None:
    """The statement of a matured holder says what programme.md says of payouts — a US
    dollar account at an authorised operator, the purposes, the 45 working days and the
    10 years — and lists the operators that take applications now, with their purposes;
    a child's statement does not."""
    sign_in(page, site, site.adult)
    page.goto(f"{site.url}/statement?lang=ru")
    spend = page.get_by_role("region", name="Как использовать целевые накопления")
    expect(spend).to_contain_text("Откройте счёт в долларах США")
    expect(spend).to_contain_text("45 рабочих дней")
    expect(spend.locator("#spend-purposes li")).to_have_text([
        re.compile(r"^улучшение жилищных условий в Казахстане: покупка жилья; строительство;"),
        re.compile(r"^образование в Казахстане или за рубежом: оплата обучения за период;"),
    ])  # fmt: skip
    active = sorted(o.name for o in site.uow.operators.all() if o.active and o.purposes)
    listed = spend.locator("#spend-operators li")
    expect(listed).to_have_count(len(active))
    expect(listed.filter(has_text="Web Bank")).to_have_text("Web Bank — жильё, образование")
    page.goto(f"{site.url}/statement?print=1&lang=ru")
    expect(page.locator("#spend")).to_have_count(0)
    sign_in(page, site, site.child)
    expect(page.locator("#spend")).to_have_count(0)
    expect(page.locator("#guidance")).to_have_count(0)


def test_a_person_the_register_does_not_know_is_told_where_to_turn(page: Page, site: Site) -> None:
    """Signed in, a person with nothing credited read "unknown" and zeros alone."""
    sign_in(page, site, Iin.parse("990101300013"))
    page.goto(f"{site.url}/statement?lang=en")
    expect(page.locator("#status")).to_have_text("unknown")
    expect(page.locator("#guidance")).to_contain_text("Public Service Centre")
    expect(page.locator("#spend")).to_have_count(0)


def sign_in(page: Page, site: Site, iin: Iin) -> None:
    """Sign in on the English form with the one-time code the provider logged."""
    page.goto(f"{site.url}/sign-in?lang=en")
    page.get_by_label("IIN (12 digits)").fill(iin.value)
    page.get_by_role("button", name="Send me a code").click()
    page.get_by_label("Code (6 digits)").fill(site.codes[-1])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/statement$"))


def plain(text: str) -> str:
    """Every run of spaces (thin, unbreakable or not) as one plain space."""
    return " ".join(text.split())


def cells(page: Page, table: str) -> list[list[str]]:
    """A table's body as text, row by row, spaces made plain."""
    rows = page.locator(f"#{table} tbody tr")
    return [
        [plain(cell) for cell in rows.nth(n).locator("td").all_inner_texts()]
        for n in range(rows.count())
    ]


def test_every_statement_line_says_when_why_and_what_is_left(page: Page, site: Site) -> None:
    """Each line: its date, its rule in words, the amount and the running balance, which
    ends at the balance shown above; in English and in Russian."""
    sign_in(page, site, site.adult)
    expected = statement_of(site.uow, iin=site.adult)
    savings = [line for line in expected.lines if line.account == "target_savings"]
    rows = cells(page, "savings-entries")
    assert [row[0] for row in rows] == [line.date.isoformat() for line in savings if line.date]
    balances = [plain(money(line.balance)) for line in savings if line.balance is not None]
    assert [row[4] for row in rows] == balances
    assert rows[-1][4] == plain(money(expected.target_savings))
    assert rows[0][2].startswith("target savings credited: the whole TR balance after the close")
    assert rows[1][2].startswith(
        "payout for education (tuition for a period) through the authorised operator Web Bank"
    )
    assert rows[3][2] == (
        "return from the authorised operator Web Bank: the payout for education (tuition for a"
        " period) was not used"
    )
    requirements = cells(page, "requirement-entries")
    assert requirements[-1][2].startswith("became target savings at 18: the whole balance")
    assert requirements[-1][4] == "0.00"
    page.get_by_role("link", name="Русский").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Моя выписка")
    rows = cells(page, "savings-entries")
    first_date = savings[0].date
    assert first_date is not None and rows[0][0] == first_date.strftime("%d.%m.%Y")
    assert rows[3][2] == (
        "возврат от уполномоченного оператора Web Bank: выплата на образование (оплата обучения"
        " за период) не использована"
    )
    expect(page.locator("#savings-entries thead")).to_contain_text("Остаток, USD")


def test_the_statement_prints_on_a_page_of_its_own(page: Page, site: Site) -> None:
    """`?print=1`, from the statement's link: no navigation, the IIN and the day it was
    prepared, every line; no script; in print the links and buttons are hidden."""
    sign_in(page, site, site.adult)
    page.goto(f"{site.url}/statement?lang=kk")
    page.get_by_role("link", name="Басып шығаруға арналған нұсқа").click()
    expect(page).to_have_url(re.compile(r"/statement\?print=1$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Нысаналы талаптар мен нысаналы жинақтар бойынша үзінді-көшірме"
    )
    expect(page.locator("#iin")).to_have_text(site.adult.value)
    expect(page.locator("#prepared-on")).to_have_text(re.compile(r"^\d\d\.\d\d\.\d{4}$"))
    assert page.locator("header.site, nav, script").count() == 0
    expected = statement_of(site.uow, iin=site.adult)
    rows = cells(page, "savings-entries")
    assert len(rows) == sum(1 for line in expected.lines if line.account == "target_savings")
    # Kazakh writes a decimal comma: 1 234,56.
    assert rows[-1][4] == plain(money(expected.target_savings, "kk"))
    assert "," in rows[-1][4] and "." not in rows[-1][4]
    assert "уәкілетті оператор Web Bank" in rows[1][2]
    back = page.get_by_role("link", name="Үзінді-көшірмеге оралу")
    expect(back).to_be_visible()
    page.emulate_media(media="print")
    expect(back).to_be_hidden()
    expect(page.locator("#savings-entries")).to_be_visible()
    answer = page.request.get(f"{site.url}/statement?print=1&lang=en")
    assert answer.headers["cache-control"] == "no-store"
    assert "Statement of target requirements and target savings" in answer.text()


def test_a_wrong_code_does_not_sign_in_and_the_code_may_be_entered_again(
    page: Page, site: Site
) -> None:
    """A wrong code signs nobody in; the page asks for the code again (the sign-in still
    waits for it, in any language), and the right one then signs in."""
    page.goto(f"{site.url}/sign-in?lang=en")
    page.get_by_label("IIN (12 digits)").fill(site.adult.value)
    page.get_by_role("button", name="Send me a code").click()
    right = site.codes[-1]
    wrong = "000000" if right != "000000" else "111111"
    page.get_by_label("Code (6 digits)").fill(wrong)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("The code is wrong. Check it")
    expect(page.get_by_label("Code (6 digits)")).to_have_attribute("aria-invalid", "true")
    page.get_by_role("link", name="Русский").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Введите одноразовый код")
    page.get_by_label("Код (6 цифр)").fill(right)
    page.get_by_role("button", name="Войти").click()
    expect(page).to_have_url(re.compile(r"/statement$"))


def test_a_code_pasted_with_spaces_signs_in(page: Page, site: Site) -> None:
    """A code as a message writes it ("313 978"), pasted with a space before it: the
    field cut it to six characters (" 313 97") and the guess was spent on it."""
    page.goto(f"{site.url}/sign-in?lang=en")
    page.get_by_label("IIN (12 digits)").fill(site.adult.value)
    page.get_by_role("button", name="Send me a code").click()
    right = site.codes[-1]
    page.get_by_label("Code (6 digits)").fill(f" {right[:3]}\u00a0{right[3:]} ")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/statement$"))


def test_a_session_that_ended_is_said_so_on_the_way_to_sign_in(page: Page, site: Site) -> None:
    """The statement with a session that has ended sent its holder to a bare sign-in
    form (and the cookie, which lasted exactly as long as the session, was gone by then):
    now the form says why, announced; someone who never signed in is sent there without
    a word."""
    sign_in(page, site, site.adult)
    [cookie] = [c for c in page.context.cookies() if c["name"] == "urpaq_session"]
    assert cookie["expires"] == -1  # the browser's session's
    serving = site.uow.description.removeprefix("sqlite:///").replace(".db", "-serving.db")
    with sqlite3.connect(serving) as store:  # the session's 15 minutes are over
        store.execute("UPDATE session SET expires_at = '2000-01-01T00:00:00+00:00'")
    page.goto(f"{site.url}/statement?lang=ru")
    expect(page).to_have_url(re.compile(r"/sign-in\?lang=ru&ended=1$"))
    expect(page.get_by_role("status")).to_have_text(
        "Ваш сеанс завершён. Чтобы увидеть выписку, войдите снова."
    )
    assert not [c for c in page.context.cookies() if c["name"] == "urpaq_session"]
    page.goto(f"{site.url}/statement?lang=en")
    expect(page).to_have_url(re.compile(r"/sign-in\?lang=en$"))
    expect(page.get_by_role("status")).to_have_count(0)


@pytest.mark.parametrize(
    "pasted",
    [" 313978", "313 978", "313\u00a0978", "313\u2007978", "313\u3000978", "313\u200b978",
     "313-978", "313\u2212978", "313\u2014978", "313\n978", "３１３９７８"],
)  # fmt: skip
def test_a_code_is_read_as_people_paste_it(pasted: str) -> None:
    assert routes.typed_code(pasted) == "313978"


def test_the_code_page_without_a_sign_in_under_way_leads_to_sign_in(site: Site) -> None:
    answer = httpx.get(f"{site.url}/sign-in/code?lang=ru", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/sign-in?lang=ru")


def test_an_iin_typed_with_spaces_is_looked_up_and_a_wrong_one_stays_in_the_field(
    page: Page, site: Site
) -> None:
    value = site.child.value
    look_up(page, site, f" {value[:4]} {value[4:8]} {value[8:]} ")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The child participates in the programme"
    )
    look_up(page, site, "1234 5")
    expect(page.get_by_label("IIN (12 digits)")).to_have_value("12345")
    expect(page).to_have_title(
        "Error: Check whether a child participates — National Fund for Children"
    )


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("en-US;q=0.5, kk;q=0.9", "kk"),
        ("ru, en;q=0.8", "ru"),
        ("de, en;q=0.1, ru;q=0", "en"),
        ("fr, de", "kk"),
        ("en;q=x, ru;q=0.3", "ru"),
    ],
)
def test_the_browser_s_language_is_chosen_by_its_weights(header: str, language: str) -> None:
    assert language_of(Request({"type": "http", "headers": [
        (b"accept-language", header.encode())], "query_string": b""})) == language  # fmt: skip


def test_a_language_link_never_carries_an_iin(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/lookup?iin={site.child.value}&lang=en")
    links = page.locator("nav.languages a")
    hrefs = [links.nth(n).get_attribute("href") or "" for n in range(links.count())]
    assert hrefs and all(site.child.value not in href for href in hrefs), hrefs


def test_amounts_stay_on_a_phone_s_screen(browser: Browser, site: Site) -> None:
    """At a phone's width the page is no wider than the screen, and every amount and
    balance of the estimate and of the statement is within it: the lines stack, which
    they do not on a wide screen."""
    context = browser.new_context(locale="en-US", viewport={"width": 375, "height": 800})
    phone = context.new_page()
    try:
        sign_in(phone, site, site.adult)
        # 320 px: the narrowest phone a parent may have (WCAG's reflow width).
        for width, stacked in ((320, True), (375, True), (1280, False)):
            phone.set_viewport_size({"width": width, "height": 800})
            for address, cells_of in (
                ("/lookup?lang=ru", "#projection td"),
                ("/lookup?lang=kk", "#projection td"),
                ("/statement?lang=ru", "#savings-entries td, #requirement-entries td"),
                ("/statement?lang=kk", "#savings-entries td, #requirement-entries td"),
                ("/statement?lang=en", "#savings-entries td, #requirement-entries td"),
                ("/statement?print=1&lang=ru", "#savings-entries td, #requirement-entries td"),
            ):
                phone.goto(f"{site.url}{address}")
                if address.startswith("/lookup"):  # the estimate, in the longest words
                    phone.locator("#iin").fill(site.child.value)
                    phone.locator("form.lookup button").click()
                wide = phone.evaluate("document.documentElement.scrollWidth")
                assert wide <= width, (width, address, wide)
                found = phone.locator(cells_of)
                assert found.count() > 0
                for n in range(found.count()):
                    box = found.nth(n).bounding_box()
                    assert box is not None and box["x"] + box["width"] <= width, (address, box)
            display = phone.locator("#savings-entries tbody tr").first.evaluate(
                "row => getComputedStyle(row).display"
            )
            assert (display == "grid") is stacked, width
            # With the column headers hidden, an amount says its currency itself.
            after = phone.locator("#savings-entries td.amount").first.evaluate(
                "cell => getComputedStyle(cell, '::after').content"
            )
            assert (after == '"\u00a0USD"') is stacked, (width, after)
    finally:
        context.close()


def test_the_edge_s_error_page_fits_a_phone(browser: Browser, site: Site) -> None:
    """Its request number, 32 letters and digits in one word, ran past a 320 px screen."""
    context = browser.new_context(viewport={"width": 320, "height": 800})
    phone = context.new_page()
    try:
        answer = phone.goto(f"{site.url}/sign-out")  # a form's address: GET is not taken
        assert answer is not None and answer.status == 405
        assert phone.evaluate("document.documentElement.scrollWidth") <= 320
        expect(phone.locator("code.request-id")).to_have_text(answer.headers["x-request-id"])
    finally:
        context.close()


def test_the_printable_statement_fits_a_phone_with_text_at_twice_its_size(
    browser: Browser, site: Site
) -> None:
    """Its particulars (IIN, date, status) were a grid of columns at least 14 rem wide:
    with the text enlarged, 480 px on a 375 px screen."""
    context = browser.new_context(locale="kk-KZ", viewport={"width": 375, "height": 800})
    phone = context.new_page()
    try:
        sign_in(phone, site, site.adult)
        phone.goto(f"{site.url}/statement?print=1&lang=kk")
        phone.evaluate("document.documentElement.style.fontSize = '200%'")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        context.close()


def test_the_pages_work_from_the_keyboard(page: Page, site: Site) -> None:
    """The first Tab reaches the skip link; the form is reachable and submits with Enter;
    the menu is announced as what it is (it was named "Home", which it holds no link to)."""
    page.goto(f"{site.url}/lookup?lang=en")
    expect(page.get_by_role("navigation", name="Main menu")).to_have_count(1)
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
    # The lookup refused for the client's limit is recorded about the child it asked
    # for (it was recorded about nobody).
    refused = audit_events(site.uow, iin=site.child.value, limit=1)[0]
    assert (refused.action, refused.outcome) == ("POST /lookup", 429)


def test_security_headers_forbid_outside_resources(site: Site) -> None:
    answer = httpx.get(f"{site.url}/statistics")
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'none'" in policy
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert httpx.get(f"{site.url}/no-such-page").status_code == 404


def test_a_language_link_keeps_the_address_asked_for(site: Site) -> None:
    """The "page not found" page's language links asked for the home page; the statement's
    way to sign in forgot the language asked for (`?lang=ru` gave the page in the
    language remembered before)."""
    lost = httpx.get(f"{site.url}/no-such-page?lang=ru")
    assert lost.status_code == 404
    assert 'href="/no-such-page?lang=kk"' in lost.text
    assert "— Национальный фонд — детям</title>" in lost.text
    elsewhere = httpx.get(f"{site.url}//evil.example/x")  # a link to another site: none
    assert 'href="//' not in elsewhere.text
    sent = httpx.get(f"{site.url}/statement?lang=ru", follow_redirects=False)
    assert (sent.status_code, sent.headers["location"]) == (303, "/sign-in?lang=ru")


def test_an_address_naming_an_iin_is_not_repeated_nor_cached(site: Site) -> None:
    """An unknown address holding an IIN was repeated in the not-found page's three
    language links (web.md: "no page puts an IIN in a link"), and the page had no
    `Cache-Control`; an IIN in a kept query parameter was repeated the same way."""
    lost = httpx.get(f"{site.url}/nope/150610600015?lang=ru")
    assert lost.status_code == 404
    assert "150610600015" not in lost.text
    assert 'href="/?lang=kk"' in lost.text
    assert lost.headers["Cache-Control"] == "no-store"
    kept = httpx.get(f"{site.url}/statistics?year=2024&q=150610600015")
    assert kept.status_code == 200
    assert "150610600015" not in kept.text
    # The other parameters are kept: the link opens the same year's page.
    assert 'href="/statistics?year=2024&amp;lang=ru"' in kept.text
    # Written in other digits, or grouped, it is an IIN all the same.
    for written in ("１５０６１０６０００１５", "1506 1060 0015"):
        other = httpx.get(f"{site.url}/nope/{written}")
        assert quote(written) not in other.text and written not in other.text
        assert 'href="/?lang=ru"' in other.text
    arabic = "١٥٠٦١٠٦٠٠٠١٥"
    assert quote(arabic) not in httpx.get(f"{site.url}/statistics?q={arabic}").text
    # A page not found under a route of its own is never cached either.
    for missing in ("/statistics/150610600015.csv", "/statistics?year=150610600015"):
        answer = httpx.get(f"{site.url}{missing}")
        assert answer.status_code == 404, missing
        assert answer.headers["Cache-Control"] == "no-store", missing
        assert "150610600015" not in answer.text, missing


def test_a_long_address_is_not_repeated_in_the_language_links(site: Site) -> None:
    """A 30,000-character path was repeated in each of the three language links: the
    not-found page was three times the size of the request (and so was a page asked for
    with a long query)."""
    usual = httpx.get(f"{site.url}/no-such-page")
    long_path = httpx.get(f"{site.url}/{'a' * 30_000}")
    assert long_path.status_code == 404
    assert len(long_path.content) < len(usual.content) + 100
    assert 'href="/?lang=ru"' in long_path.text
    statistics = httpx.get(f"{site.url}/statistics?year=2024")
    long_query = httpx.get(f"{site.url}/statistics?year=2024&x={'b' * 30_000}")
    assert long_query.status_code == 200
    assert len(long_query.content) < len(statistics.content) + 1_000
    assert "b" * 100 not in long_query.text
    assert 'href="/statistics?year=2024&amp;lang=ru"' in long_query.text  # the year kept


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

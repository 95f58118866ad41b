"""The back office in a real browser: Playwright driving Debian's Chromium (headless)
against the real server on loopback, staff signing in through a real OpenID provider
started on loopback, and through the development form; pages in two languages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from office_world import (
    FEED,
    WITHDRAWAL,
    development,
    office,
    oidc_identity,
    oidc_provider,
    provider_user,
    write,
)
from test_cli import urpaq
from test_web import CHROMIUM, CHROMIUM_FLAGS
from urpaq.adapters.calendar import return_due_on
from urpaq.bootstrap import open_unit_of_work
from urpaq.domain.iin import Iin
from urpaq.domain.inheritance import CertificateClaim
from urpaq.domain.money import Money
from urpaq.domain.operators import Purpose
from urpaq.domain.parameters import YearParameters
from urpaq.services.inheritance import pay_heir
from urpaq.services.parameters import approve_parameters, propose_parameters
from urpaq.services.payouts import confirm_payout, request_payout, return_payout
from world import add_bank

CHILD = "150101500011"  # a loss recorded in error, then withdrawn
ADULT = "060303500010"  # born 2006: target savings from the 2023 close


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("office")
    url = f"sqlite:///{folder}/office.db"
    urpaq("init", db=url)
    feed = FEED + f"g,{ADULT},born_citizen,2006-03-03,2006-03-08,KZ-75\n"
    feed += "bad,15010150001,born_citizen,2015-01-01,2015-01-05,\n"
    urpaq("register", "import", str(write(folder / "a.csv", feed)), db=url, check=3)
    urpaq("parameters", "import", db=url)
    urpaq("close", "2023", "--as-of", "2024-01-31", db=url)
    urpaq("close", "2024", "--as-of", "2025-01-31", db=url)
    urpaq("register", "import", str(write(folder / "b.csv", WITHDRAWAL)), db=url)
    uow = open_unit_of_work(url)
    add_bank(uow, name="Halyk", purposes=frozenset(Purpose), credential="halyk")
    bank = uow.operators.named("Halyk")
    assert bank is not None
    request_payout(
        uow, operator=bank, iin=Iin.parse(ADULT), amount=Money.parse("25.00"),
        purpose=Purpose.HOUSING, sub_purpose="purchase", account="KZ02", payout_id="h-1",
        today=dt.date(2026, 11, 2), return_due_on=return_due_on,
    )  # fmt: skip
    uow.close()
    return url


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


@pytest.fixture(scope="module")
def site(database: str) -> Iterator[str]:
    with office(database, development()) as url:
        yield url


def sign_in_as(page: Page, site: str, user: str, role: str, *, lang: str = "en") -> None:
    page.goto(f"{site}/office/sign-in?lang={lang}")
    page.locator("#user").fill(user)
    page.locator("#role").select_option(role)
    page.locator("form.stacked button[type=submit]").click()
    expect(page).to_have_url(f"{site}/office/")
    expect(page.locator("#staff-member")).to_contain_text(user)


def test_staff_sign_in_through_the_identity_provider(page: Page, database: str) -> None:
    with oidc_provider() as issuer, office(database, oidc_identity(issuer)) as url:
        provider_user(issuer, "u-1", {"preferred_username": "saule", "urpaq_role": "supervisor"})
        page.goto(f"{url}/office/")
        expect(page).to_have_url(f"{url}/office/sign-in")
        page.locator("#oidc-sign-in").click()
        page.get_by_placeholder("sub").first.fill("u-1")
        page.get_by_role("button", name="Authorize").click()
        expect(page).to_have_url(f"{url}/office/")
        expect(page.locator("#staff-member")).to_have_text("u-1 · supervisor")
        page.get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(f"{url}/office/sign-in")


def test_a_persons_file_in_kazakh_and_in_english(page: Page, site: str) -> None:
    sign_in_as(page, site, "aigerim", "clerk", lang="kk")
    page.goto(f"{site}/office/persons?lang=kk")
    page.locator("#iin").fill(CHILD)
    page.locator("form.stacked button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("Адамның ісі")
    records = page.locator("#records tbody tr")
    expect(records).to_have_count(3)
    expect(page.locator("#records")).to_contain_text("w1 қайтарып алды")  # withdrawn by w1
    expect(page.locator("#records tr.withdrawn")).to_contain_text("l1")
    page.goto(f"{site}/office/persons?lang=en")
    page.locator("#iin").fill(ADULT)
    page.locator("form.stacked button[type=submit]").click()
    expect(page.locator("#status")).to_have_text("holder of target savings")
    expect(page.locator("#payouts")).to_contain_text("Halyk")
    expect(page.locator("#readers")).to_have_count(0)  # only an auditor sees who read


def open_file(page: Page, site: str, iin: str) -> None:
    page.goto(f"{site}/office/persons")
    page.locator("#iin").fill(iin)
    page.locator("form.stacked button[type=submit]").click()


def test_an_auditor_filters_the_log_and_downloads_it(page: Page, site: str) -> None:
    sign_in_as(page, site, "aigerim", "clerk")
    open_file(page, site, CHILD)
    sign_in_as(page, site, "dana", "auditor")
    page.goto(f"{site}/office/persons")
    page.locator("#iin").fill(CHILD)
    page.locator("form.stacked button[type=submit]").click()
    # The clerk read this person before; this read is recorded as its answer leaves.
    expect(page.locator("#readers")).to_contain_text("staff:aigerim")
    expect(page.locator("#readers")).not_to_contain_text("staff:dana")
    page.goto(f"{site}/office/audit?lang=ru")
    page.locator("#iin").fill(CHILD)
    page.get_by_role("button", name="Показать").click()
    expect(page.locator("#events")).to_contain_text("POST /office/persons")
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("at,actor,action,iin,outcome,request_id") and CHILD in text


def test_a_clerk_works_the_queues_and_is_refused_the_audit_log(page: Page, site: str) -> None:
    sign_in_as(page, site, "aigerim", "clerk", lang="ru")
    page.goto(f"{site}/office/rejections?lang=ru")
    expect(page.locator("#reason-counts")).to_contain_text("invalid_iin")
    expect(page.locator("#rejected")).to_contain_text("15010150001")
    page.goto(f"{site}/office/payouts?lang=en")
    expect(page.locator("table.open-payouts")).to_contain_text("h-1")
    response = page.goto(f"{site}/office/audit?lang=en")
    assert response is not None and response.status == 403
    expect(page.locator("#problem")).to_contain_text("clerk")


LATE = "061010600017"  # born 2006, died in 2025: their savings are frozen for the heirs
#: Inputs entered at 02:30 on 27 November in Kazakhstan (21:30 UTC the day before),
#: approved at 11:54 there; the next year's entered at 00:05 on 28 November there.
ENTERED_AT = dt.datetime(2026, 11, 26, 21, 30, tzinfo=dt.UTC)
APPROVED_AT = dt.datetime(2026, 11, 27, 6, 54, tzinfo=dt.UTC)
AWAITING_AT = dt.datetime(2026, 11, 27, 19, 5, tzinfo=dt.UTC)
#: Every code a payout's purpose, sub-purpose and state are stored as.
PAYOUT_CODES = re.compile(
    r"\b(housing|education|inheritance|purchase|construction|mortgage_down_payment"
    r"|housing_savings|tuition_period|tuition_course|education_savings|paid|confirmed"
    r"|returned|paid_to_heir)\b"
)


@pytest.fixture(scope="module")
def busy_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The office with something on every page: rejected rows, payouts in every state and
    an heir's, inputs entered and approved by staff, closes, and the audit log."""
    folder = tmp_path_factory.mktemp("busy")
    url = f"sqlite:///{folder}/busy.db"
    urpaq("init", db=url)
    feed = FEED + f"g,{ADULT},born_citizen,2006-03-03,2006-03-08,KZ-75\n"
    feed += f"d,{LATE},born_citizen,2006-10-10,2006-10-15,KZ-71\n"
    feed += f"d2,{LATE},died,2025-02-01,2025-02-03,\n"
    feed += "bad,15010150001,born_citizen,2015-01-01,2015-01-05,\n"
    feed += "registry-office-astana-2026-000123,150101500011,born_citizen,2015-13-01,2015,\n"
    urpaq("register", "import", str(write(folder / "a.csv", feed)), db=url, check=3)
    urpaq("parameters", "import", db=url)
    urpaq("close", "2023", "--as-of", "2024-01-31", db=url)
    urpaq("close", "2024", "--as-of", "2025-01-31", db=url)
    uow = open_unit_of_work(url)
    add_bank(uow, name="Halyk", purposes=frozenset(Purpose), credential="h", pays_heirs=True)
    bank = uow.operators.named("Halyk")
    assert bank is not None
    for payout_id, purpose, sub_purpose, on in (
        ("h-1", Purpose.HOUSING, "purchase", dt.date(2026, 11, 2)),
        ("c-1", Purpose.HOUSING, "construction", dt.date(2026, 10, 1)),
        ("e-1", Purpose.EDUCATION, "tuition_course", dt.date(2026, 10, 1)),
    ):
        request_payout(
            uow, operator=bank, iin=Iin.parse(ADULT), amount=Money.parse("25.00"),
            purpose=purpose, sub_purpose=sub_purpose, account="KZ02", payout_id=payout_id,
            today=on, return_due_on=return_due_on,
        )  # fmt: skip
    confirm_payout(
        uow, operator=bank, payout_id="c-1", documents="deed", today=dt.date(2026, 11, 10)
    )
    return_payout(uow, operator=bank, payout_id="e-1", today=dt.date(2026, 11, 27))
    certificate = CertificateClaim("N-1", "Notary A. Seitkali, Astana", "850201300128", Fraction(1))
    pay_heir(
        uow, operator=bank, iin=Iin.parse(LATE), amount=Money.parse("10.00"),
        certificate=certificate, account="KZ11", payout_id="i-1", today=dt.date(2026, 11, 20),
    )  # fmt: skip
    inputs = YearParameters(2025, Money.parse("904372119.04"), Decimal("0.0297"), "NB letter")
    entered = propose_parameters(uow, parameters=inputs, by="staff:aigerim", at=ENTERED_AT)
    approve_parameters(
        uow, year=2025, proposal_id=entered.proposal_id, by="staff:saule", at=APPROVED_AT,
        today=dt.date(2026, 11, 27),
    )  # fmt: skip
    later = YearParameters(2026, Money.parse("912345678.00"), Decimal("0.0301"), "NB letter")
    propose_parameters(uow, parameters=later, by="staff:nurlan", at=AWAITING_AT)
    uow.close()
    with office(url, development()) as base:
        yield base


#: Who signs in as each role.
MEMBERS = {"clerk": "aigerim", "supervisor": "saule", "auditor": "dana"}


def office_paths(phone: Page, site: str, lang: str) -> Iterator[str]:
    """Every office page a link leads to from the staff home, in `lang`, each once (the
    CSV downloads aside); the page is open in `phone` at each."""
    queue, seen = ["/office/"], {"/office/"}
    while queue:
        path = queue.pop(0)
        parts = urlsplit(path)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "lang"] + [("lang", lang)]
        phone.goto(f"{site}{parts.path}?{urlencode(query)}")
        yield path
        hrefs = phone.eval_on_selector_all(
            "main a[href^='/office/'], nav a[href^='/office/']",
            "links => links.map(link => link.getAttribute('href'))",
        )
        for href in hrefs:
            parts = urlsplit(href)
            kept = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "lang"])
            found = f"{parts.path}?{kept}" if kept else parts.path
            if not parts.path.endswith(".csv") and found not in seen:
                seen.add(found)
                queue.append(found)


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_every_office_page_is_no_wider_than_a_phones_screen(
    browser: Browser, busy_site: str, lang: str
) -> None:
    """At 375 px every page each role reaches — the person files, the audit log found,
    a close previewed, the page of what a role may not do — is no wider than the screen:
    a wide table scrolls within its own box, and the forms' fields fit."""
    context = browser.new_context(locale="en-US", viewport={"width": 375, "height": 800})
    phone = context.new_page()
    too_wide: dict[str, int] = {}
    reached: set[str] = set()

    def measure(name: str) -> None:
        wide = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if wide > 0:
            too_wide[name] = wide

    try:
        phone.goto(f"{busy_site}/office/sign-in?lang={lang}")
        measure("sign-in")
        for role, user in MEMBERS.items():
            sign_in_as(phone, busy_site, user, role, lang=lang)
            for path in office_paths(phone, busy_site, lang):
                reached.add(path)
                measure(f"{role} {path}")
            for iin in (ADULT, LATE, CHILD):
                phone.goto(f"{busy_site}/office/persons?lang={lang}")
                phone.locator("#iin").fill(iin)
                phone.locator("form.stacked button[type=submit]").click()
                expect(phone.locator("#payouts-title")).to_be_visible()
                measure(f"{role} file of {iin}")
            phone.goto(f"{busy_site}/office/closes/2025?lang={lang}")
            phone.locator("#as_of").fill("2026-01-30")
            phone.locator("#preview button[type=submit]").click()
            expect(phone.locator("#state")).to_have_attribute("data-state", "preview")
            measure(f"{role} close previewed")
            response = phone.goto(f"{busy_site}/office/audit?lang={lang}")
            measure(f"{role} /office/audit")
            if role == "auditor":
                phone.locator("#actor").fill("staff:")
                phone.locator("form.filters button[value=page]").click()
                expect(phone.locator("#events")).to_be_visible()
                measure(f"{role} audit log found")
            else:
                assert response is not None and response.status == 403
    finally:
        context.close()
    every_kind = {"/office/rejections?batch=1&reason=invalid_iin", "/office/payouts",
                  "/office/parameters/2026", "/office/closes/2024", "/office/operators",
                  "/office/audit"}  # fmt: skip
    assert every_kind <= reached, every_kind - reached
    assert not too_wide, f"pages wider than 375 px, by how much: {too_wide}"


def test_payouts_are_in_the_pages_words_in_kazakh_and_in_russian(
    page: Page, busy_site: str
) -> None:
    """A payout's purpose, sub-purpose and state are words of the page's language, never
    the codes they are stored as, in a person's file and in the work queue; an heir's
    payout is named by its notary's certificate."""
    sign_in_as(page, busy_site, "aigerim", "clerk")
    for lang, course, returned, to_heir in (
        ("kk", "бүкіл курстың оқу ақысы", "қайтарылды · 27.11.2026", "мұрагерге төленді"),
        ("ru", "оплата всего курса обучения", "возвращена · 27.11.2026", "выплачена наследнику"),
    ):
        page.goto(f"{busy_site}/office/persons?lang={lang}")
        page.locator("#iin").fill(ADULT)
        page.locator("form.stacked button[type=submit]").click()
        expect(page.locator("#payouts tbody tr")).to_have_count(3)
        shown = page.locator("#payouts").inner_text()
        assert course in shown and returned in shown, shown
        assert not PAYOUT_CODES.search(shown), shown
        page.goto(f"{busy_site}/office/persons?lang={lang}")
        page.locator("#iin").fill(LATE)
        page.locator("form.stacked button[type=submit]").click()
        shown = page.locator("#payouts").inner_text()
        assert "N-1" in shown and to_heir in shown, shown
        assert not PAYOUT_CODES.search(shown), shown
        page.goto(f"{busy_site}/office/payouts?lang={lang}")
        queue = page.locator("table.open-payouts").inner_text()
        assert "h-1" in queue and not PAYOUT_CODES.search(queue), queue


def test_the_times_inputs_were_entered_and_approved_are_kazakhstans(
    page: Page, busy_site: str
) -> None:
    """Inputs entered at 21:30 UTC on 26 November were entered on the 27th in Kazakhstan,
    at 02:30, as the audit log shows every moment; no page about them speaks of UTC."""
    entered, approved = "2026-11-27 02:30:00 (UTC+5)", "2026-11-27 11:54:00 (UTC+5)"
    awaiting = "2026-11-28 00:05:00 (UTC+5)"
    sign_in_as(page, busy_site, "saule", "supervisor")
    for address, element, moments in (
        ("/office/parameters", "#year-2025", (entered, approved)),
        ("/office/parameters", "#year-2026", (awaiting,)),
        ("/office/parameters/2025", "#current-entered", (entered, approved)),
        ("/office/parameters/2025", "#history", (entered, approved)),
        ("/office/parameters/2026", "#awaiting-entered", (awaiting,)),
        ("/office/closes/2026", "#inputs-awaiting", (awaiting,)),
    ):
        page.goto(f"{busy_site}{address}?lang=en")
        shown = page.locator(element).inner_text()
        assert all(moment in shown for moment in moments), (address, shown)
        assert not re.search(r"UTC(?!\+5)", page.locator("main").inner_text()), address

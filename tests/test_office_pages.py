"""The back office in a real browser: Playwright driving Debian's Chromium (headless)
against the real server on loopback, staff signing in through a real OpenID provider
started on loopback, and through the development form; pages in two languages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

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
from urpaq.domain.money import Money
from urpaq.domain.operators import Purpose
from urpaq.services.payouts import request_payout
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

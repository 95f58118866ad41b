"""What moves money, in the back office in a real browser (Debian's Chromium, headless):
the National Bank's inputs entered by one member of staff and approved by another, the
close previewed and then run by a supervisor, and authorised operators added, rotated
and revoked with the credential shown once — in Russian, Kazakh and English."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from office_world import FEED, development, office, write
from test_cli import urpaq
from test_office_pages import browser, sign_in_as

__all__ = ["browser"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """2023 and 2024 closed; the inputs of 2025 not yet recorded."""
    folder = tmp_path_factory.mktemp("money")
    url = f"sqlite:///{folder}/money.db"
    urpaq("init", db=url)
    urpaq("register", "import", str(write(folder / "a.csv", FEED)), db=url)
    for year, total, rate in (("2023", "695519269.00", "0"), ("2024", "888834323.11", "0.0302")):
        urpaq("parameters", "set", year, "--tr-total", total, "--ii-rate", rate,
              "--reference", "published", db=url)  # fmt: skip
    urpaq("close", "2023", "--as-of", "2024-01-31", db=url)
    urpaq("close", "2024", "--as-of", "2025-01-31", db=url)
    with office(url, development()) as base:
        yield base


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-US")
    opened = context.new_page()
    yield opened
    context.close()


def test_inputs_entered_by_one_approved_by_another_then_the_close(page: Page, site: str) -> None:
    sign_in_as(page, site, "aigerim", "clerk", lang="ru")
    page.goto(f"{site}/office/parameters/2025?lang=ru")
    page.locator("#tr_total").fill("904372119.04")
    page.locator("#ii_rate").fill("0.02966")
    page.locator("#reference").fill("Письмо Национального Банка")
    page.get_by_role("button", name="Отправить на утверждение").click()
    expect(page.locator("#awaiting-tr-total")).to_contain_text("904")
    expect(page.locator("#approve")).to_have_count(0)  # a clerk never approves
    # The close refuses inputs awaiting approval.
    page.goto(f"{site}/office/closes/2025?lang=ru")
    expect(page.locator("#inputs-awaiting")).to_be_visible()

    sign_in_as(page, site, "saule", "supervisor", lang="kk")
    page.goto(f"{site}/office/parameters/2025?lang=kk")
    page.get_by_role("button", name="Бекіту", exact=True).click()
    expect(page.locator("#current-entered")).to_contain_text("staff:saule")
    page.goto(f"{site}/office/closes/2025?lang=kk")
    page.locator("#as_of").fill("2026-01-30")
    page.locator("#preview button[type=submit]").click()
    expect(page.locator("#state")).to_have_attribute("data-state", "preview")
    page.goto(f"{site}/office/closes/2025?lang=en")
    page.locator("#run_as_of").fill("2026-01-30")
    page.get_by_role("button", name="Run the close").click()
    expect(page.locator("#state")).to_have_attribute("data-state", "closed")
    expect(page.locator("#on-time")).to_have_text("yes")


def test_the_one_who_entered_cannot_approve(page: Page, site: str) -> None:
    sign_in_as(page, site, "nurlan", "supervisor", lang="en")
    page.goto(f"{site}/office/parameters/2026?lang=en")
    page.locator("#tr_total").fill("912345678.00")
    page.locator("#ii_rate").fill("0.0301")
    page.locator("#reference").fill("NB letter")
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator("#not-yours")).to_be_visible()
    expect(page.locator("#approve")).to_have_count(0)
    page.get_by_role("button", name="Reject").click()
    expect(page.locator("#awaiting")).to_have_count(0)


def test_operators_added_rotated_and_revoked(page: Page, site: str) -> None:
    sign_in_as(page, site, "saule", "supervisor", lang="kk")
    page.goto(f"{site}/office/operators?lang=kk")
    page.locator("#name").fill("Jusan")
    page.locator("input[name=purposes][value=housing]").check()
    page.get_by_role("button", name="Оператор қосу").click()
    first = page.locator("#credential").inner_text()
    assert len(first) >= 20
    savings = httpx.get(
        f"{site}/api/v1/savings/150101500011", headers={"Authorization": f"Bearer {first}"}
    )
    assert savings.status_code == 404  # a valid credential; a minor has no savings
    page.goto(f"{site}/office/operators?lang=en")
    row = page.locator("#operators tr", has_text="Jusan")
    row.get_by_role("button", name="Rotate the credential").click()
    second = page.locator("#credential").inner_text()
    assert second != first
    page.goto(f"{site}/office/operators?lang=en")
    page.locator("#operators tr", has_text="Jusan").get_by_role("button", name="Revoke").click()
    expect(page.locator("#notice")).to_contain_text("Jusan")
    refused = httpx.get(
        f"{site}/api/v1/savings/150101500011", headers={"Authorization": f"Bearer {second}"}
    )
    assert refused.status_code == 401


def test_the_screenshots_of_every_office_page_exist() -> None:
    folder = Path(__file__).parent.parent / "docs" / "screenshots"
    names = {path.stem for path in folder.glob("office-*.png")}
    for page_name in ("sign-in", "home", "person", "rejections", "payouts", "audit",
                      "parameters", "close", "operators"):  # fmt: skip
        assert any(name.startswith(f"office-{page_name}") for name in names), page_name

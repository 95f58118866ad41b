"""Screenshots of every back-office page into docs/screenshots/, taken in Debian's Chromium.

Builds a small register in a temporary folder (a loss recorded in error and then
withdrawn, a rejected row, a holder of target savings with payouts), closes 2023 and 2024,
serves it on loopback with the development sign-in and drives the pages with Playwright:

    .venv/bin/python scripts/office_screenshots.py
"""

from __future__ import annotations

import datetime as dt
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import Page, sync_playwright

from urpaq.adapters.calendar import return_due_on
from urpaq.bootstrap import open_unit_of_work
from urpaq.domain.iin import Iin
from urpaq.domain.money import Money
from urpaq.domain.operators import Purpose
from urpaq.entrypoints.http.app import create_app
from urpaq.entrypoints.http.office.identity import StaffIdentity, StaffIdentityMode
from urpaq.services.operators import add_operator, operator_for_credential
from urpaq.services.payouts import request_payout, return_payout

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
CHILD = "150101500011"
ADULT = "060303500010"
FEED = (
    "record_id,iin,kind,effective_date,recorded_on,region\n"
    f"b1,{CHILD},born_citizen,2015-01-01,2015-01-05,KZ-71\n"
    "b2,160202600019,born_citizen,2016-02-02,2016-02-07,KZ-79\n"
    f"g1,{ADULT},born_citizen,2006-03-03,2006-03-08,KZ-75\n"
    f"l1,{CHILD},citizenship_lost,2024-04-01,2024-04-03,\n"
    "bad,15010150001,born_citizen,2015-01-01,2015-01-05,\n"
)
WITHDRAWAL = (
    "record_id,iin,kind,effective_date,recorded_on,region,retracts\n"
    f"w1,{CHILD},record_retracted,2025-03-01,2025-03-02,,l1\n"
)


def urpaq(*args: str, url: str) -> None:
    subprocess.run([sys.executable, "-m", "urpaq", *args, "--db", url], capture_output=True)


def prepare(folder: Path) -> str:
    url = f"sqlite:///{folder}/office.db"
    urpaq("init", url=url)
    (folder / "a.csv").write_text(FEED, encoding="utf-8")
    (folder / "b.csv").write_text(WITHDRAWAL, encoding="utf-8")
    urpaq("register", "import", str(folder / "a.csv"), url=url)
    urpaq("parameters", "import", url=url)
    urpaq("close", "2023", "--as-of", "2024-01-31", url=url)
    urpaq("close", "2024", "--as-of", "2025-01-31", url=url)
    urpaq("register", "import", str(folder / "b.csv"), url=url)
    uow = open_unit_of_work(url)
    today = dt.date(2026, 11, 20)
    credential = add_operator(uow, name="Example Bank", purposes=frozenset(Purpose),
                              today=today, new_credential=lambda: "example")  # fmt: skip
    bank = operator_for_credential(uow, credential=credential)
    assert bank is not None
    for number, (amount, day) in enumerate(
        (("40.00", dt.date(2026, 1, 12)), ("20.00", today), ("15.00", today))
    ):
        request_payout(uow, operator=bank, iin=Iin.parse(ADULT), amount=Money.parse(amount),
                       purpose=Purpose.EDUCATION, sub_purpose="tuition_period",
                       account="KZ01", payout_id=f"shot{number}", today=day,
                       return_due_on=return_due_on)  # fmt: skip
    return_payout(uow, operator=bank, payout_id="shot2", today=today)
    uow.close()
    return url


def shoot(page: Page, name: str) -> None:
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
    print(f"docs/screenshots/{name}.png", file=sys.stderr)


def sign_in(page: Page, base: str, user: str, role: str, lang: str) -> None:
    page.goto(f"{base}/office/sign-in?lang={lang}")
    page.locator("#user").fill(user)
    page.locator("#role").select_option(role)
    page.locator("form.stacked button[type=submit]").click()


def open_file(page: Page, base: str, iin: str, lang: str) -> None:
    page.goto(f"{base}/office/persons?lang={lang}")
    page.locator("#iin").fill(iin)
    page.locator("form.stacked button[type=submit]").click()


def tour(page: Page, base: str) -> None:
    page.goto(f"{base}/office/sign-in?lang=en")
    shoot(page, "office-sign-in-en")
    sign_in(page, base, "aigerim", "clerk", "kk")
    shoot(page, "office-home-kk")
    open_file(page, base, CHILD, "kk")
    shoot(page, "office-person-kk")
    open_file(page, base, ADULT, "en")
    shoot(page, "office-person-en")
    page.goto(f"{base}/office/rejections?lang=en")
    shoot(page, "office-rejections-en")
    page.goto(f"{base}/office/payouts?lang=ru")
    shoot(page, "office-payouts-ru")
    page.goto(f"{base}/office/audit?lang=en")
    shoot(page, "office-forbidden-en")
    sign_in(page, base, "dana", "auditor", "ru")
    page.goto(f"{base}/office/audit?lang=ru")
    page.locator("#iin").fill(CHILD)
    page.locator("button[value=page]").click()
    shoot(page, "office-audit-ru")
    four_eyes(page, base)


def four_eyes(page: Page, base: str) -> None:
    """The National Bank's inputs entered by a clerk and shown to a supervisor to approve,
    the close previewed beside last year's, every close, and the authorised operators.
    (In a register of three people the withdrawn loss gives back more than the published
    TR total: the inputs here are larger, so that the pot covers it.)"""
    sign_in(page, base, "aigerim", "clerk", "en")
    page.goto(f"{base}/office/parameters/2025?lang=en")
    page.locator("#tr_total").fill("2904372200.00")
    page.locator("#ii_rate").fill("2.97%")
    page.locator("#reference").fill("National Bank letter 17-2/301")
    page.locator("#enter button").click()
    sign_in(page, base, "saule", "supervisor", "ru")
    page.goto(f"{base}/office/parameters/2025?lang=ru")
    shoot(page, "office-parameters-ru")
    page.locator("#approve button").click()
    page.goto(f"{base}/office/closes/2025?lang=en")
    page.locator("#as_of").fill("2026-01-30")
    page.locator("#preview button").click()
    shoot(page, "office-close-preview-en")
    page.goto(f"{base}/office/closes?lang=kk")
    shoot(page, "office-closes-kk")
    page.goto(f"{base}/office/operators?lang=en")
    shoot(page, "office-operators-en")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        url = prepare(Path(folder))
        app = create_app(
            database_url=url, staff_identity=StaffIdentity(StaffIdentityMode.DEVELOPMENT)
        )
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
        threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            tour(browser.new_page(viewport={"width": 1100, "height": 800}), base)
            browser.close()
        server.should_exit = True


if __name__ == "__main__":
    main()

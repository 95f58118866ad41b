"""Screenshots of every public page into docs/screenshots/, taken in Debian's Chromium.

Builds the small demo database in a temporary folder, adds an authorised operator and
two payouts (one returned), serves it on loopback and drives the pages with Playwright:

    .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import datetime as dt
import logging
import re
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
from urpaq.entrypoints.http.web.settings import WebSettings
from urpaq.services.operators import add_operator, operator_for_credential
from urpaq.services.payouts import request_payout, return_payout

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


class Codes(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.codes: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        found = re.search(r"one-time code (\d{6})", record.getMessage())
        if found:
            self.codes.append(found[1])


def prepare(folder: Path) -> tuple[str, Iin, Iin]:
    url = f"sqlite:///{folder}/demo.db"
    subprocess.run([sys.executable, "-m", "urpaq", "demo", "--db", url, "--workdir",
                    str(folder)], check=True, capture_output=True)  # fmt: skip
    uow = open_unit_of_work(f"sqlite:///{folder / 'demo.db'}")
    child = Iin.parse(uow.db.query("SELECT iin FROM person WHERE birth_year = 2015 LIMIT 1")[0][0])
    adult = Iin.parse(uow.db.query(
        "SELECT p.iin FROM person p JOIN posting s ON s.person_id = p.person_id"
        " WHERE s.account = 'target_savings' LIMIT 1")[0][0])  # fmt: skip
    today = dt.date(2026, 11, 20)
    credential = add_operator(uow, name="Example Bank", purposes=frozenset(Purpose),
                              today=today, new_credential=lambda: "example")  # fmt: skip
    bank = operator_for_credential(uow, credential=credential)
    assert bank is not None
    for number, amount in enumerate(("40.00", "20.00")):
        request_payout(uow, operator=bank, iin=adult, amount=Money.parse(amount),
                       purpose=Purpose.EDUCATION, sub_purpose="tuition_period",
                       account="KZ01", payout_id=f"shot{number}", today=today,
                       return_due_on=return_due_on)  # fmt: skip
    return_payout(uow, operator=bank, payout_id="shot1", today=today)
    uow.close()
    return url, child, adult


def shoot(page: Page, name: str) -> None:
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
    print(f"docs/screenshots/{name}.png", file=sys.stderr)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    codes = Codes()
    logging.getLogger("urpaq.identity").addHandler(codes)
    with tempfile.TemporaryDirectory() as folder:
        url, child, adult = prepare(Path(folder))
        app = create_app(database_url=url,
                         web_settings=WebSettings(lookup_seconds_min=0.05))  # fmt: skip
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
        threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            page = browser.new_page(viewport={"width": 1100, "height": 800})
            page.goto(f"{base}/?lang=en")
            shoot(page, "home-en")
            page.goto(f"{base}/lookup?lang=kk")
            shoot(page, "lookup-kk")
            page.locator("#iin").fill(child.value)
            page.locator("button[type=submit]").click()
            shoot(page, "lookup-result-kk")
            page.goto(f"{base}/lookup?lang=ru")
            page.locator("#iin").fill("150101500021")
            page.locator("button[type=submit]").click()
            shoot(page, "lookup-not-found-ru")
            page.goto(f"{base}/lookup?lang=en")
            page.locator("#iin").fill("150101500012")
            page.locator("button[type=submit]").click()
            shoot(page, "lookup-invalid-en")
            page.goto(f"{base}/sign-in?lang=en")
            page.locator("#iin").fill(adult.value)
            page.locator("button[type=submit]").click()
            shoot(page, "sign-in-code-en")
            page.locator("#code").fill(codes.codes[-1])
            page.locator("button[type=submit]").click()
            shoot(page, "statement-en")
            page.goto(f"{base}/statement?print=1&lang=ru")
            page.emulate_media(media="print")
            shoot(page, "statement-print-ru")
            page.emulate_media(media="screen")
            page.goto(f"{base}/statistics?lang=en")
            shoot(page, "statistics-en")
            page.goto(f"{base}/statistics?lang=kk")
            shoot(page, "statistics-kk")
            phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
            phone.goto(f"{base}/lookup?lang=ru")
            phone.locator("#iin").fill(child.value)
            phone.locator("button[type=submit]").click()
            shoot(phone, "lookup-result-phone-ru")
            browser.close()
        server.should_exit = True


if __name__ == "__main__":
    main()

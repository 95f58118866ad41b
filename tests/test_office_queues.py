"""The back office's work queues on SQLite and PostgreSQL: the rows each import rejected,
by reason and as CSV, and the payouts staff follow; a person's file lists their payouts.
Every refusal the import can give has a reason code to filter by."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from office_world import development, form_token, office, sign_in, write
from urpaq.adapters.calendar import return_due_on
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.bootstrap import open_unit_of_work
from urpaq.domain.money import Money
from urpaq.domain.operators import Purpose
from urpaq.domain.rejections import OTHER, reason_code
from urpaq.entrypoints.http.office import queues
from urpaq.services.payouts import request_payout, return_payout
from world import ADULT, FEED, TODAY, add_bank, build_world

#: One row failing each check of the import, in the order of docs/register-feed.md.
BAD_ROWS = {
    "unreadable": "x1,150101500011,born_citizen,2015-01-01",
    "missing_field": "x2,,born_citizen,2015-01-01,2015-01-05,,",
    "record_id_too_long": f"{'r' * 65},150101500011,born_citizen,2015-01-01,2015-01-05,,",
    "record_id_not_printable": "x\x1b1,150101500011,born_citizen,2015-01-01,2015-01-05,,",
    "invalid_iin": "x3,150101500012,born_citizen,2015-01-01,2015-01-05,,",
    "unknown_kind": "x4,150101500011,adopted,2015-01-01,2015-01-05,,",
    "invalid_date": "x5,150101500011,born_citizen,2015-1-1,2015-01-05,,",
    "recorded_before_effective": "x6,150101500011,born_citizen,2015-01-01,2014-12-31,,",
    "recorded_in_future": "x7,150101500011,born_citizen,2015-01-01,2099-01-01,,",
    "birth_date_mismatch": "x8,150101500011,born_citizen,2015-01-02,2015-01-05,,",
    "before_birth": "x9,150101500011,died,2014-01-01,2015-01-05,,",
    "unknown_region": "x10,150101500011,born_citizen,2015-01-01,2015-01-05,Atlantis,",
    "retracts_misplaced": "x11,150101500011,died,2020-01-01,2020-01-05,,m",
    "record_id_repeated": "x21,150101500011,data_updated,2020-01-01,2020-01-05,,",
    "record_changed": "m,150101500011,born_citizen,2015-01-01,2015-01-06,,",
    "second_birth_record": "x12,150101500011,born_citizen,2015-01-01,2015-01-05,,",
    "after_death": "x13,061010600017,citizenship_lost,2025-06-01,2025-06-05,,",
    "loss_without_citizenship": "x14,170101500015,citizenship_lost,2018-01-01,2018-01-05,,",
    "person_unknown": "x15,180202600012,data_updated,2019-01-01,2019-01-05,,",
    "retracts_unknown": "x16,150101500011,record_retracted,2020-01-01,2020-01-05,,nothing",
    "retracts_other_person": "x17,150101500011,record_retracted,2020-01-01,2020-01-05,,a",
    "retracts_withdrawal": "x19,150101500011,record_retracted,2020-01-02,2020-01-06,,x18",
    "retracts_later_record": "x20,150101500011,record_retracted,2019-06-01,2019-06-02,,x21",
    "already_retracted": "x22,150101500011,record_retracted,2020-01-01,2020-01-07,,x21",
}
#: Rows the bad ones lean on, accepted.
HELPERS = [
    "x18,150101500011,record_retracted,2020-01-01,2020-01-05,,x21",
    "x21,150101500011,data_updated,2019-01-01,2019-12-31,,",
]


def _feed() -> str:
    header = "record_id,iin,kind,effective_date,recorded_on,region,retracts\n"
    first = HELPERS[1]  # x21 before the withdrawals that name it
    rows = [first, HELPERS[0], *(row for code, row in BAD_ROWS.items() if code != "unreadable")]
    return header + "\n".join([*rows, BAD_ROWS["unreadable"]]) + "\n"


@pytest.fixture
def site(database_url: str, tmp_path: Path) -> Iterator[tuple[str, SqlUnitOfWork]]:
    uow = open_unit_of_work(database_url)
    uow.schema.initialise()
    build_world(uow, tmp_path)  # ADULT holds target savings from the 2023 close
    bank = add_bank(uow, name="Kaspi", purposes=frozenset(Purpose), credential="k")
    operator = uow.operators.named("Kaspi")
    assert bank and operator is not None
    due = return_due_on
    for number, day in enumerate((dt.date(2026, 1, 5), TODAY, TODAY)):
        request_payout(
            uow, operator=operator, iin=ADULT, amount=Money(1000), purpose=Purpose.EDUCATION,
            sub_purpose="tuition", account="KZ00", payout_id=f"p-{number}", today=day,
            return_due_on=due,
        )  # fmt: skip
    return_payout(uow, operator=operator, payout_id="p-2", today=TODAY)
    write(tmp_path / "bad.csv", _feed())
    from test_cli import urpaq

    urpaq("register", "import", str(tmp_path / "bad.csv"), db=database_url, check=3)
    assert FEED  # the world's own feed was batch 1
    yield database_url, uow
    uow.close()


def test_every_refusal_of_the_import_has_its_reason_code(
    site: tuple[str, SqlUnitOfWork],
) -> None:
    _, uow = site
    batch = max(b.batch_id for b in uow.office.batches(limit=10))
    rows = uow.office.rejected_rows(batch_id=batch, limit=100)
    found = {row.record_id or row.line: reason_code(row.reason) for row in rows}
    assert OTHER not in found.values(), [r.reason for r in rows if reason_code(r.reason) == OTHER]
    assert sorted(set(found.values())) == sorted(BAD_ROWS), found


def test_rejections_filtered_by_reason_and_as_csv(site: tuple[str, SqlUnitOfWork]) -> None:
    url, _ = site
    with office(url, development()) as base, httpx.Client(base_url=base) as client:
        sign_in(client, "aigerim", "clerk")
        page = client.get("/office/rejections")
        assert page.status_code == 200 and 'id="reason-counts"' in page.text
        only = client.get("/office/rejections", params={"reason": "invalid_iin"})
        assert "150101500012" in only.text and "adopted" not in only.text
        batch = only.text.split('name="batch"')[1]
        sheet = client.get("/office/rejections.csv", params={"reason": "after_death"})
        rows = list(csv.DictReader(io.StringIO(sheet.text)))
        assert [r["reason_code"] for r in rows] == ["after_death"], rows
        assert client.get("/office/rejections", params={"reason": "nope"}).status_code == 422
        # A query the page cannot take is a page in the page's language (a bad batch was
        # the API's JSON), and the CSV refuses what the page refuses (it gave a header).
        for address, query in (
            ("/office/rejections", {"batch": "abc", "lang": "ru"}),
            ("/office/rejections", {"batch": "1" * 23, "lang": "ru"}),
            ("/office/rejections.csv", {"batch": "-1", "lang": "ru"}),
            ("/office/rejections.csv", {"reason": "nope", "lang": "ru"}),
        ):
            refused = client.get(address, params=query)
            assert refused.status_code == 422, (address, query)
            assert refused.headers["content-type"].startswith("text/html")
            assert 'id="problem"' in refused.text and "Нет " in refused.text
        # A language link keeps the page's other parameters.
        assert "?reason=invalid_iin&amp;lang=kk" in only.text
        assert batch
        sign_in(client, "dana", "auditor")
        assert client.get("/office/rejections").status_code == 403


def test_payouts_queue_and_the_persons_payouts(site: tuple[str, SqlUnitOfWork]) -> None:
    url, _ = site
    with office(url, development()) as base, httpx.Client(base_url=base) as client:
        sign_in(client, "aigerim", "supervisor")
        queue = client.get("/office/payouts")
        assert queue.status_code == 200
        overdue = queue.text.split('id="overdue"')[1].split("</table>")[0]
        assert "p-0" in overdue and "p-1" not in overdue  # p-0 was due in February 2026
        returned = queue.text.split('id="returned"')[1].split("</table>")[0]
        assert "p-2" in returned
        form = client.get("/office/persons")
        file = client.post(
            "/office/persons", data={"iin": ADULT.value, "form_token": form_token(form.text)}
        )
        table = file.text.split('id="payouts"')[1].split("</table>")[0]
        assert all(f"p-{n}" in table for n in range(3)) and "Kaspi" in table


def test_every_operators_open_payouts_are_counted_when_the_rows_are_cut(
    site: tuple[str, SqlUnitOfWork], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The queue lists a bounded number of rows (the soonest due, the last returned); an
    operator whose payouts fell beyond them had no line at all, and nothing said rows were
    left out. Every operator is counted, and a list cut says so."""
    url, uow = site
    add_bank(uow, name="Halyk", purposes=frozenset(Purpose), credential="h")
    halyk = uow.operators.named("Halyk")
    assert halyk is not None
    request_payout(
        uow, operator=halyk, iin=ADULT, amount=Money(500), purpose=Purpose.EDUCATION,
        sub_purpose="tuition", account="KZ01", payout_id="h-0", today=TODAY,
        return_due_on=return_due_on,
    )  # fmt: skip
    monkeypatch.setattr(queues, "PAYOUTS_MAX", 1)
    with office(url, development()) as base, httpx.Client(base_url=base) as client:
        sign_in(client, "aigerim", "clerk")
        queue = client.get("/office/payouts", params={"lang": "en"}).text

    counts = queue.split('id="open-counts"')[1].split("</table>")[0]
    assert "Kaspi</th><td" in counts and "Halyk</th><td" in counts
    assert '"number">2</td>' in counts.split("Kaspi")[1].split("</tr>")[0]
    assert "The first 1 of 2 are listed." in queue  # Kaspi's p-0, overdue, the soonest
    assert "The first 0 of 1 are listed." in queue  # Halyk's
    assert "p-0" in queue.split('id="overdue"')[1] and "h-0" not in queue


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("record_id 'x is longer than 64 characters' appears again (first on line 2)",
         "record_id_repeated"),
        ("retracts 'y is given on a' names no record of the register or accepted earlier in "
         "this file", "retracts_unknown"),
        ("data_updated for IIN 080315601232 which has no citizenship or death record",
         "person_unknown"),
        ("record_id ' is after the death of IIN ' was imported before with different content",
         "record_changed"),
        ("is not valid JSON: Expecting value", "unreadable"),
        ('field iin must be a string, got 80315600704', "unreadable"),
        ('field record_id is not text: "j2\\ud800" holds a lone surrogate', "unreadable"),
        ("record_id 'r1' appears again", OTHER),
    ],
)  # fmt: skip
def test_a_reason_code_is_read_from_the_whole_message_whatever_its_values(
    reason: str, code: str
) -> None:
    """A value quoted in a message (a record_id is any text) cannot make it read as
    another check's: each message is matched whole, fixed words at both ends."""
    assert reason_code(reason) == code

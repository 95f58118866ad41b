"""The register withdraws records: what an operator sees of it from the command line,
on SQLite and PostgreSQL (the close's rules are in tests/scenarios/withdraw*.scenario)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import httpx
import pytest

from office_world import development, form_token, office, sign_in
from test_cli import urpaq
from urpaq.adapters.feed import inspect_feed, read_feed
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.domain.ledger import EntryKind
from urpaq.domain.money import Money
from urpaq.domain.operators import AuthorisedOperator, Purpose
from urpaq.domain.payouts import Freeze, PayoutRefused
from urpaq.entrypoints.http.web.i18n import MESSAGES
from urpaq.services.payouts import expire_savings, request_payout, savings_holder
from urpaq.services.register_import import import_records
from urpaq.services.statements import statement_of
from world import ADULT, LATE_ADULT, TODAY, build_world

FIRST = (
    "record_id,iin,kind,effective_date,recorded_on,region\n"
    "b1,150101500011,born_citizen,2015-01-01,2015-01-05,KZ-71\n"
    "b2,160202600019,born_citizen,2016-02-02,2016-02-07,KZ-79\n"
    "l1,150101500011,citizenship_lost,2024-04-01,2024-04-03,\n"
    "b3,140601500206,born_citizen,2014-06-01,2014-06-05,KZ-75\n"
    "b4,140601500216,born_citizen,2014-06-01,2014-06-05,KZ-75\n"
    "b5,140601500226,born_citizen,2014-06-01,2014-06-05,KZ-75\n"
)
# JSON Lines, gzip-free: the column `retracts` as a field.
SECOND = [
    {
        "record_id": "w1",
        "iin": "150101500011",
        "kind": "record_retracted",
        "effective_date": "2025-03-01",
        "recorded_on": "2025-03-02",
        "retracts": "l1",
    },
    {
        "record_id": "w2",
        "iin": "160202600019",
        "kind": "record_retracted",
        "effective_date": "2025-03-01",
        "recorded_on": "2025-03-02",
        "retracts": "l1",
    },
]


@pytest.fixture
def db(database_url: str, tmp_path: Path) -> str:
    """2023–2024 closed with a loss recorded in error; then the register withdraws it."""
    urpaq("init", db=database_url)
    first = tmp_path / "first.csv"
    first.write_text(FIRST, encoding="utf-8")
    urpaq("register", "import", str(first), db=database_url)
    urpaq("parameters", "import", db=database_url)
    urpaq("close", "2023", "--as-of", "2024-01-31", db=database_url)
    urpaq("close", "2024", "--as-of", "2025-01-31", db=database_url)
    second = tmp_path / "second.jsonl"
    second.write_text("".join(json.dumps(row) + "\n" for row in SECOND), encoding="utf-8")
    done = urpaq("register", "import", str(second), "--json", db=database_url, check=3)
    summary = json.loads(done.stdout)
    assert (summary["accepted"], summary["rejected"]) == (1, 1)
    assert "names a record of another person" in summary["rejections"][0]["reason"]
    urpaq("close", "2025", "--as-of", "2026-01-30", db=database_url)
    return database_url


def test_history_shows_both_dates_the_withdrawal_and_the_close_that_saw_each(db: str) -> None:
    history = json.loads(urpaq("register", "history", "150101500011", "--json", db=db).stdout)
    assert history["known"] is True
    rows = {r["record_id"]: r for r in history["records"]}
    assert list(rows) == ["b1", "l1", "w1"]
    assert rows["l1"] | {"batch": 0} == {
        "record_id": "l1",
        "kind": "citizenship_lost",
        "effective_date": "2024-04-01",
        "recorded_on": "2024-04-03",
        "region": None,
        "retracts": None,
        "withdrawn_by": "w1",
        "batch": 0,
        "first_seen_by_close": 2024,
    }
    assert rows["w1"]["retracts"] == "l1"
    assert rows["w1"]["first_seen_by_close"] == 2025
    assert rows["b1"]["first_seen_by_close"] == 2023
    text = urpaq("register", "history", "150101500011", db=db).stdout
    assert "withdrawn by w1" in text
    events = json.loads(urpaq("audit", "--iin", "150101500011", "--json", db=db).stdout)
    assert [e["action"] for e in events["events"]].count("register_history") == 2


def test_the_restored_childs_statement_shows_where_the_money_came_from(db: str) -> None:
    statement = json.loads(urpaq("statement", "150101500011", "--json", db=db).stdout)
    peer = json.loads(urpaq("statement", "160202600019", "--json", db=db).stdout)
    kinds = [(e["reporting_year"], e["kind"]) for e in statement["entries"]]
    assert kinds == [
        (2023, "accrual"),
        (2024, "forfeiture"),
        (2025, "restoration"),
        (2025, "investment_income"),
        (2025, "accrual"),
    ]
    assert statement["status"] == "participant"
    assert statement["target_requirements"] == peer["target_requirements"]
    restored = next(e for e in statement["entries"] if e["kind"] == "restoration")
    peer_before = sum(
        int(e["amount"].replace(".", "")) for e in peer["entries"] if e["reporting_year"] < 2025
    )
    assert int(restored["amount"].replace(".", "")) == peer_before
    assert urpaq("reconcile", db=db).returncode == 0


def test_history_of_an_unknown_or_invalid_iin(db: str) -> None:
    unknown = json.loads(urpaq("register", "history", "080315601232", "--json", db=db).stdout)
    assert unknown == {"iin": "080315601232", "known": False, "records": []}
    done = urpaq("register", "history", "08031560123", db=db, check=3)
    assert "08031560123" in done.stderr and "Traceback" not in done.stderr


def test_every_statement_entry_kind_has_a_label_in_each_language() -> None:
    """The statement page names each line's kind in Kazakh, Russian and English."""
    # Funding, residue, reclassification and the National Bank's side move no one's
    # balance; a confirmation moves money the operator already holds.
    statement_kinds = set(EntryKind) - {
        EntryKind.TR_FUNDING,
        EntryKind.TARGET_ASSETS,
        EntryKind.RECLASSIFICATION,
        EntryKind.RESIDUE,
        EntryKind.CONFIRMATION,
        EntryKind.TARGET_ASSETS,  # the National Bank's side: on nobody's statement
    }
    for kind in statement_kinds:
        assert set(MESSAGES[f"kind_{kind.value}"]) >= {"kk", "ru", "en"}, kind


def test_a_withdrawn_death_unfreezes_the_holders_savings(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    """A holder of target savings recorded dead in error: frozen while the death stands,
    free again from the day the register withdraws it; the statement says which."""
    build_world(uow, tmp_path)
    assert savings_holder(uow, iin=LATE_ADULT, today=TODAY).deceased  # type: ignore[union-attr]
    assert statement_of(uow, iin=LATE_ADULT).savings_frozen is Freeze.DECEASED
    feed = tmp_path / "withdrawal.csv"
    feed.write_text(
        "record_id,iin,kind,effective_date,recorded_on,region,retracts\n"
        f"w-d2,{LATE_ADULT},record_retracted,2026-03-01,2026-03-02,,d2\n",
        encoding="utf-8",
    )
    found = inspect_feed(feed)
    summary = import_records(
        uow, rows=read_feed(found), source=feed.name, sha256=found.sha256, today=TODAY
    )
    assert summary.accepted == 1, summary.rejections
    before = savings_holder(uow, iin=LATE_ADULT, today=dt.date(2026, 3, 1))
    after = savings_holder(uow, iin=LATE_ADULT, today=TODAY)
    assert before is not None and before.deceased
    assert after is not None and not after.deceased
    assert statement_of(uow, iin=LATE_ADULT).savings_frozen is None


def _import_text(uow: SqlUnitOfWork, path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    found = inspect_feed(path)
    summary = import_records(
        uow, rows=read_feed(found), source=path.name, sha256=found.sha256, today=TODAY
    )
    assert summary.rejected == 0, summary.rejections


def _pay(uow: SqlUnitOfWork, *, number: int) -> None:
    request_payout(
        uow, operator=AuthorisedOperator("Bank", frozenset({Purpose.HOUSING}), active=True),
        iin=ADULT, amount=Money(100), purpose=Purpose.HOUSING, sub_purpose="purchase",
        account="KZ1", payout_id=f"{number:032x}", today=TODAY,
        return_due_on=lambda day: day + dt.timedelta(days=60),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "undone_by"),
    [
        ("record_annulled", "record_retracted,2026-06-02,2026-06-03,,x"),
        ("record_retracted", "born_citizen,2006-03-03,2026-06-03,,"),
    ],
)
def test_a_holder_the_register_no_longer_vouches_for_is_paid_nothing(
    uow: SqlUnitOfWork, tmp_path: Path, kind: str, undone_by: str
) -> None:
    """A holder whose record the register annuls (never had the right), or whose record
    of birth it withdraws with nothing in its place, keeps the savings credited (maturity
    is final) but is paid nothing, until the register vouches again: a withdrawal of the
    annulment, a new record of birth."""
    build_world(uow, tmp_path)
    _pay(uow, number=1)
    retracts = ",,a" if kind == "record_retracted" else ",,"
    header = "record_id,iin,kind,effective_date,recorded_on,region,retracts\n"
    _import_text(
        uow, tmp_path / "x.csv", f"{header}x,{ADULT},{kind},2026-03-01,2026-03-02{retracts}\n"
    )
    holder = savings_holder(uow, iin=ADULT, today=TODAY)
    assert holder is not None and holder.unvouched and holder.frozen and holder.credited
    said = statement_of(uow, iin=ADULT)  # the holder and the staff are told
    assert (
        said.savings_frozen is Freeze.UNVOUCHED and said.as_json()["savings_frozen"] == "unvouched"
    )
    with pytest.raises(PayoutRefused) as refused:
        _pay(uow, number=2)
    assert refused.value.code == "unvouched"
    _import_text(uow, tmp_path / "y.csv", f"{header}y,{ADULT},{undone_by}\n")
    again = savings_holder(uow, iin=ADULT, today=TODAY)
    assert again is not None and not again.unvouched
    assert statement_of(uow, iin=ADULT).as_json()["savings_frozen"] is None
    _pay(uow, number=3)


def test_the_statement_and_the_staffs_file_say_why_savings_are_frozen(
    uow: SqlUnitOfWork, tmp_path: Path, database_url: str
) -> None:
    """A holder recorded dead, and one the register no longer vouches for: their own
    statement (command line, JSON) and the staff's file of them say the savings are
    frozen and why; a holder who can be paid is told nothing of the kind."""
    build_world(uow, tmp_path)
    payable = json.loads(urpaq("statement", ADULT.value, "--json", db=database_url).stdout)
    assert payable["savings_frozen"] is None
    assert "frozen" not in urpaq("statement", ADULT.value, db=database_url).stdout
    header = "record_id,iin,kind,effective_date,recorded_on,region,retracts\n"
    annulled = f"{header}x,{ADULT},record_annulled,2026-03-01,2026-03-02,,\n"
    _import_text(uow, tmp_path / "x.csv", annulled)
    shown = urpaq("statement", ADULT.value, db=database_url).stdout
    assert "The target savings are frozen: the register annulled the holder's record" in shown
    for iin, reason in ((ADULT, "unvouched"), (LATE_ADULT, "deceased")):
        document = json.loads(urpaq("statement", iin.value, "--json", db=database_url).stdout)
        assert document["status"] == "matured" and document["savings_frozen"] == reason
    with office(database_url, development()) as url, httpx.Client(base_url=url) as client:
        sign_in(client, "aigerim", "clerk")
        for iin, words in ((ADULT, "жазбасын жойды"), (LATE_ADULT, "қайтыс болғанын")):
            form = form_token(client.get("/office/persons").text)
            file = client.post("/office/persons", data={"iin": iin.value, "form_token": form})
            assert file.status_code == 200 and 'id="savings-frozen"' in file.text
            assert words in file.text


def test_savings_expire_by_the_register_as_it_stands_on_the_day(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    """Ten years after crediting, the savings of a holder whose death the register
    recorded and then withdrew go to the pension account like anyone's; those of a holder
    it no longer vouches for stay where they are, frozen (maturity is final, the money
    is paid to nobody until the case is settled)."""
    build_world(uow, tmp_path)
    header = "record_id,iin,kind,effective_date,recorded_on,region,retracts\n"
    _import_text(
        uow,
        tmp_path / "x.csv",
        f"{header}w-d2,{LATE_ADULT},record_retracted,2026-03-01,2026-03-02,,d2\n"
        f"x,{ADULT},record_annulled,2026-03-01,2026-03-02,,\n",
    )
    after = dt.date(2034, 2, 1)
    assert expire_savings(uow, as_of=after, today=after) == (1, Money.parse("100.00"))
    assert statement_of(uow, iin=LATE_ADULT).target_savings == Money(0)
    assert statement_of(uow, iin=ADULT).target_savings == Money.parse("100.00")

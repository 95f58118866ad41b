"""End to end through the command line, as an operator runs it, in separate processes."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from pg_server import TemporaryPostgres
from urpaq.bootstrap import open_unit_of_work
from urpaq.domain.kazakhstan_time import KAZAKHSTAN

HEADER = "record_id,iin,kind,effective_date,recorded_on,region\n"
FEED = HEADER + "".join(
    [
        "r1,080315601232,born_citizen,2008-03-15,2008-03-20,KZ-75\n",  # turns 18 in 2026
        "r2,150101500011,born_citizen,2015-01-01,2015-01-05,KZ-71\n",
        "r3,160202600019,born_citizen,2016-02-02,2024-06-01,KZ-79\n",  # recorded late
        "r4,150101500011,citizenship_lost,2024-04-01,2024-04-03,\n",
    ]
)


#: `urpaq parameters set` of a TR total and a rate that pass, for the refusals of the rest.
SET_2026_AT_3_PERCENT = ["parameters", "set", "2026", "--tr-total", "100", "--ii-rate", "0.03"]


def urpaq(*args: str, db: str, check: int | None = 0) -> subprocess.CompletedProcess[str]:
    """Run `urpaq ARGS` against the database at URL `db`; check the exit code."""
    env = {**os.environ, "URPAQ_DB": db}
    done = subprocess.run(
        [sys.executable, "-m", "urpaq", *args], capture_output=True, text=True, env=env, timeout=120
    )
    if check is not None:
        assert done.returncode == check, f"exit {done.returncode}: {done.stdout}\n{done.stderr}"
    return done


@pytest.fixture
def db(database_url: str, tmp_path: Path) -> str:
    """A fresh database, SQLite or PostgreSQL, with a feed file beside the test."""
    urpaq("init", db=database_url)
    (tmp_path / "feed.csv").write_text(FEED, encoding="utf-8")
    return database_url


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    return tmp_path / "feed.csv"


def prepare(db: str, feed: Path) -> None:
    urpaq("register", "import", str(feed), db=db)
    urpaq("parameters", "import", db=db)


def scalar(db: str, sql: str) -> object:
    uow = open_unit_of_work(db)
    try:
        return uow.db.scalar(sql)
    finally:
        uow.close()


def test_a_whole_programme_cycle_from_the_command_line(db: str, feed: Path) -> None:
    """Import, shipped parameters, three closes, a statement and reconcile, all in JSON."""
    prepare(db, feed)
    first = json.loads(urpaq("close", "2023", "--as-of", "2024-01-31", "--json", db=db).stdout)
    assert first["participants"] == 2 and first["currency"] == "USD"
    assert first["per_child"] == "347759634.50"  # 695,519,269.00 over two children
    json.loads(urpaq("close", "2024", "--as-of", "2025-01-31", "--json", db=db).stdout)
    third = json.loads(urpaq("close", "2025", "--as-of", "2026-01-30", "--json", db=db).stdout)
    assert third["matured"] == 1
    statement = json.loads(urpaq("statement", "080315601232", "--json", db=db).stdout)
    assert statement["status"] == "matured"
    assert statement["target_savings"] == third["target_savings_credited"]
    late = json.loads(urpaq("statement", "160202600019", "--json", db=db).stdout)
    assert [e["kind"] for e in late["entries"]][:1] == ["back_accrual"]
    report = json.loads(urpaq("reconcile", "--json", db=db).stdout)
    assert report["holds"] is True and len(report["checks"]) > 10
    # An amount is given as the amounts of every answer are, not only in words.
    checks = {check["check"]: check for check in report["checks"]}
    assert checks["nothing created or destroyed (all accounts sum to zero)"] == {
        "check": "nothing created or destroyed (all accounts sum to zero)", "holds": True,
        "detail": "0.00 USD", "amount": "0.00", "currency": "USD",
    }  # fmt: skip
    assert checks["every journal entry balances"].keys() == {"check", "holds", "detail"}


def test_funding_prints_the_national_bank_s_side_year_by_year(db: str, feed: Path) -> None:
    prepare(db, feed)
    assert json.loads(urpaq("funding", "--json", db=db).stdout) == {
        "years": [],
        "currency": "USD",
    }
    closes = [
        json.loads(urpaq("close", str(y), "--as-of", f"{y + 1}-01-30", "--json", db=db).stdout)
        for y in (2023, 2024, 2025)
    ]
    printed = json.loads(urpaq("funding", "--json", db=db).stdout)
    assert printed["currency"] == "USD"
    assert [y["reporting_year"] for y in printed["years"]] == [2023, 2024, 2025]
    first = printed["years"][0]
    assert (first["accrued"], first["investment_income"]) == ("695519269.00", "0.00")
    for year, close in zip(printed["years"], closes, strict=True):
        assert year["accrued"] == close["tr_total"]
        assert year["investment_income"] == close["investment_income"]
        assert year["transferred_to_savings"] == close["target_savings_credited"]
        assert year["residue"] == close["residue"]
    balances = [Decimal(y["balance"]) for y in printed["years"]]
    assert balances[-1] == sum(
        Decimal(y["accrued"])
        + Decimal(y["investment_income"])
        - Decimal(y["transferred_to_savings"])
        - Decimal(y["residue"])
        for y in printed["years"]
    )
    table = urpaq("funding", db=db).stdout
    assert "balance" in table and "695,519,269.00" in table and "2025" in table


def test_closing_a_closed_year_prints_the_same_result(db: str, feed: Path) -> None:
    """A second close of the same year is a no-op with the same output."""
    prepare(db, feed)
    first = urpaq("close", "2023", "--as-of", "2024-01-31", "--json", db=db).stdout
    again = urpaq("close", "2023", "--as-of", "2024-03-01", "--json", db=db).stdout
    assert first == again


def test_a_close_prints_its_due_date_and_warns_when_late_or_early(db: str, feed: Path) -> None:
    """The close of 2023 is due on 1 Feb 2024 (a Thursday), that of 2024 on Friday 31 Jan
    2025; a close dated later, or seeing the register by 20 January, is warned about."""
    prepare(db, feed)
    early = urpaq("close", "2023", "--as-of", "2024-01-15", "--json", db=db)
    printed = json.loads(early.stdout)
    assert (printed["as_of"], printed["due_on"], printed["on_time"]) == (
        "2024-01-15",
        "2024-02-01",
        True,
    )
    assert printed["snapshot_after"] == "2024-01-20" and printed["per_child"] == "347759634.50"
    assert "warning: as-of date 2024-01-15 is not after 2024-01-20" in early.stderr
    late = urpaq("close", "2024", "--as-of", "2025-02-03", db=db)
    assert "after its due date 2025-01-31" in " ".join(late.stderr.split())
    assert "not after" not in late.stderr
    assert "due on" in late.stdout and "2025-01-31" in late.stdout
    assert json.loads(urpaq("close", "2024", "--json", db=db).stdout)["on_time"] is False


def test_a_preview_prints_what_the_close_then_prints_and_writes_nothing(
    db: str, feed: Path
) -> None:
    prepare(db, feed)
    tables = ("year_close", "journal_entry", "posting")
    counts = [scalar(db, f"SELECT COUNT(*) FROM {t}") for t in tables]
    previews = [
        urpaq("close", "2023", "--as-of", "2024-01-31", "--preview", *flag, db=db)
        for flag in ([], ["--json"])
    ]
    assert [scalar(db, f"SELECT COUNT(*) FROM {t}") for t in tables] == counts
    assert "nothing was written" in previews[0].stderr
    closes = [
        urpaq("close", "2023", "--as-of", "2024-01-31", *flag, db=db) for flag in ([], ["--json"])
    ]
    assert [p.stdout for p in previews] == [c.stdout for c in closes]
    again = urpaq("close", "2023", "--as-of", "2024-03-01", "--preview", "--json", db=db)
    assert again.stdout == closes[1].stdout  # a closed year, as closing it again prints it
    refused = urpaq("close", "2025", "--preview", db=db, check=3)
    assert "reporting year 2025 cannot be closed before 2024 [out_of_order]" in refused.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["close", "2024", "--as-of", "2025-01-31"], 3, "cannot be closed before 2023"),
        (["close", "2023", "--as-of", "2024-13-01"], 2, "is not a date"),
        (["close", "2023", "--as-of", "2099-01-31"], 3, "after today"),
        (["statement", "080315601233"], 3, "check digit"),
        (
            [
                "parameters",
                "set",
                "2026",
                "--tr-total",
                "1.234",
                "--ii-rate",
                "0.03",
                "--reference",
                "x",
            ],
            3,
            "'1.234'",
        ),
        (
            [
                "parameters",
                "set",
                "2026",
                "--tr-total",
                "100",
                "--ii-rate",
                "abc",
                "--reference",
                "x",
            ],
            3,
            "'abc'",
        ),
        (
            [*SET_2026_AT_3_PERCENT, "--reference", "L" * 501],
            3,
            "501 characters long, at most 500",
        ),
        (["register", "import", "missing.csv"], 3, "does not exist"),
        (["close"], 2, "Missing argument"),
        (["register", "rejections", "77"], 3, "no import batch 77"),
        (["statistics", "regions", "--year", "2023"], 3, "reporting year 2023 is not closed"),
        (["statistics", "regions", "--year", "twenty"], 2, "'twenty'"),
        (["statistics", "payouts", "--until", "2026-02-30"], 2, "'2026-02-30' is not a date"),
        (["statistics", "payouts", "--until", "2099-01-01"], 3, "--until 2099-01-01 is after"),
    ],
)
def test_refusals_exit_with_their_code_and_name_the_value(
    db: str, feed: Path, args: list[str], code: int, message: str
) -> None:
    """Usage errors exit 2, refused input exits 3, each with a message naming the value;
    a refusal is one line, with no blank line before it (a close's progress line, shown
    on a terminal only, left one)."""
    prepare(db, feed)
    done = urpaq(*args, db=db, check=code)
    assert message in done.stderr
    if code == 3:
        assert message in done.stderr.splitlines()[0], done.stderr


def test_a_close_giving_each_participant_less_than_a_cent_is_refused(db: str, feed: Path) -> None:
    """A TR total mistyped (0.01 for 695,519,269.00) closed 2023 at 0.00 each, matured the
    children of 2005 with nothing, and `urpaq reconcile` failed for good after it."""
    prepare(db, feed)
    urpaq("parameters", "set", "2023", "--tr-total", "0.01", "--ii-rate", "0",
          "--reference", "typo", db=db)  # fmt: skip
    done = urpaq("close", "2023", "--as-of", "2024-01-31", "--json", db=db, check=3)
    assert json.loads(done.stdout)["error"]["reason"] == "per_child_under_a_cent", done.stdout
    assert "0.01 USD" in done.stdout and "less than a cent" in done.stdout
    assert scalar(db, "SELECT COUNT(*) FROM journal_entry") == 0
    urpaq("reconcile", db=db)


@pytest.mark.parametrize(
    ("args", "code", "reason", "message"),
    [
        (["statement", "123"], 3, None, "IIN '123': must be exactly 12 digits"),
        (["close", "2022"], 3, "before_programme", "before the programme's first year"),
        (["statistics", "regions", "--year", "2026"], 3, "not_closed", "2026 is not closed"),
        (["register", "import", "missing.csv"], 3, None, "does not exist"),
        (["close"], 2, None, "Missing argument"),
        (["statement", "150101500021", "--as-of", "x"], 2, None, "No such option"),
    ],
)
def test_a_refused_json_command_prints_one_document_saying_why(
    db: str, feed: Path, args: list[str], code: int, reason: str | None, message: str
) -> None:
    """`--json` prints exactly one JSON document on stdout, a refusal's and a usage
    error's included: `{"error": {"exit_code", "reason", "message"}}`."""
    prepare(db, feed)
    done = urpaq(*args, "--json", db=db, check=code)
    error = json.loads(done.stdout)["error"]
    assert error["exit_code"] == code and error["reason"] == reason
    assert message in error["message"] and message in done.stderr
    assert json.loads(urpaq("statement", "150101500021", "--json", db=db).stdout)["status"]
    reconciled = urpaq("reconcile", "--json", db=db)  # a document of its own: never two
    assert "error" not in json.loads(reconciled.stdout)


def test_an_import_with_rejections_exits_3_and_lists_them(db: str, tmp_path: Path) -> None:
    """Invalid records are stored as rejections and reported with exit 3."""
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER + "x1,080315601233,born_citizen,2008-03-15,2008-03-20,\n", encoding="utf-8"
    )
    done = urpaq("register", "import", str(bad), "--json", db=db, check=3)
    report = json.loads(done.stdout)
    assert report["rejected"] == 1 and "check digit" in report["rejections"][0]["reason"]
    listed = urpaq("register", "rejections", str(report["batch"]), db=db)
    assert "line 2" in listed.stdout
    # The list names IINs: read like the back office's queue, it is recorded the same.
    audit = json.loads(urpaq("audit", "--json", db=db).stdout)["events"]
    assert f"register rejections {report['batch']}" in [e["action"] for e in audit]


def test_an_unknown_iin_has_status_unknown(db: str) -> None:
    """A valid IIN the register does not know gives status unknown, exit 0."""
    done = urpaq("statement", "150101500021", "--json", db=db)
    assert json.loads(done.stdout)["status"] == "unknown"


def test_a_database_without_schema_is_refused(tmp_path: Path, postgres: TemporaryPostgres) -> None:
    """Commands other than init refuse a database that has no schema yet, on either database."""
    for empty in (f"sqlite:///{tmp_path / 'empty.db'}", postgres.create_database()):
        done = urpaq("reconcile", db=empty, check=3)
        assert "urpaq init" in done.stderr


def test_an_unreachable_database_fails_with_a_message_naming_it() -> None:
    """A PostgreSQL URL nobody answers at fails (exit 1) naming it, without its password."""
    done = urpaq("reconcile", db="postgresql://clerk:secret@127.0.0.1:1/urpaq", check=1)
    assert "127.0.0.1:1/urpaq" in done.stderr and "secret" not in done.stderr


def test_a_password_in_the_url_is_never_shown(postgres_url: str) -> None:
    """Given after the user name or as a parameter, a password is masked in every message:
    the server's start-up line showed the first, and every message the second."""
    import socket

    host_part = postgres_url.split("://", 1)[1].split("@", 1)[1]
    url = f"postgresql://postgres:Sup3r%21Secret@{host_part}?password=0ther%21Secret"
    done = urpaq("init", db=url)
    assert "is at schema version" in done.stdout + done.stderr
    unreachable = urpaq(
        "reconcile", db=url.replace(host_part.split("/")[0], "127.0.0.1:1"), check=1
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "urpaq", "serve", "--db", url, "--port", str(port)],
        stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        assert server.stderr is not None
        started = ""
        while "serving" not in started and server.poll() is None:
            started = server.stderr.readline()
    finally:
        server.terminate()
        server.wait(timeout=30)
    for said in (done.stdout + done.stderr, unreachable.stderr, started):
        assert "Secret" not in said, said
    assert "postgres:***@" in started and "password=***" in started, started
    assert "password=***" in unreachable.stderr


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://:Secret1@127.0.0.1:1/db",  # no user name
        "postgresql://u@127.0.0.1:1/db?password=abc#Secret2",  # libpq's value holds the #
        "postgresql://u@127.0.0.1:1/db?pass%77ord=Secret3",  # the name percent-encoded
        "postgresql://u@127.0.0.1:1/db?sslpassword=Secret4",
        "host=127.0.0.1 port=1 password=Secret5 dbname=db",  # keywords, not a URL
        "host=127.0.0.1 port=1 password=Secret6://x dbname=db",  # a password like a URL
    ],
)
def test_a_password_is_masked_however_the_url_gives_it(url: str) -> None:
    done = urpaq("reconcile", db=url, check=None)
    assert done.returncode in (1, 2) and "Secret" not in done.stderr, done.stderr


def test_parameters_of_a_closed_year_are_final(db: str, feed: Path) -> None:
    """Once a year is closed its National Bank inputs cannot be changed."""
    prepare(db, feed)
    urpaq("close", "2023", "--as-of", "2024-01-31", db=db)
    done = urpaq(
        "parameters",
        "set",
        "2023",
        "--tr-total",
        "1.00",
        "--ii-rate",
        "0",
        "--reference",
        "x",
        db=db,
        check=3,
    )
    assert "2023 is closed" in done.stderr


KILLER = textwrap.dedent(
    """
    import datetime as dt, os, signal, sys
    from urpaq.bootstrap import open_unit_of_work
    from urpaq.services.closing import close_year

    def die_at(step):
        if step == sys.argv[2]:
            os.kill(os.getpid(), signal.SIGKILL)

    uow = open_unit_of_work(sys.argv[1])
    close_year(uow, year=2023, as_of=dt.date(2024, 1, 31), progress=die_at)
    """
)


@pytest.mark.parametrize("step", ["writing the ledger", "committing"])
def test_a_killed_close_leaves_nothing_and_a_rerun_completes_it_once(
    db: str, feed: Path, step: str
) -> None:
    """A close killed part-way (SIGKILL, even after every row is written) leaves the database
    as before; running it again completes it exactly once."""
    prepare(db, feed)
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, db, step], capture_output=True, timeout=60
    )
    assert killed.returncode == -9
    counts = [
        scalar(db, f"SELECT COUNT(*) FROM {t}") for t in ("year_close", "journal_entry", "posting")
    ]
    assert counts == [0, 0, 0]
    result = json.loads(urpaq("close", "2023", "--as-of", "2024-01-31", "--json", db=db).stdout)
    assert result["participants"] == 2
    urpaq("close", "2023", "--as-of", "2024-01-31", db=db)
    assert scalar(db, "SELECT COUNT(*) FROM year_close") == 1
    entries = scalar(db, "SELECT COUNT(*) FROM journal_entry")
    assert entries == scalar(db, "SELECT COUNT(DISTINCT key) FROM journal_entry") > 0
    assert json.loads(urpaq("reconcile", "--json", db=db).stdout)["holds"] is True


def test_the_small_demo_reproduces_the_published_per_child_amounts(
    database_url: str, tmp_path: Path
) -> None:
    """`urpaq demo` builds, imports and closes 2023–2025 and reconciles, at sample scale."""
    db = database_url
    done = urpaq("demo", "--json", "--workdir", str(tmp_path / "demo"), db=db)
    report = json.loads(done.stdout)
    assert [c["per_child"] for c in report["closes"]] == ["100.52", "129.38", "130.71"]
    assert [c["participants"] for c in report["closes"]] == [13838, 13739, 13837]
    assert report["closes"][1]["back_accruals"] != "0.00"
    assert report["reconciled"] is True
    # The National Bank's first year, at sample scale: accrued, transferred 100.52 to each
    # child born in 2006, and the balance, which scales back to the published 665 million.
    first = json.loads(urpaq("funding", "--json", db=db).stdout)["years"][0]
    first_close = report["closes"][0]
    assert first["accrued"] == first_close["tr_total"]
    assert Decimal(first["transferred_to_savings"]) == Decimal("100.52") * first_close["matured"]
    balance = Decimal(first["balance"])
    assert balance == Decimal(first["accrued"]) - Decimal(first["transferred_to_savings"]) - (
        Decimal(first["residue"])
    )
    assert round(balance * 6_919_131 / first_close["participants"] / 1_000_000) == 665
    # The published figures of three regions, scaled to the sample (1:500) and rounded.
    assert report["regions_2023"] == [
        {"region": "KZ-61", "participants": 1846, "turning_18": 84, "accrued": "185559.92",
         "as_targeted": True},
        {"region": "KZ-75", "participants": 1333, "turning_18": 53, "accrued": "133993.16",
         "as_targeted": True},
        {"region": "KZ-19", "participants": 1217, "turning_18": 54, "accrued": "122332.84",
         "as_targeted": True},
    ]  # fmt: skip
    regions = json.loads(urpaq("statistics", "regions", "--year", "2023", "--json", db=db).stdout)
    by_code = {row["region"]: row for row in regions["regions"]}
    assert by_code["KZ-61"]["accrued"] == "185559.92" and regions["per_child"] == "100.52"
    assert by_code["KZ-61"]["target_savings_credited"] == "8443.68"  # 84 × 100.52
    assert regions["total"]["participants"] == 13838
    assert regions["total"]["turning_18"] == report["closes"][0]["matured"]
    again = urpaq("demo", db=db, check=3)
    assert "already holds data" in again.stderr


def test_a_statement_printed_is_audited_like_the_page(db: str) -> None:
    """Who (the operating-system user), what (`statement`), about whom: recorded before
    the statement is printed; an invalid IIN, which shows nobody's data, is not."""
    import getpass

    urpaq("statement", "150101500021", db=db)
    urpaq("statement", "080315601233", db=db, check=3)
    events = json.loads(urpaq("audit", "--json", db=db).stdout)["events"]
    assert [(e["actor"], e["action"], e["iin"], e["outcome"]) for e in events] == [
        (f"cli:{getpass.getuser()}", "statement", "150101500021", 0)
    ]  # the audit command's own read is recorded after it has read
    assert len(events[0]["request_id"]) == 32
    # Into a pipe, the table is printed whole: it was cut to 80 columns, the request id
    # ended in "…" and could not be matched with the answer that carried it.
    piped = subprocess.run(
        [sys.executable, "-m", "urpaq", "audit", "--iin", "150101500021"],
        capture_output=True, text=True, timeout=120,
        env={k: v for k, v in os.environ.items() if k != "COLUMNS"} | {"URPAQ_DB": db},
    )  # fmt: skip
    assert events[0]["request_id"] in piped.stdout and events[0]["at"][:19] in piped.stdout
    garbled = subprocess.run(  # a COLUMNS that is no width is no width
        [sys.executable, "-m", "urpaq", "audit", "--iin", "150101500021"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "URPAQ_DB": db, "COLUMNS": "abc"},
    )  # fmt: skip
    assert events[0]["request_id"] in garbled.stdout


def test_outside_text_is_shown_as_it_is_never_as_markup_or_controls(db: str) -> None:
    """A staff member named `[/]` (the identity provider's claim) failed `urpaq audit`
    with a traceback, one named `[link=…]alice[/link]` showed as `staff:alice`, and an
    operating-system user's name (LOGNAME) reached the auditor's terminal with its
    escape sequences: every name is shown as recorded, its controls escaped."""
    import datetime as dt

    from urpaq.domain.audit import AuditEvent

    uow = open_unit_of_work(db)
    try:
        for number, actor in enumerate(["staff:[/]", "staff:[link=http://x.example]alice[/link]"]):
            at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
            uow.serving.record(AuditEvent(at, actor, "GET /office/", None, 200, f"r{number}"))
    finally:
        uow.close()
    escaped = subprocess.run(
        [sys.executable, "-m", "urpaq", "statement", "150101500021"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "URPAQ_DB": db, "LOGNAME": "\x1b[2Jroot\u202e", "USER": "x"},
    )  # fmt: skip
    assert escaped.returncode == 0, escaped.stderr
    table = urpaq("audit", db=db).stdout
    assert "staff:[/]" in table and "staff:[link=http://x.example]alice[/link]" in table
    assert "\x1b" not in table and "\u202e" not in table and "2Jroot" in table
    events = json.loads(urpaq("audit", "--json", db=db).stdout)["events"]
    assert "cli:\\x1b[2Jroot\\u202e" in [e["actor"] for e in events]


def test_a_feed_s_name_is_recorded_with_its_controls_escaped(db: str, feed: Path) -> None:
    """A file named with U+202E and an escape sequence was recorded as it was: the back
    office's list of imports showed its date and count reversed."""
    named = feed.with_name("\x1b[2J[bold]\u202evsc.csv")
    named.write_bytes(feed.read_bytes())
    done = urpaq("register", "import", str(named), "--json", db=db)
    assert json.loads(done.stdout)["file"] == "\\x1b[2J[bold]\\u202evsc.csv"
    again = urpaq("register", "import", str(named), db=db)  # said before: nothing changed
    assert "[bold]" in again.stderr and "\u202e" not in again.stderr and "\x1b" not in again.stderr


def test_a_refused_feed_s_name_is_printed_with_its_controls_escaped(db: str, feed: Path) -> None:
    """A refusal printed the name raw (`refused: u\x1b[2Jw\u202e.csv is empty`): the file's
    name cleared the operator's terminal and turned the message around."""
    named = feed.with_name("u\x1b[2Jw\u202e.csv")
    named.write_bytes(b"")
    done = urpaq("register", "import", str(named), db=db, check=3)
    assert "u\\x1b[2Jw\\u202e.csv is empty" in done.stderr
    assert "\x1b" not in done.stderr and "\u202e" not in done.stderr
    said = urpaq("register", "import", str(named), "--json", db=db, check=3).stdout
    assert "\u202e" not in said  # JSON escaped the ESC, not the override
    assert "u\\x1b[2Jw\\u202e.csv is empty" in json.loads(said)["error"]["message"]


def test_an_empty_gzipped_json_lines_feed_is_read_as_json_lines(db: str, feed: Path) -> None:
    """Called an empty CSV (`a CSV feed starts with a header`) where `empty.jsonl` is an
    empty feed of JSON Lines."""
    for name in ("empty.jsonl", "empty.jsonl.gz"):
        (feed.parent / name).write_bytes(b"")
        done = urpaq("register", "import", str(feed.parent / name), "--json", db=db)
        assert json.loads(done.stdout)["accepted"] == 0, done.stdout


def test_reading_the_audit_log_is_recorded_in_it(db: str) -> None:
    """An auditor's reading is a read of personal data too, about the person of `--iin`,
    as the back office records it; the answer shows the events before it."""
    import getpass

    actor = f"cli:{getpass.getuser()}"
    urpaq("statement", "150101500021", db=db)
    about = json.loads(urpaq("audit", "--iin", "150101500021", "--json", db=db).stdout)
    assert [e["action"] for e in about["events"]] == ["statement"]
    events = json.loads(urpaq("audit", "--json", db=db).stdout)["events"]
    assert [(e["actor"], e["action"], e["iin"]) for e in events] == [
        (actor, "audit", "150101500021"),
        (actor, "statement", "150101500021"),
    ]
    # The whole log shows people's events: a read of each of them (once recorded about
    # nobody, so that `--iin` never found it).
    events = json.loads(urpaq("audit", "--json", db=db).stdout)["events"]
    latest = {(e["action"], e["iin"]) for e in events[:2]}  # one moment: either order
    assert latest == {("audit (shown)", "150101500021"), ("audit", None)}


def test_the_audit_log_is_searched_by_days_actor_and_action(db: str) -> None:
    """`urpaq audit` filters as the back office does: the days from `--since` to
    `--until`, and an actor or an action containing a text, in any case."""
    import getpass

    actor = f"cli:{getpass.getuser()}"
    urpaq("statement", "150101500021", db=db)
    urpaq("register", "history", "150101500021", db=db)

    def actions(*args: str) -> list[str]:
        answer = json.loads(urpaq("audit", "--json", *args, db=db).stdout)
        return [e["action"] for e in answer["events"]]

    assert actions("--action", "HISTORY") == ["register_history"]
    assert actions("--action", "statement", "--actor", actor.upper()) == ["statement"]
    assert actions("--actor", "operator:") == []
    today = json.loads(urpaq("audit", "--json", "--limit", "1", db=db).stdout)["events"][0]
    day = dt.datetime.fromisoformat(today["at"]).astimezone(KAZAKHSTAN).date()
    days = ("--since", str(day), "--until", str(day), "--action", "t")
    assert actions(*days)[-2:] == ["register_history", "statement"]
    assert actions("--until", str(day - dt.timedelta(days=1))) == []


def test_a_statement_explains_every_line_with_its_date_and_running_balance(
    db: str, feed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The text form prints each line's date, its rule in words and the running balance;
    `--json` keeps every field of an entry and adds `date`, `rule`, `values`, `balance`
    and `explanation`."""
    prepare(db, feed)
    for year, as_of in ((2023, "2024-01-31"), (2024, "2025-01-31"), (2025, "2026-01-30")):
        urpaq("close", str(year), "--as-of", as_of, db=db)
    late = json.loads(urpaq("statement", "160202600019", "--json", db=db).stdout)
    first = late["entries"][0]
    assert first == {
        "reporting_year": 2024, "kind": "back_accrual", "amount": first["amount"],
        "account": "target_requirements", "date": "2025-01-31", "rule": "back_accrual",
        "values": {"year": 2024, "since": 2023, "previous": 2023, "due": first["amount"],
                   "held": "0.00"},
        "balance": first["amount"],
        "explanation": "back-accrual: what a participant since 2023 holds after the close of"
        f" 2023 ({Decimal(first['amount']):,}), paid from the pot",
    }  # fmt: skip
    assert late["entries"][-1]["balance"] == late["target_requirements"]
    first_amount = f"{Decimal(first['amount']):,}"
    accrual = late["entries"][2]
    assert accrual["explanation"] == (
        "per-child accrual of 2024: the TR total 888,834,323.11, plus 347,759,634.50 returned"
        " to the pot, less 347,759,634.50 of back-accruals, split among 2 participants,"
        " rounded down to the cent (the 0.01 left over is not split)"
    )
    lost = json.loads(urpaq("statement", "150101500011", "--json", db=db).stdout)
    assert lost["entries"][-1]["explanation"] == "forfeiture: citizenship lost on 2024-04-01"
    assert lost["entries"][-1]["balance"] == "0.00"
    adult = json.loads(urpaq("statement", "080315601232", "--json", db=db).stdout)
    savings = [e for e in adult["entries"] if e["account"] == "target_savings"]
    assert [(e["rule"], e["date"], e["balance"]) for e in savings] == [
        ("savings_credited", "2026-01-30", adult["target_savings"])
    ]
    monkeypatch.setenv("COLUMNS", "240")
    text = urpaq("statement", "160202600019", db=db).stdout
    income = late["entries"][1]
    row = next(row for row in text.splitlines() if "investment income of 2024" in row)
    cells = [cell.strip() for cell in row.split("│")[1:-1]]
    assert cells == [
        "2025-01-31", "2024", f"investment income of 2024: 3.02 % on {first_amount}",
        f"{Decimal(income['amount']):,}", f"{Decimal(income['balance']):,}",
    ]  # fmt: skip
    assert "target savings: no entries" in text
    assert f"target requirements: {Decimal(late['target_requirements']):,} USD" in text


def test_statistics_by_region_and_of_payouts_print_one_json_document(db: str, feed: Path) -> None:
    """Regions of a close and payouts up to a day, as published (small cells null) and,
    for staff, in full; amounts are strings with two decimals."""
    prepare(db, feed)
    urpaq("close", "2023", "--as-of", "2024-01-31", db=db)
    published = json.loads(urpaq("statistics", "regions", "--year", "2023", "--json", db=db).stdout)
    assert published["reporting_year"] == 2023 and published["currency"] == "USD"
    assert published["small_cells"] == "hidden" and published["per_child"] == "347759634.50"
    # Every region, the empty ones hidden too: two people, each in a region of their own.
    assert [r["participants"] for r in published["regions"]] == [None] * 21
    assert published["total"] == {
        "participants": 2, "turning_18": 0, "accrued": "695519269.00",
        "target_savings_credited": "0.00", "matured_late": 0,
    }  # fmt: skip
    staff = urpaq("statistics", "regions", "--year", "2023", "--show-small-cells", "--json", db=db)
    assert [r for r in json.loads(staff.stdout)["regions"] if r["participants"]] == [
        {"region": "KZ-71", "name": "Astana", "participants": 1, "turning_18": 0,
         "accrued": "347759634.50", "target_savings_credited": "0.00", "matured_late": 0},
        {"region": "KZ-75", "name": "Almaty", "participants": 1, "turning_18": 0,
         "accrued": "347759634.50", "target_savings_credited": "0.00", "matured_late": 0},
    ]  # fmt: skip
    printed = urpaq("statistics", "regions", "--year", "2023", db=db).stdout
    assert "the close of 2023 by region" in printed and "hidden" in printed
    audit = json.loads(urpaq("audit", "--json", db=db).stdout)["events"]
    # The published figures are no read of anyone's data; the small cells are.
    assert [e["action"] for e in audit if e["action"].startswith("statistics")] == [
        "statistics regions 2023 --show-small-cells"
    ]
    payouts = json.loads(
        urpaq("statistics", "payouts", "--until", "2026-01-01", "--json", db=db).stdout
    )
    nothing = {"payouts": 0, "amount": "0.00", "returned": 0, "returned_amount": "0.00",
               "net_payouts": 0, "net_amount": "0.00"}  # fmt: skip
    assert payouts == {
        "until": "2026-01-01", "purposes": [], "operators": [],
        "total": nothing, "heirs": nothing, "small_cells": "hidden", "currency": "USD",
    }  # fmt: skip


def test_the_import_shows_its_progress_bar_on_a_terminal_only(db: str, feed: Path) -> None:
    """On a terminal the import draws its bar (records read, the rate, the time left);
    elsewhere (a pipe, a log file) nothing but the answer and its messages."""
    import pty

    controller, terminal = pty.openpty()
    env = {**os.environ, "URPAQ_DB": db, "COLUMNS": "120", "TERM": "xterm"}
    with subprocess.Popen(
        [sys.executable, "-m", "urpaq", "register", "import", str(feed)],
        stdout=subprocess.PIPE, stderr=terminal, env=env,
    ) as running:  # fmt: skip
        os.close(terminal)
        drawn = b""
        while chunk := _read_some(controller):
            drawn += chunk
        running.wait(timeout=120)
    os.close(controller)
    assert running.returncode == 0
    assert f"reading {feed.name}".encode() in drawn, drawn
    piped = urpaq("register", "import", str(feed), db=db)
    assert piped.stderr.startswith(f"{feed.name} was imported before"), piped.stderr
    assert "\x1b" not in piped.stderr and "reading" not in piped.stderr


def _read_some(descriptor: int) -> bytes:
    """What a terminal's other end has to read, or nothing once the program has ended."""
    try:
        return os.read(descriptor, 65536)
    except OSError:  # the program closed its end
        return b""

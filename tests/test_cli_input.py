"""Bad input to the command line gets a message naming it and an exit code, never a
Python traceback (security review 2026-11, D10 and probe 3.28)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest

from pg_server import TemporaryPostgres
from urpaq.domain.money import Money
from urpaq.domain.parameters import YearParameters
from urpaq.entrypoints.cli.audit import LIMIT_MAX


def urpaq(*args: str, db: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `urpaq ARGS --db DB` in its own process, as an operator would; messages are not
    wrapped, so that a long path stays on one line."""
    return subprocess.run(
        [sys.executable, "-m", "urpaq", *args, "--db", db],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "1000"},
        timeout=60,
        cwd=cwd,
    )


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A fresh SQLite database at the current schema."""
    url = f"sqlite:///{tmp_path / 'urpaq.db'}"
    assert urpaq("init", db=url).returncode == 0
    return url


def a_feed_url(tmp_path: Path) -> tuple[str, str]:
    (tmp_path / "feed.csv").write_text("record_id,iin\n", encoding="utf-8")
    return f"sqlite:///{tmp_path / 'feed.csv'}", "file is not a database"


def a_directory_url(tmp_path: Path) -> tuple[str, str]:
    return f"sqlite:///{tmp_path}", "it is a directory"


def an_uncreatable_url(tmp_path: Path) -> tuple[str, str]:
    return "sqlite:////proc/nonexist/x.db", "No such file or directory: /proc/nonexist"


@pytest.mark.parametrize(
    ("command", "database"),
    [
        *(
            (command, url)
            for command in ("reconcile", "init")
            for url in (a_directory_url, a_feed_url)
        ),
        ("init", an_uncreatable_url),
    ],
)
def test_a_database_url_that_names_no_database_is_refused_naming_it(
    tmp_path: Path, database: Callable[[Path], tuple[str, str]], command: str
) -> None:
    """A sqlite URL naming a directory, another kind of file or an impossible path exits 3
    with the URL and the reason."""
    url, reason = database(tmp_path)
    done = urpaq(command, db=url)
    assert done.returncode == 3, done.stderr
    assert f"database {url} cannot be opened: {reason}" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "command", [["reconcile"], ["statement", "080315601232"], ["audit"]], ids=" ".join
)
def test_a_command_that_uses_a_database_leaves_a_missing_one_missing(
    tmp_path: Path, command: list[str]
) -> None:
    """A mistyped `--db` of a command that only uses the database exits 3 saying that
    there is none, and creates neither the file nor its folders."""
    url = f"sqlite:///{tmp_path}/typo/urpaq.db"
    done = urpaq(*command, db=url)
    assert done.returncode == 3, done.stderr
    assert f"database {url} does not exist: run `urpaq init` first" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("serving", "reason"),
    [("a directory", "it is a directory"), ("not a database", "file is not a database")],
)
@pytest.mark.parametrize(
    ("command", "exit_code"),
    [
        # Reading the audit log from a file that is none: refused, as a --db that is none.
        (["audit"], 3),
        (["audit", "--iin", "080315601232"], 3),
        # A read that cannot be recorded is a failure of the command (its own message).
        (["statement", "080315601232"], 1),
    ],
)
def test_a_serving_file_that_is_no_database_is_refused_naming_it(
    db: str, tmp_path: Path, command: list[str], exit_code: int, serving: str, reason: str
) -> None:
    """The file beside the database that holds the audit log is opened on first use: if
    it is a directory or some other file, the command exits with one line naming it and
    why, no traceback."""
    beside = tmp_path / "urpaq-serving.db"
    beside.unlink()  # made by `urpaq init`, as the server would make it: replaced
    if serving == "a directory":
        beside.mkdir()
    else:
        beside.write_text("garbage " * 100, encoding="utf-8")
    done = urpaq(*command, db=db)
    assert done.returncode == exit_code, done.stderr
    assert f"database sqlite:///{beside} cannot be opened: {reason}" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_parameters_file_with_a_byte_order_mark_is_read(db: str, tmp_path: Path) -> None:
    """Some editors begin a UTF-8 file with a byte-order mark; it is read past, as in a
    register feed."""
    shipped = resources.files("urpaq.data").joinpath("parameters.toml").read_text("utf-8")
    marked = tmp_path / "marked.toml"
    marked.write_bytes(b"\xef\xbb\xbf" + shipped.encode("utf-8"))
    done = urpaq("parameters", "import", str(marked), db=db)
    assert done.returncode == 0, done.stderr


def test_parameters_refused_where_the_refusal_cannot_be_recorded_still_name_the_value(
    tmp_path: Path,
) -> None:
    """The inputs' refusal comes first, whatever the database says: recording it in a
    database that does not exist fails, and is said too."""
    missing = f"sqlite:///{tmp_path}/none.db"
    done = urpaq(
        "parameters", "set", "2026", "--tr-total", "abc", "--ii-rate", "0.01",
        "--reference", "r", db=missing,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert "does not exist" in done.stderr and "amount 'abc' is not dollars" in done.stderr


def test_a_parameters_file_with_a_reference_too_long_is_refused_naming_its_year(
    db: str, tmp_path: Path
) -> None:
    long = tmp_path / "long.toml"
    long.write_text(
        '[[year]]\nyear = 2026\ntr_total = "100.00"\nii_rate = "0.03"\n'
        f'reference = "{"L" * 501}"\n',
        encoding="utf-8",
    )
    done = urpaq("parameters", "import", str(long), db=db)
    assert done.returncode == 3, done.stderr
    assert "[[year]] #1: the reference" in done.stderr
    assert "501 characters long, at most 500" in done.stderr


def refusals(text: str) -> list[str]:
    """What a parameters file named `p.toml` holding `text` is refused for, each item."""
    from urpaq.adapters.parameter_file import parse_parameters
    from urpaq.domain.parameters import InvalidParameters

    with pytest.raises(InvalidParameters) as refusal:
        parse_parameters(text, source="p.toml")
    return str(refusal.value).split("; ")


def test_a_parameters_file_names_every_item_it_refuses_and_where() -> None:
    """Only the first bad value was said, without its year's table (`refused: TR total
    -1.00 must be positive`); a list or a number as the reference, and `year = true`, were
    taken (`['a', 'b']` stored as the reference)."""
    text = (
        '[[year]]\nyear = 2024\ntr_total = "-1.00"\nii_rate = "0.03"\nreference = "r"\n'
        '[[year]]\nyear = 2025\ntr_total = "1,5"\nii_rate = "3e-2"\nreference = ["a", "b"]\n'
        '[[year]]\nyear = true\ntr_total = "1.00"\nii_rate = "0.03"\nreference = 12345\n'
    )
    said = refusals(text)
    assert said == [
        "p.toml [[year]] #1: TR total -1.00 must be positive",
        "p.toml [[year]] #2: amount '1,5' is not dollars with at most two decimals (e.g. 130.71)",
        "p.toml [[year]] #2: II rate '3e-2' is not a decimal number in ASCII digits (a fraction"
        " such as 0.0297, or a percentage such as 2.97%)",
        "p.toml [[year]] #2: reference ['a', 'b'] must be quoted text",
        "p.toml [[year]] #3: year True is not a whole number",
        "p.toml [[year]] #3: reference 12345 must be quoted text",
    ]
    # The checks of a year's range and of its reference's text too, and a year twice.
    text = (
        '[[year]]\nyear = 1800\ntr_total = "1.00"\nii_rate = "x"\nreference = ""\n'
        '[[year]]\nyear = 2024\ntr_total = "1.00"\nii_rate = "0"\nreference = "r"\n'
        '[[year]]\nyear = 2024\ntr_total = "1.00"\nii_rate = "0"\nreference = "a\\u0007b"\n'
    )
    said = refusals(text)
    assert said[0].startswith("p.toml [[year]] #1: II rate 'x' is not a decimal number")
    assert said[1:] == [
        "p.toml [[year]] #1: year 1800 is before the programme's first reporting year 2023",
        "p.toml [[year]] #1: year 1800: a reference to the source is required",
        "p.toml [[year]] #3: year 2024: the reference 'a\\x07b' holds control characters",
        "p.toml: a year appears twice: [1800, 2024, 2024]",
    ]


def test_a_rate_of_minus_zero_is_zero() -> None:
    """`--ii-rate -0` was kept, and shown, as -0."""
    from urpaq.domain.parameters import parse_rate

    assert str(parse_rate("-0")) == "0" and not str(parse_rate("-0.00%")).startswith("-")


def test_a_parameters_file_that_is_not_utf8_is_refused_naming_it(db: str, tmp_path: Path) -> None:
    """A parameters file in another encoding exits 3 naming the file."""
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe[[year]]\n")
    done = urpaq("parameters", "import", str(binary), db=db)
    assert done.returncode == 3, done.stderr
    assert f"parameters file {str(binary)!r} is not UTF-8 text" in done.stderr
    assert "Traceback" not in done.stderr


INPUT_FILE_COMMANDS = [
    pytest.param(["register", "import"], "file", id="register-import"),
    pytest.param(["parameters", "import"], "parameters file", id="parameters-import"),
]


@pytest.mark.parametrize(("command", "kind"), INPUT_FILE_COMMANDS)
def test_a_file_that_cannot_be_read_is_refused_naming_it(
    db: str, command: list[str], kind: str
) -> None:
    """A file whose reading fails (here /proc/self/mem: an I/O error) exits 3 naming it."""
    done = urpaq(*command, "/proc/self/mem", db=db)
    assert done.returncode == 3, done.stderr
    assert f"{kind} '/proc/self/mem' cannot be read: Input/output error" in done.stderr
    assert "Traceback" not in done.stderr


def a_directory(tmp_path: Path) -> Path:
    (tmp_path / "feeds").mkdir()
    return tmp_path / "feeds"


def a_fifo(tmp_path: Path) -> Path:
    os.mkfifo(tmp_path / "fifo")
    return tmp_path / "fifo"


def a_link_to_dev_null(tmp_path: Path) -> Path:
    (tmp_path / "null").symlink_to("/dev/null")
    return tmp_path / "null"


@pytest.mark.parametrize(
    ("make", "description"),
    [
        (a_directory, "is a directory, not a file"),
        (a_fifo, "is not a regular file"),
        (a_link_to_dev_null, "is not a regular file"),
    ],
)
@pytest.mark.parametrize(("command", "kind"), INPUT_FILE_COMMANDS)
def test_a_path_that_is_no_regular_file_is_called_what_it_is(
    db: str,
    tmp_path: Path,
    make: Callable[[Path], Path],
    description: str,
    command: list[str],
    kind: str,
) -> None:
    """A directory, a FIFO or a device given as an input file is refused (exit 3) as what
    it is, not as a file that does not exist."""
    path = make(tmp_path)
    done = urpaq(*command, str(path), db=db)
    assert done.returncode == 3, done.stderr
    assert f"{kind} {str(path)!r} {description}" in done.stderr


def test_audit_refuses_a_limit_beyond_its_maximum(db: str) -> None:
    """`audit --limit` above LIMIT_MAX is a usage error (exit 2) naming the option and the
    maximum."""
    assert urpaq("audit", "--limit", str(LIMIT_MAX), db=db).returncode == 0
    done = urpaq("audit", "--limit", str(LIMIT_MAX + 1), db=db)
    assert done.returncode == 2, done.stderr
    assert "Invalid value for '--limit'" in done.stderr
    assert f"less than or equal to {LIMIT_MAX}" in done.stderr


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (
            ["parameters", "set", "2026", "--tr-total", "1.00", "--tr-total=2.00",
             "--ii-rate", "0.01", "--reference", "r"],
            "option --tr-total is given 2 times: give it once",
        ),
        (  # `--` as an option's value is no separator
            ["parameters", "set", "2026", "--reference", "--", "--tr-total", "1.00",
             "--tr-total", "2.00", "--ii-rate", "0.01"],
            "option --tr-total is given 2 times: give it once",
        ),
        (["reconcile", "--json", "--json"], "option --json is given 2 times: give it once"),
        (  # the values are not repeated: a URL may hold a password
            ["reconcile", "--db", "postgresql://urpaq:S3cret@db/urpaq", "--json"],
            "option --db is given 2 times: give it once",
        ),
    ],
)  # fmt: skip
def test_an_option_given_twice_is_a_usage_error(db: str, arguments: list[str], said: str) -> None:
    """`--tr-total 1.00 --tr-total 2.00` recorded 2.00 without a word: which one was meant
    is the operator's to say."""
    done = urpaq(*arguments, db=db)
    assert done.returncode == 2 and said in done.stderr, done.stderr
    if "--json" in arguments:
        assert json.loads(done.stdout)["error"]["message"] == said
    assert "Traceback" not in done.stderr and "S3cret" not in done.stderr + done.stdout


def test_an_options_value_that_looks_like_an_option_is_its_value(db: str) -> None:
    """`--reference --db` is a reference of "--db" (as the command's parser reads it), not
    `--db` given besides the other."""
    done = urpaq(
        "parameters", "set", "2026", "--tr-total", "1.00", "--ii-rate", "0.01",
        "--reference", "--db", db=db,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def an_uncreatable_workdir(tmp_path: Path) -> Path:
    return Path("/proc/nonexist")


def a_file_as_workdir(tmp_path: Path) -> Path:
    (tmp_path / "notes.txt").write_text("", encoding="utf-8")
    return tmp_path / "notes.txt"


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (an_uncreatable_workdir, "cannot be written: No such file or directory"),
        (a_file_as_workdir, "is not a directory"),
    ],
)
def test_a_demo_workdir_that_cannot_be_written_is_refused_naming_it(
    tmp_path: Path, make: Callable[[Path], Path], reason: str
) -> None:
    """`demo --workdir` where the register file cannot be written exits 3 naming it, and
    leaves no database behind."""
    workdir = make(tmp_path)
    done = urpaq("demo", "--workdir", str(workdir), db=f"sqlite:///{tmp_path / 'demo.db'}")
    assert done.returncode == 3, done.stderr
    assert f"workdir {str(workdir)!r} {reason}" in done.stderr
    assert not (tmp_path / "demo.db").exists()


HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["parameters", "set", HUGE, "--tr-total", "1", "--ii-rate", "0.01", "--reference", "x"],
         3, f"year {HUGE} is after 9999"),
        (["parameters", "set", "2030", "--tr-total", HUGE + "9999", "--ii-rate", "0.01",
          "--reference", "x"], 3, "must be at most"),
        (["close", HUGE], 2, "less than or equal to 9999"),
        (["register", "rejections", HUGE], 3, f"there is no import batch {HUGE}"),
        (["payouts", "settle", "--as-of", "0001-01-01"], 0, ""),
        (["payouts", "settle", "--as-of", "0010-12-31"], 0, ""),
        (["payouts", "settle", "--as-of", "9999-12-31"], 3, "[as_of_in_future]"),
        (["audit", "--since", "0001-01-01"], 0, ""),
        (["audit", "--since", "0001-01-02"], 0, ""),
    ],
)  # fmt: skip
def test_huge_numbers_and_early_dates_get_a_message_not_a_traceback(
    db: str, args: list[str], code: int, message: str
) -> None:
    """A year or a batch beyond what a database column holds, an amount as large, a
    settlement dated before the calendar's tenth year, or after today: each has its exit
    code and says why."""
    done = urpaq(*args, db=db)
    assert done.returncode == code, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgresql://[::1", 'matching "]"'),
        ("postgresql://u@h/db?bogus=1", 'invalid URI query parameter: "bogus"'),
        ("postgresql://u@h/db?connect_timeout=x", "bad value for connect_timeout"),
        ("postgresql://u@%zz/db", "invalid percent-encoded token"),
        ("postgresql://u@h/db%00", "forbidden value %00"),
        ("postgresql://u:s%zzcret@h/db", "invalid percent-encoded token"),
        ("postgresql://u:secret@h:99999/db", "invalid port number '99999'"),
        ("postgresql://u@h:0/db", "invalid port number '0'"),
        ("postgresql://u@h:5432,h2:x/db", "invalid port number 'x'"),
        ("postgresql://u@h:" + "9" * 5000 + "/db", "invalid port number '9999999999…'"),
    ],
)
def test_a_malformed_postgresql_url_is_a_usage_error_naming_it(url: str, reason: str) -> None:
    """A PostgreSQL URL the driver cannot parse exits 2 with the URL (password masked)
    and the driver's reason, before any connection is tried."""
    done = urpaq("reconcile", db=url)
    assert done.returncode == 2, done.stderr
    said = " ".join(done.stderr.split())  # a URL longer than the line is wrapped
    assert "is malformed" in said and reason in said
    assert "Traceback" not in done.stderr
    assert "s%zzcret" not in done.stderr


def test_a_sqlite_url_naming_a_device_or_with_a_query_is_refused(tmp_path: Path) -> None:
    """`sqlite:////dev/null` failed with "disk I/O error" (exit 1) after writing
    `/dev/null-journal`; `?mode=ro` became part of a new file's name."""
    device = urpaq("init", db="sqlite:////dev/null")
    assert device.returncode == 3, device.stderr
    assert "it is not a regular file" in device.stderr
    assert not Path("/dev/null-journal").exists()
    queried = urpaq("init", db=f"sqlite:///{tmp_path / 'q.db'}?mode=ro")
    assert queried.returncode == 2, queried.stderr
    assert "a SQLite URL takes no query ('?mode=ro')" in queried.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_sqlite_url_naming_a_uri_is_refused(tmp_path: Path) -> None:
    """`sqlite:///file:u.db` made `u.db` readable by everyone (SQLite read the name as a
    URI), and every later command said it did not exist."""
    done = urpaq("init", db="sqlite:///file:u.db", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "names a file, not a URI" in " ".join(done.stderr.split())
    assert list(tmp_path.iterdir()) == []
    named = urpaq("init", db="sqlite:///./file:u.db", cwd=tmp_path)
    assert named.returncode == 0, named.stderr
    assert (tmp_path / "file:u.db").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("command", [("reconcile",), ("serve", "--port", "1")])
def test_a_postgresql_url_its_server_cannot_take_is_refused_as_such(
    postgres: TemporaryPostgres, command: tuple[str, ...]
) -> None:
    """A setting's value libpq refuses before connecting (`sslmode=bogus`) was a failure
    (exit 1) beside every other malformed URL's usage error (exit 2); a database the
    server does not have, a failure as if trying again could help (exit 3 now, naming it)."""
    bogus = urpaq(*command, db=postgres.url() + "?sslmode=bogus")
    assert bogus.returncode == 2, bogus.stderr
    assert "is malformed: invalid sslmode value" in bogus.stderr
    quoted = urpaq(*command, db=postgres.url() + "?ssl_min_protocol_version=bogus")
    assert quoted.returncode == 2, quoted.stderr  # libpq quotes this setting's name
    missing = urpaq(*command, db=postgres.url("no_such_database"))
    assert missing.returncode == 3, missing.stderr
    assert 'database "no_such_database" does not exist' in missing.stderr
    assert "Traceback" not in bogus.stderr + missing.stderr


def test_the_commands_today_is_kazakhstans_whatever_the_machines_time_zone(db: str) -> None:
    """The commands date what they do, and refuse dates after today, by Kazakhstan's date,
    as the server does — not by the machine's time zone: on a machine set 17 hours behind
    Kazakhstan (or 9 ahead), `--until` today in Kazakhstan is accepted and tomorrow in
    Kazakhstan refused."""
    import datetime as dt

    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=5)))
    # A POSIX TZ needs no time zone database: "AAA12" is UTC-12, "AAA-14" UTC+14.
    zone = "AAA12" if now.hour < 15 else "AAA-14"
    today = now.date()
    env = {**os.environ, "COLUMNS": "1000", "TZ": zone}

    def until(day: dt.date) -> subprocess.CompletedProcess[str]:
        command = ["statistics", "payouts", "--until", day.isoformat(), "--json", "--db", db]
        return subprocess.run(
            [sys.executable, "-m", "urpaq", *command],
            capture_output=True, text=True, env=env, timeout=60,
        )  # fmt: skip

    assert until(today).returncode == 0, until(today).stderr
    tomorrow = until(today + dt.timedelta(days=1))
    assert tomorrow.returncode == 3
    assert f"is after today ({today.isoformat()})" in tomorrow.stderr


def test_kazakhstans_day_begins_at_19_00_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from urpaq.entrypoints import clock
    from urpaq.entrypoints.cli._common import today

    monkeypatch.setattr(clock, "utc_now", lambda: dt.datetime(2020, 1, 1, 18, 59, tzinfo=dt.UTC))
    assert today() == dt.date(2020, 1, 1)
    monkeypatch.setattr(clock, "utc_now", lambda: dt.datetime(2020, 1, 1, 19, 0, tzinfo=dt.UTC))
    assert today() == dt.date(2020, 1, 2)


def urpaq_patched(patch: str, *args: str, db: str) -> subprocess.CompletedProcess[str]:
    """`urpaq ARGS --db DB` in its own process after the Python of `patch` has run (to
    make the storage fail as it would on a full disk); its messages in 40 columns, where
    one that must stay on one line would wrap if it could."""
    main = "\nimport sys\nfrom urpaq.entrypoints.cli import main\nsys.argv[0] = 'urpaq'\nmain()\n"
    return subprocess.run(
        [sys.executable, "-c", patch + main, *args, "--db", db],
        capture_output=True, text=True, env={**os.environ, "COLUMNS": "40"}, timeout=60,
    )  # fmt: skip


#: `urpaq` with the database's pages capped just above what it has (SQLite's
#: `max_page_count`): a write that needs more meets SQLite's "database or disk is full",
#: as on a full disk.
ON_A_FULL_DISK = """
from urpaq.adapters.sqlite import connection
opened = connection.connect
def capped(path, **options):
    db = opened(path, **options)
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages + 2}")
    return db
connection.connect = capped
"""


def test_a_full_disk_is_an_error_naming_the_database_and_stores_nothing(
    db: str, tmp_path: Path
) -> None:
    """An import that fills the disk exits 1 with one line naming the database and the
    disk's state (one line however narrow the output: a log is searched for it), no
    traceback; the register is as before, and the same import succeeds
    once there is room."""
    from urpaq import bootstrap
    from urpaq.demo import synthetic_register

    feed = tmp_path / "register.csv"
    rows = synthetic_register.generate(synthetic_register.scaled_targets(5_000), seed=7)
    bootstrap.write_feed(feed, rows)
    full = urpaq_patched(ON_A_FULL_DISK, "register", "import", str(feed), db=db)
    assert full.returncode == 1, full.stderr
    assert "Traceback" not in full.stderr
    assert f"error: database {db} could not complete the command: database or disk is full" in (
        full.stderr
    )
    # Nothing of it was stored: the same import, with room, is the first batch.
    assert "batch 1:" in urpaq("register", "import", str(feed), db=db).stderr


#: `urpaq` whose bookkeeping after an import's commit (PostgreSQL's VACUUM ANALYZE) fails
#: as when the server ends the connection then.
WITH_THE_BOOKKEEPING_FAILING = """
import sqlite3
from urpaq.adapters.sql.register import SqlRegister
def failing(self):
    error = sqlite3.OperationalError("disk I/O error")
    error.sqlite_errorcode = sqlite3.SQLITE_IOERR
    raise error
SqlRegister.tidy_after_import = failing
"""


def test_an_import_stored_before_its_bookkeeping_failed_says_so_and_succeeds(
    db: str, tmp_path: Path
) -> None:
    """The records were committed when the bookkeeping after them failed: the import
    succeeded (exit 0, its summary), with a warning that says why; the same file again is
    a repeat."""
    feed = tmp_path / "register.csv"
    feed.write_text(
        "record_id,iin,kind,effective_date,recorded_on,region\n"
        "a1,080315601232,born_citizen,2008-03-15,2008-03-20,KZ-75\n",
        encoding="utf-8",
    )
    done = urpaq_patched(WITH_THE_BOOKKEEPING_FAILING, "register", "import", str(feed), db=db)
    assert done.returncode == 0, done.stderr
    assert "batch 1: 1 records stored" in done.stderr
    assert (
        "warning: the records are stored, but the database's bookkeeping after them failed"
        " (disk I/O error); its own maintenance (autovacuum) will do it" in done.stderr
    )
    assert "imported before (batch 1)" in urpaq("register", "import", str(feed), db=db).stderr


#: `urpaq` as a user who may not read a file named `unreadable.*` (the tests may run as
#: root, whom no file's mode keeps out).
NOT_READABLE = """
import os, pathlib
real_access, real_open = os.access, pathlib.Path.open
def access(path, mode, **options):
    return False if 'unreadable' in str(path) else real_access(path, mode, **options)
def opened(self, *arguments, **options):
    if 'unreadable' in self.name:
        raise PermissionError(13, 'Permission denied', str(self))
    return real_open(self, *arguments, **options)
os.access, pathlib.Path.open = access, opened
"""


@pytest.mark.parametrize(
    ("command", "name"), [(("register", "import"), "unreadable.csv"),
                          (("parameters", "import"), "unreadable.toml")],
)  # fmt: skip
def test_a_file_that_cannot_be_read_is_refused_naming_it_not_a_usage_error(
    db: str, tmp_path: Path, command: tuple[str, str], name: str
) -> None:
    path = tmp_path / name
    path.write_text("record_id,iin,kind,effective_date,recorded_on\n", encoding="utf-8")
    done = urpaq_patched(NOT_READABLE, *command, str(path), db=db)
    assert done.returncode == 3, done.stdout + done.stderr
    assert name in done.stderr and "Permission denied" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_an_output_that_takes_no_utf8_gets_the_answer_not_a_traceback(tmp_path: Path) -> None:
    """`LC_ALL=C` without Python's UTF-8 coercion, or `PYTHONIOENCODING=ascii`: text
    shows `?` for what it cannot (reconcile's minus signs), and JSON escapes it, the
    same document."""
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    subprocess.run(
        [sys.executable, "-m", "urpaq", "demo", "--db", db, "--workdir", str(tmp_path)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip

    def run(*args: str, encoding: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "urpaq", *args, "--db", db], capture_output=True,
            text=True, encoding="utf-8", errors="strict", timeout=60,
            env={**os.environ, "PYTHONIOENCODING": encoding},
        )  # fmt: skip

    text = run("reconcile", encoding="ascii")
    assert text.returncode == 0 and "Traceback" not in text.stderr, text.stderr
    assert "| check" in text.stdout and "?" in text.stdout
    assert run("audit", encoding="ascii").returncode == 0
    ascii_json = run("reconcile", "--json", encoding="ascii")
    utf8_json = run("reconcile", "--json", encoding="utf-8")
    assert ascii_json.returncode == 0, ascii_json.stderr
    assert ascii_json.stdout.isascii() and not utf8_json.stdout.isascii()
    assert json.loads(ascii_json.stdout) == json.loads(utf8_json.stdout)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["close", "2024", "--preview", "--as-of", "2025-W05-5"], "is not a date YYYY-MM-DD"),
        (["close", "2024", "--preview", "--as-of", "20250131"], "is not a date YYYY-MM-DD"),
        (["audit", "--since", "2025-01-31T00"], "is not a date YYYY-MM-DD"),
        (["audit", "--until", "2025-13-01"], "'2025-13-01' is not a date YYYY-MM-DD"),
        (["audit", "--since", "2025-02-01", "--until", "2025-01-31"], "is before --since"),
        (["audit", "--actor", "a\x1bb"], "'a\\x1bb' holds control characters"),
        (["audit", "--action", "a\x7fb"], "holds control characters"),
    ],
)
def test_a_date_option_is_a_day_written_yyyy_mm_dd_only(
    db: str, args: list[str], message: str
) -> None:
    """As the feed's dates: a week date or the basic form, which `fromisoformat` takes
    for a day, is a usage error naming the value."""
    done = urpaq(*args, db=db)
    assert done.returncode == 2, done.stderr
    assert message in " ".join(done.stderr.split())


def test_the_embedded_database_url_must_name_a_file() -> None:
    """`sqlite:///` alone was a database in memory, `urpaq init` "succeeding" and keeping
    nothing."""
    done = urpaq("init", db="sqlite:///")
    assert done.returncode == 2, done.stderr
    assert "names no file" in " ".join(done.stderr.split())


def test_a_database_of_a_newer_urpaq_is_told_to_upgrade_urpaq(db: str) -> None:
    import sqlite3

    with sqlite3.connect(db.removeprefix("sqlite:///")) as connection:
        connection.execute("INSERT INTO schema_version (version) VALUES (99)")
    done = urpaq("reconcile", db=db)
    assert done.returncode == 3, done.stderr
    said = " ".join(done.stderr.split())
    assert "newer than this urpaq" in said and "upgrade urpaq" in said
    assert "run `urpaq init`" not in said


@pytest.mark.parametrize("rate", ["٠.٠٣", "０.０３", "３%", "1_0", "0.03%%"])
def test_an_ii_rate_in_another_scripts_digits_is_refused_as_the_tr_total_is(
    db: str, rate: str
) -> None:
    """`٠.٠٣` (Arabic-Indic) and `０.０３` (full width) were read as 0.03, `３%` as 3 %,
    where the TR total in the same command refuses such digits: both in ASCII digits
    now, the value named."""
    done = urpaq(
        "parameters", "set", "2026", "--tr-total", "100.00", "--ii-rate", rate,
        "--reference", "r", db=db,
    )  # fmt: skip
    assert done.returncode == 3, done.stdout
    assert f"II rate {rate!r} is not a decimal number in ASCII digits" in done.stderr


@pytest.mark.parametrize(
    ("option", "value"),
    [("--lookup-floor", "inf"), ("--lookup-floor", "1e9"), ("--lookup-refill", "inf")],
)
def test_a_lookup_setting_beyond_any_use_is_a_usage_error(db: str, option: str, value: str) -> None:
    """`--lookup-floor inf` started a server whose lookups never answered and which no
    signal stopped: a floor is at most 5 seconds, a refill at most a day."""
    done = urpaq("serve", option, value, db=db)
    assert done.returncode == 2, done.stderr
    assert option in " ".join(done.stderr.split())


def test_an_ii_rate_out_of_range_is_named_cut_short(db: str) -> None:
    """A well-formed rate of 3,000 digits was repeated whole in its refusal."""
    done = urpaq(
        "parameters", "set", "2026", "--tr-total", "100.00", "--ii-rate", "1" * 3000,
        "--reference", "r", db=db,
    )  # fmt: skip
    assert done.returncode == 3, done.stdout
    said = " ".join(done.stderr.split())
    assert "(3000 characters) must be at least 0 and below 1" in said and "1" * 100 not in said


def test_an_ii_rate_of_more_decimal_places_than_a_rate_has_is_refused(db: str) -> None:
    """`--ii-rate 0.111…` of 5,000 places was recorded and printed whole: a rate has at
    most 12 decimal places as a fraction (the National Bank publishes four)."""
    done = urpaq(
        "parameters", "set", "2026", "--tr-total", "100.00", "--ii-rate", "0." + "1" * 5000,
        "--reference", "r", db=db,
    )  # fmt: skip
    assert done.returncode == 3, done.stdout
    assert "has more than 12 decimal places" in " ".join(done.stderr.split())
    # Checked as a rate is entered: one stored before the limit is read back as it is.
    stored = YearParameters(2026, Money(100), Decimal("0.0297000000001"), "NB letter")
    assert stored.ii_rate == Decimal("0.0297000000001")
    kept = urpaq(
        "parameters", "set", "2026", "--tr-total", "100.00", "--ii-rate", "2.1234567890%",
        "--reference", "r", db=db,
    )  # fmt: skip
    assert kept.returncode == 0, kept.stderr


#: `urpaq` interrupted by Ctrl-C while its import writes the register's records.
CTRL_C_WHILE_WRITING = """
from urpaq.adapters.sqlite.connection import SqliteConnection
execute = SqliteConnection.execute
def interrupted(self, sql, params=None):
    if sql.lstrip().startswith("INSERT INTO register_record"):
        raise KeyboardInterrupt
    return execute(self, sql, params)
SqliteConnection.execute = interrupted
"""


@pytest.mark.parametrize("json_wanted", [False, True])
def test_a_command_interrupted_by_ctrl_c_says_so_and_stores_nothing(
    db: str, tmp_path: Path, json_wanted: bool
) -> None:
    """Ctrl-C in the middle of an import exited 130 with nothing said (and a close
    interrupted just after its commit said nothing either): one line now, exit 1, its
    JSON error document; the same import afterwards is the first."""
    feed = tmp_path / "register.csv"
    feed.write_text(
        "record_id,iin,kind,effective_date,recorded_on,region\n"
        "r1,150101500011,born_citizen,2015-01-01,2015-01-05,\n",
        encoding="utf-8",
    )
    options = ["--json"] if json_wanted else []
    stopped = urpaq_patched(CTRL_C_WHILE_WRITING, "register", "import", str(feed), *options, db=db)
    assert stopped.returncode == 1, stopped.stderr
    assert "Traceback" not in stopped.stderr
    assert "error: interrupted (Ctrl-C): what the command changes is stored whole or not at" in (
        " ".join(stopped.stderr.split())
    )
    if json_wanted:
        assert json.loads(stopped.stdout)["error"]["reason"] == "interrupted"
    assert "batch 1:" in urpaq("register", "import", str(feed), db=db).stderr


def test_ctrl_c_while_the_command_line_loads_is_one_line_not_a_trace(db: str) -> None:
    """Ctrl-C in the first half second printed some forty lines of Python's importing."""
    stopped_loading = (
        "import sys\n"
        "class Interrupting:\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name == 'urpaq.entrypoints.cli':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Interrupting())\n"
        "from urpaq.entrypoints.launch import main\n"
        "sys.argv[0] = 'urpaq'\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", stopped_loading, "statement", "150101500011", "--json", "--db", db],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == "error: interrupted (Ctrl-C) while starting: nothing was done\n"
    assert json.loads(done.stdout)["error"]["reason"] == "interrupted"


def test_ctrl_c_while_a_command_ends_ends_it_at_once_with_its_answer_s_code(db: str) -> None:
    """A command that has answered may still wait as it ends (a server's last write on a
    lock, for up to ten minutes): Ctrl-C then was ignored, then it ended with a silent exit
    of the signal's own.  It ends at once, with the answer's exit code and its output."""
    waits_as_it_ends = (
        "import threading, time\n"
        "threading.Thread(target=time.sleep, args=(120,)).start()\n"  # not a daemon
        "from urpaq.entrypoints.launch import main\n"
        "import sys\n"
        "sys.argv[0] = 'urpaq'\n"
        "main()\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", waits_as_it_ends, "statement", "150101500011", "--json",
         "--db", db],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline()]
        while lines[-1] not in ("}\n", ""):  # the document, whole
            lines.append(process.stdout.readline())
        assert json.loads("".join(lines))["status"] == "unknown"
        time.sleep(0.5)  # the command has ended; its thread keeps the process
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0

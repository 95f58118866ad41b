"""Importing the register feed: all or nothing per record, idempotent, bounded."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from pathlib import Path

import pytest

from urpaq.adapters.feed import FeedUnreadable, inspect_feed, read_feed
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.services.ports.register import ImportSummary
from urpaq.services.register_import import import_records

TODAY = dt.date(2026, 11, 22)
HEADER = "record_id,iin,kind,effective_date,recorded_on,region\n"
ASEL = "080315601232"  # born 2008-03-15
ALI = "080315600704"  # born 2008-03-15


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_import(uow: SqlUnitOfWork, path: Path) -> ImportSummary:
    feed = inspect_feed(path)
    return import_records(
        uow, rows=read_feed(feed), source=path.name, sha256=feed.sha256, today=TODAY
    )


def count(uow: SqlUnitOfWork, table: str) -> int:
    return int(uow.db.scalar(f"SELECT COUNT(*) FROM {table}"))


def test_valid_records_are_stored_and_invalid_ones_kept_with_line_and_reason(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    """A file with good and bad rows units the good ones and keeps each bad one with its line."""
    path = write(
        tmp_path,
        "feed.csv",
        HEADER
        + f"r1,{ASEL},born_citizen,2008-03-15,2008-03-20,KZ-75\n"
        + "r2,080315601233,born_citizen,2008-03-15,2008-03-20,\n"
        + f"r3,{ALI},born_citizen,2008-03-15,2008-03-20,Almaty\n",
    )
    summary = run_import(uow, path)
    assert (summary.accepted, summary.rejected) == (2, 1)
    assert summary.rejections[0].line == 3
    assert "080315601233" in summary.rejections[0].reason
    assert count(uow, "register_record") == 2
    assert count(uow, "rejected_record") == 1
    regions = dict(uow.db.query("SELECT iin, region FROM person"))
    assert regions == {ASEL: "KZ-75", ALI: "KZ-75"}


def test_importing_the_same_file_twice_changes_nothing(uow: SqlUnitOfWork, tmp_path: Path) -> None:
    """A repeated file is recognised and reported as before, with nothing written."""
    path = write(
        tmp_path, "feed.csv", HEADER + f"r1,{ASEL},born_citizen,2008-03-15,2008-03-20,\nbad,row\n"
    )
    first = run_import(uow, path)
    again = run_import(uow, path)
    assert again.repeated_file
    assert (again.batch_id, again.accepted, again.rejected) == (first.batch_id, 1, 1)
    assert (
        count(uow, "register_record"),
        count(uow, "rejected_record"),
        count(uow, "import_batch"),
    ) == (1, 1, 1)


def test_a_record_seen_before_is_unchanged_and_a_changed_one_is_refused(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    """Records are keyed by record_id: the same content is a no-op, other content is refused."""
    run_import(
        uow, write(tmp_path, "a.csv", HEADER + f"r1,{ASEL},born_citizen,2008-03-15,2008-03-20,\n")
    )
    summary = run_import(
        uow,
        write(
            tmp_path,
            "b.csv",
            HEADER
            + f"r1,{ASEL},born_citizen,2008-03-15,2008-03-20,\n"
            + f"r1,{ASEL},born_citizen,2008-03-15,2008-03-21,\n"
            + f"r2,{ASEL},died,2020-01-01,2020-01-02,\n",
        ),
    )
    assert (summary.accepted, summary.unchanged, summary.rejected) == (1, 1, 1)
    assert "'r1' appears again (first on line 2)" in summary.rejections[0].reason
    changed = run_import(
        uow, write(tmp_path, "c.csv", HEADER + f"r1,{ASEL},born_citizen,2008-03-15,2008-03-22,\n")
    )
    assert "'r1' was imported before with different content" in changed.rejections[0].reason


def test_a_record_seen_before_and_repeated_in_the_file_is_unchanged_once_and_refused_once(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    """The same record twice in a file, as imported before: the first is unchanged, the
    repeat refused and counted only as refused, whatever the rows of the file were
    presumed to be while they were checked."""
    birth = f"r1,{ASEL},born_citizen,2008-03-15,2008-03-20,\n"
    run_import(uow, write(tmp_path, "a.csv", HEADER + birth))
    feed = HEADER + birth + birth + f"r2,{ASEL},died,2020-01-01,2020-01-02,\n"
    summary = run_import(uow, write(tmp_path, "b.csv", feed))
    assert (summary.accepted, summary.unchanged, summary.rejected) == (1, 1, 1)
    assert [r.line for r in summary.rejections] == [3]
    assert "'r1' appears again (first on line 2)" in summary.rejections[0].reason
    assert count(uow, "register_record") == 2


def test_json_lines_carry_the_same_fields(uow: SqlUnitOfWork, tmp_path: Path) -> None:
    """A JSON Lines feed is read like CSV; a broken line is rejected, not fatal."""
    lines = [
        json.dumps(
            {
                "record_id": "j1",
                "iin": ASEL,
                "kind": "born_citizen",
                "effective_date": "2008-03-15",
                "recorded_on": "2008-03-16",
            }
        ),
        "{not json",
        json.dumps(
            {
                "record_id": "j3",
                "iin": 80315600704,
                "kind": "born_citizen",
                "effective_date": "2008-03-15",
                "recorded_on": "2008-03-16",
            }
        ),
        json.dumps(["a list"]),
    ]
    summary = run_import(uow, write(tmp_path, "feed.jsonl", "\n".join(lines) + "\n"))
    assert summary.accepted == 1
    reasons = {r.line: r.reason for r in summary.rejections}
    assert "is not valid JSON" in reasons[2]
    assert "field iin must be a string, got 80315600704" in reasons[3]
    assert "is not a JSON object" in reasons[4]


def test_json_lines_may_begin_with_a_byte_order_mark_and_a_lone_surrogate_is_refused(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    """As a CSV feed may: a byte-order mark before the first line is no part of it.  A
    JSON escape spelling half of a UTF-16 pair alone is no text: that row is refused."""
    first = {
        "record_id": "j1",
        "iin": ASEL,
        "kind": "born_citizen",
        "effective_date": "2008-03-15",
        "recorded_on": "2008-03-16",
    }
    second = {**first, "record_id": "j2", "iin": ALI}
    text = json.dumps(first) + "\n" + json.dumps(second).replace('"j2"', '"j2\\ud800"') + "\n"
    path = tmp_path / "feed.feed"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    summary = run_import(uow, path)
    assert summary.accepted == 1
    [rejection] = summary.rejections
    assert rejection.line == 2
    assert rejection.reason == 'field record_id is not text: "j2\\ud800" holds a lone surrogate'


@pytest.mark.parametrize("change", ["rewritten", "replaced", "compressed and rewritten"])
def test_a_file_changed_after_it_was_digested_is_refused_whole(
    uow: SqlUnitOfWork, tmp_path: Path, change: str
) -> None:
    """The batch is stored under the digest of the file as it was inspected: a file
    rewritten or replaced under its name before it is read again is refused, nothing
    stored, and the file as it is now imports afterwards."""
    first = HEADER + f"r1,{ASEL},born_citizen,2008-03-15,2008-03-20,KZ-75\n"
    second = HEADER + f'"r9",{ALI},born_citizen,2008-03-15,2008-03-20,KZ-75\n'
    name = "feed.csv.gz" if change.startswith("compressed") else "feed.csv"
    path = tmp_path / name
    encode = gzip.compress if name.endswith(".gz") else (lambda data: data)
    path.write_bytes(encode(first.encode()))
    feed = inspect_feed(path)
    if change == "replaced":
        (tmp_path / "new.csv").write_bytes(second.encode())
        (tmp_path / "new.csv").replace(path)
    else:
        path.write_bytes(encode(second.encode()))
    with pytest.raises(FeedUnreadable, match="changed while it was being read"):
        import_records(uow, rows=read_feed(feed), source=name, sha256=feed.sha256, today=TODAY)
    assert count(uow, "import_batch") == count(uow, "register_record") == 0
    assert run_import(uow, path).accepted == 1
    assert uow.db.scalar("SELECT record_id FROM register_record") == "r9"


def test_a_file_written_to_while_it_is_read_is_refused(tmp_path: Path) -> None:
    """Once read through, the file must still be the one digested."""
    path = write(tmp_path, "feed.csv", HEADER + f"r1,{ASEL},born_citizen,2008-03-15,2008-03-20,\n")
    rows = iter(read_feed(inspect_feed(path)))
    assert next(rows).line == 2
    with path.open("a", encoding="utf-8") as more:
        more.write(f"r2,{ALI},born_citizen,2008-03-15,2008-03-20,\n")
    with pytest.raises(FeedUnreadable, match="changed while it was being read"):
        list(rows)


def test_a_date_in_another_iso_spelling_is_refused(uow: SqlUnitOfWork, tmp_path: Path) -> None:
    """Exactly YYYY-MM-DD: a week date (ten characters too) is not taken for a day."""
    path = write(
        tmp_path, "feed.csv", HEADER + f"r1,{ASEL},born_citizen,2008-03-15,2008-W12-1,KZ-75\n"
    )
    summary = run_import(uow, path)
    assert summary.accepted == 0
    assert summary.rejections[0].reason == "recorded_on '2008-W12-1' is not a date YYYY-MM-DD"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        (
            "record_id,iin,kind\nr1,080315601232,born_citizen\n",
            "lacks required column(s) effective_date, recorded_on",
        ),
        (  # a terminal's escape in a column's name is named escaped, not sent to the terminal
            "\x1b[2Jrecord_id,iin," + "x" * 100 + "\n",
            "(found: '\\x1b[2Jrecord_id', 'iin', " + repr("x" * 30) + "… (100 characters))",
        ),
        (",,,\n", "(found: nothing)"),
        (
            HEADER.strip() + ",iin\nr1,080315601232,born_citizen,2008-03-15,2008-03-20,,\n",
            "names column(s) iin more than once",
        ),
    ],
)
def test_a_file_that_is_not_a_feed_is_refused_whole(
    uow: SqlUnitOfWork, tmp_path: Path, text: str, message: str
) -> None:
    """A file without the feed's header is refused before anything is written."""
    with pytest.raises(FeedUnreadable, match=re.escape(message)):
        run_import(uow, write(tmp_path, "broken.csv", text))
    assert count(uow, "import_batch") == 0


def test_an_import_that_fails_midway_leaves_nothing_behind(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    """If reading fails part-way (here: bytes that are not UTF-8), nothing of the file is stored."""
    good = "".join(
        f"r{i},{ASEL if i == 0 else ALI},{'born_citizen' if i < 2 else 'data_updated'},"
        f"2008-03-15,2008-03-20,\n"
        for i in range(30_000)
    )
    path = tmp_path / "broken.csv"
    path.write_bytes(
        (HEADER + good).encode() + b"r-bad,\xff\xfe,born_citizen,2008-03-15,2008-03-20,\n"
    )
    with pytest.raises(FeedUnreadable, match="not UTF-8"):
        run_import(uow, path)
    assert (
        count(uow, "register_record"),
        count(uow, "person"),
        count(uow, "import_batch"),
    ) == (0, 0, 0)


def test_a_person_s_region_is_that_of_their_latest_valid_record(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    """Region follows the latest record naming one, across files; refused records don't count."""
    run_import(
        uow,
        write(
            tmp_path,
            "first.csv",
            HEADER
            + f"a1,{ASEL},born_citizen,2008-03-15,2008-03-20,KZ-75\n"
            + f"a2,{ASEL},data_updated,2020-01-01,2020-01-02,KZ-71\n"
            + f"b1,{ALI},born_citizen,2008-03-15,2008-03-20,KZ-63\n"
            + f"b2,{ALI},died,2019-01-01,2019-01-02,\n"
            + f"b3,{ALI},citizenship_lost,2020-01-01,2020-01-02,KZ-10\n",
        ),
    )
    regions = dict(uow.db.query("SELECT iin, region FROM person"))
    assert regions == {ASEL: "KZ-71", ALI: "KZ-63"}
    run_import(
        uow,
        write(
            tmp_path, "second.csv", HEADER + f"a3,{ASEL},data_updated,2024-05-01,2024-05-02,KZ-79\n"
        ),
    )
    assert dict(uow.db.query("SELECT iin, region FROM person"))[ASEL] == "KZ-79"

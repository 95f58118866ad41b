"""How a feed's lines become rows: each row numbered by the line it starts on, a byte
that is not UTF-8 named by its own line, lines only of commas refused, and JSON Lines
that `json` cannot read (too deep, too many digits, a key given twice) refused as rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from test_feed_characters import json_line
from test_import import ALI, ASEL, HEADER, run_import
from urpaq.adapters.feed import FeedUnreadable, inspect_feed, read_feed
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.domain.iin import compose

TODAY = dt.date(2026, 11, 22)
BIRTH = "born_citizen,2008-03-15,2008-03-20,KZ-75"


def checked(path: Path) -> list[tuple[int, str | None, str | None]]:
    """(line, record_id, reason) of every row, in line order, as an import stages them."""
    batches = read_feed(inspect_feed(path)).checked_batches(today=TODAY)
    rows = [row for batch in batches for row in batch.table.to_pylist()]
    return sorted((row["line"], row["record_id"], row["reason"]) for row in rows)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("[" * 100_000 + "]" * 100_000, "is not valid JSON: nested too deeply"),
        (
            '{"record_id": "j9", "iin": ' + "1" * 5000 + "}",
            "is not valid JSON: Exceeds the limit (4300 digits) for integer string conversion",
        ),
        (
            json_line(record_id="j9").strip()[:-1] + f', "iin": "{ALI}"}}',
            "is not valid JSON: key 'iin' is given twice",
        ),
        (
            json_line(record_id="j9", extra={"a": 1}).replace('"a": 1', '"a": 1, "a": 2').strip(),
            "is not valid JSON: key 'a' is given twice",
        ),
    ],
    ids=["too deep", "too many digits", "a field twice", "a key twice inside"],
)
def test_a_json_line_json_cannot_read_is_a_refused_row(
    uow: SqlUnitOfWork, tmp_path: Path, line: str, reason: str
) -> None:
    """Refused with its line, the rows around it imported: not a failure of the import."""
    path = tmp_path / "feed.jsonl"
    path.write_text(
        json_line() + line + "\n" + json_line(record_id="j3", iin=ALI), encoding="utf-8"
    )
    summary = run_import(uow, path)
    assert (summary.accepted, summary.rejected) == (2, 1)
    [rejection] = summary.rejections
    assert (rejection.line, rejection.record_id, rejection.reason) == (2, None, reason)


def _register(bad_line: int, *, quoted: bool, rows: int = 600) -> bytes:
    """A CSV feed of `rows` births whose line `bad_line` names its region in cp1251."""
    out = [HEADER.encode()]
    serial = 0
    while len(out) <= rows:
        serial += 1
        day = dt.date(2010, 1, 1) + dt.timedelta(days=len(out))
        iin = compose(birth_date=day, is_male=True, serial=serial)
        if iin is None:
            continue
        region = "Алматы".encode("cp1251") if len(out) + 1 == bad_line else b"KZ-75"
        record_id = f'"B{len(out)}"' if quoted else f"B{len(out)}"
        out.append(f"{record_id},{iin.value},born_citizen,{day},{day},".encode() + region + b"\n")
    return b"".join(out)


@pytest.mark.parametrize("bad_line", [2, 137, 200, 601])
@pytest.mark.parametrize("quoted", [False, True], ids=["block reader", "csv"])
def test_a_byte_that_is_not_utf8_is_named_by_its_own_line(
    tmp_path: Path, bad_line: int, quoted: bool
) -> None:
    """Whichever reader a file takes, the file is refused naming the line of the byte."""
    path = tmp_path / "feed.csv"
    path.write_bytes(_register(bad_line, quoted=quoted))
    with pytest.raises(FeedUnreadable, match=f"is not UTF-8 text at line {bad_line}: invalid"):
        checked(path)


def test_a_byte_that_is_not_utf8_in_a_field_of_many_lines_is_named_by_its_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "feed.csv"
    path.write_bytes(
        HEADER.encode()
        + f'r1,{ASEL},born_citizen,2008-03-15,2008-03-20,"KZ\n75\n'.encode()
        + b"\xff\n"
        + b'"\n'
    )
    with pytest.raises(FeedUnreadable, match="is not UTF-8 text at line 4: invalid start byte"):
        checked(path)
    path.write_bytes(b"record_id,\xffiin\n")
    with pytest.raises(FeedUnreadable, match="is not UTF-8 text at line 1: invalid start byte"):
        checked(path)


def test_a_record_of_many_lines_is_numbered_by_the_line_it_starts_on(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    """A quoted field may hold line breaks: the record is its first line's, and the
    records after it keep their own lines (and sequence numbers)."""
    path = tmp_path / "feed.csv"
    path.write_text(
        HEADER
        + f'r1,{ASEL},born_citizen,2008-03-15,2008-03-20,"Almaty\nregion"\n'
        + f"r2,{ALI},{BIRTH}\n"
        + f'"r3",{ALI},data_updated,2020-01-01,2020-01-02,"KZ-75\nx\n"\n'
        + f"r4,{ALI},data_updated,2021-01-01,2021-01-02,\n",
        encoding="utf-8",
    )
    summary = run_import(uow, path)
    assert [(r.line, r.record_id) for r in summary.rejections] == [(2, "r1"), (5, "r3")]
    assert uow.db.query("SELECT record_id, seq FROM register_record ORDER BY seq") == [
        ("r2", 4),
        ("r4", 8),
    ]


def test_a_carriage_return_alone_ends_no_line_of_the_file(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    """A carriage return inside a quoted field (or alone in an unquoted one) counted as
    a line break for the reader that takes quoted files: every later line number was one
    more than the file's own — as `grep -n`, the fast reader and JSON Lines count them —
    and so was a byte that is not UTF-8."""
    rows = (
        HEADER
        + f'r1,{ASEL},born_citizen,2008-03-15,2008-03-20,"Almaty\rregion"\n'
        + f"r2,BADIIN,{BIRTH}\n"
        + f"r3,{ALI},data_updated,2020-01-01,2020-01-02,KZ-\r75\n"
        + f"r4,{ALI},{BIRTH}\n"
    )
    path = tmp_path / "feed.csv"
    path.write_text(rows, encoding="utf-8", newline="")
    summary = run_import(uow, path)
    assert sorted({r.line for r in summary.rejections}) == [2, 3, 4]
    assert [r.line for r in summary.rejections if r.record_id == "r2"] == [3]
    assert uow.db.query("SELECT record_id, seq FROM register_record") == [("r4", 5)]
    path.write_bytes(rows.encode() + b"r5,\xff\n")
    with pytest.raises(FeedUnreadable, match="is not UTF-8 text at line 6: invalid"):
        checked(path)


def test_a_value_is_read_exactly_as_the_file_has_it_after_a_carriage_return(
    tmp_path: Path,
) -> None:
    """While `csv` reads a line holding a lone carriage return, the carriage return
    stands as a private-use character; a value holding that character itself, on any
    line after, was read as a carriage return (trimmed away at its edge: refused values
    accepted)."""
    path = tmp_path / "feed.csv"
    path.write_text(
        HEADER
        + f'r1,{ASEL},born_citizen,2008-03-15,2008-03-20,"KZ-61\r"\n'
        + f"r2\ue00d,{ALI},{BIRTH}\n"
        + f'r3,{ALI},data_updated,2020-01-01,2020-01-02,"KZ-75\ue00d\r\ue00dr"\n',
        encoding="utf-8",
        newline="",
    )
    rows = checked(path)
    assert rows[0] == (2, "r1", None)  # the carriage return at the edge, trimmed
    assert rows[1][0] == 3 and "U+E00D" in str(rows[1][2])
    # Given back exactly: the character, the carriage return, the character and an r.
    assert rows[2][0] == 4 and repr("KZ-75\ue00d\r\ue00dr")[1:-1] in str(rows[2][2])


UNCLOSED = (
    "opens a quote that is never closed: it takes in every line after it, to the end of"
    " the file (line 4); nothing after it was read"
)


def test_an_unclosed_quote_is_reported_on_the_line_it_opens(tmp_path: Path) -> None:
    """The quote swallows the lines after it: the row it makes is the line of the quote's,
    refused as taking in the rest of the file."""
    path = tmp_path / "feed.csv"
    path.write_text(
        HEADER
        + f"r1,{ASEL},{BIRTH}\n"
        + f'r2,{ALI},born_citizen,"2008-03-15,2008-03-20,75\n'
        + f"r3,{ALI},{BIRTH}\n",
        encoding="utf-8",
    )
    assert checked(path) == [(2, "r1", None), (3, "r2", UNCLOSED)]


@pytest.mark.parametrize("end", ["\n", ""], ids=["line feed at the end", "none"])
def test_an_unclosed_quote_in_a_column_the_feed_ignores_is_refused(
    tmp_path: Path, end: str
) -> None:
    """Its record had the header's field count: taken, exit 0, and every row after it
    neither imported nor refused."""
    path = tmp_path / "feed.csv"
    path.write_text(
        HEADER.removesuffix("\n") + ",comment\n"
        + f"r1,{ASEL},{BIRTH},fine\n"
        + f'r2,{ALI},{BIRTH},"a note never closed\n'
        + f"r3,{ALI},{BIRTH},lost{end}",
        encoding="utf-8",
    )  # fmt: skip
    assert checked(path) == [(2, "r1", None), (3, "r2", UNCLOSED)]


def test_a_value_ending_as_the_reader_s_own_end_of_file_mark_once_did_is_taken(
    tmp_path: Path,
) -> None:
    """The end of the file was marked with U+E00D and `end`: a note ending so (after a
    U+E00D of the file's) was refused as an unclosed quote. A lone quote as the last
    line, a quote never closed, is refused now rather than taken as the file's end."""
    path = tmp_path / "feed.csv"
    path.write_text(
        HEADER.removesuffix("\n") + ",note\n"
        + f"r1,{ASEL},{BIRTH},x\ue00dend\n"
        + f'r2,{ALI},{BIRTH},"quoted\ue00dend"\n',
        encoding="utf-8",
    )  # fmt: skip
    assert checked(path) == [(2, "r1", None), (3, "r2", None)]
    lone = tmp_path / "lone.csv"
    lone.write_text(HEADER + f"r1,{ASEL},{BIRTH}\n" + '"', encoding="utf-8")
    assert [row[0] for row in checked(lone)] == [2, 3] and "never closed" in str(checked(lone)[1])


def test_a_feed_whose_lines_end_in_a_carriage_return_alone_is_refused(tmp_path: Path) -> None:
    """Read as one header line of thousands of columns: a feed of 0 records, exit 0."""
    path = tmp_path / "feed.csv"
    path.write_bytes((HEADER + f"r1,{ASEL},{BIRTH}\n").replace("\n", "\r").encode())
    with pytest.raises(FeedUnreadable, match="carriage return alone"):
        checked(path)


@pytest.mark.parametrize("quoted", [False, True], ids=["block reader", "csv"])
@pytest.mark.parametrize("crlf", [False, True])
def test_a_line_of_commas_is_refused_and_a_blank_line_skipped(
    tmp_path: Path, quoted: bool, crlf: bool
) -> None:
    """A line of commas is a row of empty fields, refused like any other; only a line with
    nothing but spaces is blank."""
    first = f'"r1",{ASEL},{BIRTH}' if quoted else f"r1,{ASEL},{BIRTH}"
    text = HEADER + ",,,\n" + ",,,,,\n" + "\n" + "   \n" + " , ,\n" + first + "\n"
    path = tmp_path / "feed.csv"
    path.write_bytes(text.replace("\n", "\r\n" if crlf else "\n").encode())
    assert inspect_feed(path).simple is not quoted
    missing = "missing required field(s): record_id, iin, kind, effective_date, recorded_on"
    assert checked(path) == [
        (2, None, "has 4 fields, the header has 6"),
        (3, None, missing),
        (6, None, "has 3 fields, the header has 6"),
        (7, "r1", None),
    ]


@pytest.mark.parametrize("name", ["written.csv", "written.csv.gz"])
def test_a_feed_written_is_its_owner_s_alone_and_reads_back(tmp_path: Path, name: str) -> None:
    """The demo wrote its register world-readable (0644): a register reads as personal
    data, whatever the umask, and a file that was there loses its wider mode."""
    from urpaq.adapters.feed import write_feed

    path = tmp_path / name
    path.write_bytes(b"")
    path.chmod(0o644)
    record = {"record_id": "r1", "iin": ALI, "kind": "born_citizen"}
    record |= {"effective_date": "2008-03-15", "recorded_on": "2008-03-20", "region": "KZ-75"}
    write_feed(path, iter([record]))
    assert path.stat().st_mode & 0o777 == 0o600
    assert checked(path) == [(2, "r1", None)]

    # Replaced only by a whole feed: one whose rows fail midway leaves the last one be.
    def failing() -> Iterator[dict[str, str]]:
        yield record
        raise RuntimeError("the generator failed")

    with pytest.raises(RuntimeError):
        write_feed(path, failing())
    assert checked(path) == [(2, "r1", None)] and sorted(tmp_path.iterdir()) == [path]

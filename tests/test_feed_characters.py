"""What a feed's record_id may hold, and what a refusal may repeat of a feed's values.

A record_id (and the `retracts` naming one) is printable text: a NUL, a control
character, a byte-order mark or a zero-width space is refused with a reason naming the
value escaped, the same on SQLite and PostgreSQL, and the file's other rows are
imported.  Nothing stored for a refusal holds a control character (PostgreSQL takes no
NUL at all), and no reason repeats a long value whole.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_import import ALI, ASEL, HEADER, count, run_import
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork

BIRTH = "born_citizen,2008-03-15,2008-03-20,KZ-75"


def json_line(**fields: object) -> str:
    """One JSON Lines record of a citizen's birth, with `fields` changed or added."""
    row = {
        "record_id": "j1",
        "iin": ASEL,
        "kind": "born_citizen",
        "effective_date": "2008-03-15",
        "recorded_on": "2008-03-20",
    }
    return json.dumps({**row, **fields}) + "\n"


def _stored_text(uow: SqlUnitOfWork) -> list[str]:
    texts = [
        value
        for query in (
            "SELECT record_id, reason FROM rejected_record",
            "SELECT record_id, COALESCE(retracts, '') FROM register_record",
        )
        for row in uow.db.query(query)
        for value in row
        if value is not None
    ]
    return texts


@pytest.mark.parametrize(
    ("name", "text", "line", "record_id", "reason"),
    [
        (
            "nul_record_id.csv",
            HEADER + f"R\0001,{ASEL},{BIRTH}\nR2,{ALI},{BIRTH}\n",
            2,
            None,
            "record_id 'R\\x001' holds U+0000, which is not a printable character",
        ),
        (
            "nul_line.csv",
            HEADER + f"\0\0\0\nR2,{ALI},{BIRTH}\n",
            2,
            None,
            "has 1 fields, the header has 6",
        ),
        (
            "escape.csv",
            HEADER + f"R\x01\x1b[31m1,{ASEL},{BIRTH}\nR2,{ALI},{BIRTH}\n",
            2,
            None,
            "record_id 'R\\x01\\x1b[31m1' holds U+0001, which is not a printable character",
        ),
        (
            "bom.csv",
            HEADER + f"\ufeffR7,{ASEL},{BIRTH}\nR2,{ALI},{BIRTH}\n",
            2,
            None,
            "record_id '\\ufeffR7' holds U+FEFF, which is not a printable character",
        ),
        (
            "zero_width.csv",
            HEADER + f"R\u200b7,{ASEL},{BIRTH}\nR2,{ALI},{BIRTH}\n",
            2,
            None,
            "record_id 'R\\u200b7' holds U+200B, which is not a printable character",
        ),
        (
            "nul_record_id.jsonl",
            json_line(record_id="R\x001") + json_line(record_id="R2", iin=ALI),
            1,
            None,
            "record_id 'R\\x001' holds U+0000, which is not a printable character",
        ),
        (
            "nul_retracts.jsonl",
            json_line(record_id="R2", iin=ALI)
            + json_line(
                record_id="R3",
                iin=ALI,
                kind="record_retracted",
                effective_date="2009-01-01",
                recorded_on="2009-01-02",
                retracts="R2\x00",
            ),
            2,
            "R3",
            "retracts 'R2\\x00' holds U+0000, which is not a printable character",
        ),
        (
            "nul_unreadable.jsonl",
            json_line(record_id="R\x001", iin=1) + json_line(record_id="R2", iin=ALI),
            1,
            None,
            "field iin must be a string, got 1",
        ),
    ],
)
def test_a_record_id_that_is_not_printable_is_refused_on_every_database(
    uow: SqlUnitOfWork,
    tmp_path: Path,
    name: str,
    text: str,
    line: int,
    record_id: str | None,
    reason: str,
) -> None:
    """The row is refused with its line and the value escaped; the other row is stored;
    nothing stored holds a control or invisible character."""
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    summary = run_import(uow, path)
    assert (summary.accepted, summary.rejected) == (1, 1)
    [rejection] = summary.rejections
    assert (rejection.line, rejection.record_id, rejection.reason) == (line, record_id, reason)
    assert count(uow, "register_record") == 1
    assert all(value.isprintable() for value in _stored_text(uow))


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("region", "K" * 2_000_000, "region 'KKKK"),
        ("kind", "k" * 1_000_000, "kind 'kkkk"),
        ("iin", "1" * 1_000_000, "IIN '1111"),
        ("effective_date", "2" * 1_000_000, "effective_date '2222"),
        ("region", ["x" * 100_000], 'field region must be a string, got ["xxxx'),
        ("record_id", "r" * 1_000_000, "record_id 'rrrr"),
    ],
)
def test_a_long_value_is_not_repeated_whole_in_the_reason(
    uow: SqlUnitOfWork, tmp_path: Path, field: str, value: object, shown: str
) -> None:
    """A reason names a value cut to a few dozen characters, and says its length; the
    refused row keeps no record_id that is none (too long to be one)."""
    path = tmp_path / "long.jsonl"
    path.write_text(json_line(**{field: value}), encoding="utf-8")
    summary = run_import(uow, path)
    [rejection] = summary.rejections
    assert rejection.reason.startswith(shown)
    assert len(rejection.reason) < 300
    [(stored_id, stored_reason)] = uow.db.query("SELECT record_id, reason FROM rejected_record")
    assert stored_reason == rejection.reason
    assert stored_id == (None if field == "record_id" else "j1")


def test_a_long_value_in_a_csv_feed_is_cut_in_the_reason(
    uow: SqlUnitOfWork, tmp_path: Path
) -> None:
    region = "K" * 100_000
    path = tmp_path / "long.csv"
    path.write_text(HEADER + f"r1,{ASEL},born_citizen,2008-03-15,2008-03-20,{region}\n")
    [rejection] = run_import(uow, path).rejections
    assert rejection.reason == (
        f"region {'K' * 40!r}… (100000 characters) is not one of the 20 region codes "
        "(KZ-10 … KZ-79)"
    )

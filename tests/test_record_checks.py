"""The column-wise reading and checks of a feed agree with the domain's per-row rules.

`adapters/record_checks.py` checks a batch of rows at once and `adapters/csv_blocks.py`
reads a simple CSV file a block at a time; `domain/register.py: parse_record` is the
definition of a valid record, and `csv` of how a CSV file is read.  On generated rows,
nasty ones included (blanks, bad dates, bad check digits, long ids, unknown kinds and
regions, other spaces and digits, byte-order marks, quotes, blank lines, lines of commas,
CRLF, NULs, control and invisible characters), the new path accepts and refuses exactly
what the old one does, with the same values, lines and reasons; and nothing it stages
holds a character that is not printable.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from urpaq.adapters.feed import _Scan, inspect_feed, read_feed
from urpaq.adapters.record_checks import check_rows, raw_rows
from urpaq.domain.iin import compose
from urpaq.domain.regions import REGIONS
from urpaq.domain.register import FIELDS, RecordKind, refused_record_id
from urpaq.services.ports.register import FeedRow
from urpaq.services.register_import import staged_rows

TODAY = dt.date(2026, 11, 22)
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

births = st.dates(min_value=dt.date(1890, 1, 1), max_value=dt.date(2026, 12, 31))
valid_iins = st.builds(
    lambda birth, male, serial: compose(birth_date=birth, is_male=male, serial=serial),
    births,
    st.booleans(),
    st.integers(0, 9999),
).filter(lambda iin: iin is not None)


def spaced(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A text, sometimes with spaces or other whitespace around it."""
    pad = st.sampled_from(["", "", "", " ", "  ", "\t", "\xa0", "\u2003"])
    return st.builds(lambda a, t, b: a + t + b, pad, text, pad)


iin_texts = st.one_of(
    valid_iins.map(lambda iin: iin.value),
    valid_iins.map(lambda iin: iin.value[:11] + str((int(iin.value[11]) + 1) % 10)),
    st.text("0123456789", min_size=10, max_size=13),
    st.sampled_from(["", "08031560123A", "٠٨٠٣١٥٦٠١٢٣٢", "080315901232", "081315601232"]),
)
kind_texts = st.one_of(
    st.sampled_from([kind.value for kind in RecordKind]),
    st.sampled_from(["", "Born_citizen", "adopted", "born citizen", "DIED"]),
)
date_texts = st.one_of(
    st.dates(min_value=dt.date(1880, 1, 1), max_value=dt.date(2027, 12, 31)).map(str),
    st.sampled_from(
        [
            *("", "2008-02-30", "2008-2-3", "0000-01-01", "2008-W11-5", "20080315"),
            *("2008/03/15", "２００８-03-15", "2008-03-15T00", "9999-12-31", "0001-01-01"),
            "2007-02-29",
        ]
    ),
)
region_texts = st.one_of(
    st.just(""),
    st.sampled_from(list(REGIONS)),
    st.sampled_from([code[3:] for code in REGIONS]),
    st.sampled_from(list(REGIONS.values())).map(lambda n: n.upper()),
    st.sampled_from(["kz-75", "Atlantis", "ALMATY", "almaty ", "KZ-00", "ß", "ALMATY\u0130"]),
)
record_ids = st.one_of(
    st.from_regex(r"R[0-9]{1,9}", fullmatch=True),
    st.text(min_size=0, max_size=70),
    st.sampled_from(["", " ", "x" * 64, "x" * 65, "é" * 64, "a,b", 'say "hi"', "line\nbreak"]),
    #: Control and invisible characters, which a record_id may not hold.
    st.sampled_from(
        ["R\x001", "R\x01\x1b[31m1", "\ufeffR7", "R\u200b7", "R\x7f", "R\x851", "R\u2028", "\x00"]
    ),
)


retracts_texts = st.one_of(st.just(""), st.just(""), record_ids)


def row_strategy(*, absent: bool) -> st.SearchStrategy[dict[str, str]]:
    """One feed row's fields; with `absent`, fields may be missing (as in JSON Lines)."""
    values = {
        "record_id": spaced(record_ids),
        "iin": spaced(iin_texts),
        "kind": spaced(kind_texts),
        "effective_date": spaced(date_texts),
        "recorded_on": spaced(date_texts),
        "region": spaced(region_texts),
        "retracts": spaced(retracts_texts),
    }
    if not absent:
        return st.fixed_dictionaries(values)
    return st.fixed_dictionaries({}, optional=values)


def realistic() -> st.SearchStrategy[dict[str, str]]:
    """A valid row more often than chance would make one."""
    return st.builds(
        lambda iin, kind, days, region, named: {
            "record_id": f"R{iin.value}{kind[:3]}",
            "iin": iin.value,
            "kind": kind,
            "effective_date": (
                iin.birth_date if kind == "born_citizen" else iin.birth_date + dt.timedelta(days)
            ).isoformat(),
            "recorded_on": (iin.birth_date + dt.timedelta(days + 5)).isoformat(),
            "region": region,
            "retracts": f"W{named}" if kind == "record_retracted" else "",
        },
        valid_iins.filter(lambda iin: iin.birth_date < dt.date(2026, 1, 1)),
        st.sampled_from([kind.value for kind in RecordKind]),
        st.integers(0, 300),
        region_texts,
        st.integers(0, 10**6),
    )


NASTY = {
    "record_id": spaced(record_ids),
    "iin": spaced(iin_texts),
    "kind": spaced(kind_texts),
    "effective_date": spaced(date_texts),
    "recorded_on": spaced(date_texts),
    "region": spaced(region_texts),
    "retracts": spaced(retracts_texts),
}


def _week_date(text: str) -> str:
    year, week, day = dt.date.fromisoformat(text).isocalendar()
    return f"{year}-W{week:02d}-{day}"


#: Ways to damage one field of a valid row, each aimed at one check.
DAMAGE = {
    "record_id": [
        lambda v: "",
        lambda v: "\xa0",
        lambda v: v + "x" * 64,
        lambda v: "é" * 65,
        lambda v: v + "\x00",
        lambda v: "\ufeff" + v,
        lambda v: v[:1] + "\u200b" + v[1:],
        lambda v: v[:1] + "\x1b" + v[1:],
        lambda v: v + "\x9b",
    ],
    "iin": [
        lambda v: v[:11] + str((int(v[11]) + 1) % 10),
        lambda v: v[:6] + "0" + v[7:],
        lambda v: v[:6] + "7" + v[7:],
        lambda v: v[:2] + "13" + v[4:],
        lambda v: v[:3] + "١" + v[4:],
        lambda v: v + "\xa0",
        lambda v: v[:11],
    ],
    "kind": [lambda v: v.upper(), lambda v: v + "\u2003", lambda v: "adopted"],
    "effective_date": [
        lambda v: v.replace("-", "/"),
        _week_date,
        lambda v: v.replace("0", "０"),
        lambda v: v + "\x1f",
        lambda v: str(int(v[:4]) + 1) + v[4:],
        lambda v: str(int(v[:4]) - 1) + v[4:],
    ],
    "recorded_on": [
        lambda v: v.replace("-", ""),
        _week_date,
        lambda v: "2027" + v[4:],
        lambda v: v[:8] + "32",
        lambda v: str(int(v[:4]) - 20) + v[4:],
    ],
    "region": [lambda v: v.lower(), lambda v: "KZ-99", lambda v: "ß", lambda v: v + "\x85"],
    "retracts": [
        lambda v: "",
        lambda v: v or "W1",
        lambda v: v + "x" * 64,
        lambda v: " " + v + " ",
        lambda v: "é" * 65,
        lambda v: (v or "W1") + "\x00",
        lambda v: "\u200e" + (v or "W1"),
        lambda v: (v or "W1")[:1] + "\x7f",
    ],
}


def nearly_valid() -> st.SearchStrategy[dict[str, str]]:
    """A valid row with one or two of its fields damaged or replaced by nasty ones: each
    check of the domain, tried alone."""

    def damaged(row: dict[str, str], name: str, how: int) -> dict[str, str]:
        ways = DAMAGE[name]
        return {**row, name: ways[how % len(ways)](row[name] or "Almaty")}

    return st.one_of(
        st.builds(damaged, realistic(), st.sampled_from(FIELDS), st.integers(0, 20)),
        st.builds(
            lambda row, changes: {**row, **changes},
            realistic(),
            st.dictionaries(st.sampled_from(FIELDS), st.just(""), min_size=1, max_size=2).flatmap(
                lambda keys: st.fixed_dictionaries({name: NASTY[name] for name in keys})
            ),
        ),
    )


def rows_of(*, absent: bool) -> st.SearchStrategy[dict[str, str]]:
    return st.one_of(row_strategy(absent=absent), realistic(), nearly_valid(), nearly_valid())


def unquoted(row: dict[str, str]) -> dict[str, str]:
    """The row without what a CSV writer would quote: a file the block reader takes."""
    return {name: "".join(c for c in value if c not in ',"\r\n') for name, value in row.items()}


def per_row(rows: list[FeedRow]) -> set[tuple[object, ...]]:
    """What the domain's per-row rules make of the rows (a refused row keeps its
    record_id only if that is one, `refused_record_id`)."""
    out = set()
    for staged in staged_rows(rows, today=TODAY):
        record = staged.record
        if record is None:
            record_id = refused_record_id(staged.record_id)
            out.add((staged.line, record_id, *([None] * 8), staged.reason))
        else:
            out.add(
                (
                    staged.line,
                    record.record_id,
                    record.iin.value,
                    record.kind.value,
                    record.effective_date.isoformat(),
                    record.recorded_on.isoformat(),
                    record.region,
                    record.iin.birth_date.isoformat(),
                    int(record.iin.is_male),
                    record.retracts,
                    None,
                )
            )
    return out


def column_wise(batches: list) -> set[tuple[object, ...]]:  # type: ignore[type-arg]
    """The checked rows; every text among them printable (storable on any database)."""
    out = set()
    for table in batches:
        for row in table.to_pylist():
            out.add(tuple(row.values()))
            texts = [value for value in row.values() if isinstance(value, str)]
            assert all(text.isprintable() for text in texts), row
    return out


@SETTINGS
@given(st.lists(rows_of(absent=True), min_size=1, max_size=40))
def test_column_wise_checks_agree_with_the_domain(rows: list[dict[str, str]]) -> None:
    """A batch checked at once gives each row the values or the reason `parse_record`
    gives it alone."""
    feed_rows = [FeedRow(line, fields) for line, fields in enumerate(rows, 2)]
    checked = check_rows(raw_rows([(r.line, r.fields, None) for r in feed_rows]), today=TODAY)
    assert column_wise([checked]) == per_row(feed_rows)


@SETTINGS
@given(
    rows=st.lists(rows_of(absent=False), min_size=0, max_size=40),
    bom=st.booleans(),
    crlf=st.booleans(),
    blank_after=st.sets(st.integers(0, 40), max_size=3),
    blank_text=st.sampled_from(["", ",,,,,", " , ,", "\xa0", ",,,", ",", "  ", "\x00"]),
    broken=st.sets(st.integers(0, 40), max_size=2),
    gzipped=st.booleans(),
    simple=st.booleans(),
)
def test_a_csv_feed_is_read_column_wise_as_the_csv_module_reads_it(
    tmp_path_factory: object,
    rows: list[dict[str, str]],
    bom: bool,
    crlf: bool,
    blank_after: set[int],
    blank_text: str,
    broken: set[int],
    gzipped: bool,
    simple: bool,
) -> None:
    """Whichever reader a file takes (the block reader of simple files, `csv` for quoted
    ones), the checked rows are those of reading it row by row with `csv` and checking each
    with the domain: the same lines, values and reasons."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(FIELDS)
    for index, row in enumerate(rows):
        values = [(unquoted(row) if simple else row)[name] for name in FIELDS]
        writer.writerow(values[:3] if index in broken else values)
        if index in blank_after:
            text.write(blank_text + ("\r\n" if crlf else "\n"))
    data = ("\ufeff" if bom else "") + text.getvalue()
    folder = Path(str(tmp_path_factory.mktemp("feed")))  # type: ignore[attr-defined]
    path = folder / ("feed.csv.gz" if gzipped else "feed.csv")
    if gzipped:
        import gzip

        path.write_bytes(gzip.compress(data.encode("utf-8")))
    else:
        path.write_bytes(data.encode("utf-8"))
    reader = read_feed(inspect_feed(path))
    batches = [batch.table for batch in reader.checked_batches(today=TODAY)]
    assert column_wise(batches) == per_row(list(reader))


@SETTINGS
@given(st.lists(rows_of(absent=True), min_size=1, max_size=30))
def test_a_json_lines_feed_is_checked_as_row_by_row(
    tmp_path_factory: object, rows: list[dict[str, str]]
) -> None:
    """JSON Lines rows, some missing fields, checked column-wise as the domain checks them."""
    folder = Path(str(tmp_path_factory.mktemp("feed")))  # type: ignore[attr-defined]
    path = folder / "feed.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    reader = read_feed(inspect_feed(path))
    batches = [batch.table for batch in reader.checked_batches(today=TODAY)]
    assert column_wise(batches) == per_row(list(reader))


@given(
    text=st.text(alphabet='a,"\0\r\n', max_size=60),
    cuts=st.lists(st.integers(0, 60), max_size=5),
)
@example(text="a,a\r\na", cuts=[4])
@example(text='a\r\na\n"', cuts=[3, 6])
def test_what_the_scan_tells_of_a_feed_does_not_depend_on_where_its_blocks_end(
    text: str, cuts: list[int]
) -> None:
    """A feed is read in blocks: its lines, whether it holds a quote or a NUL, and whether
    every carriage return ends a CRLF line are what the whole file holds, wherever a block
    ends (in particular between the two bytes of a CRLF)."""
    data = text.encode()
    scan = _Scan()
    edges = [0, *sorted(min(cut, len(data)) for cut in cuts), len(data)]
    for start, end in itertools.pairwise(edges):
        if end > start:
            scan.add(data[start:end])
    assert scan.lines == data.count(b"\n")
    assert scan.quoted == (b'"' in data)
    assert scan.nul == (b"\0" in data)
    assert (scan.returns == scan.crlfs) == (data.count(b"\r") == data.count(b"\r\n"))
    assert (scan.crlfs > 0) == (b"\r\n" in data)

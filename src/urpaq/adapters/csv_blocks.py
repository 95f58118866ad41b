"""The fast reader of a simple CSV feed: blocks of lines split column-wise.

A feed with no quote, no NUL and no carriage return outside CRLF line ends (`FeedFile.
simple`) is a file in which every line is one row and a row's fields are what lies
between its commas: exactly how Python's `csv` module reads such a file.  This reader
cuts the file into blocks of whole lines and splits them with pyarrow, without a Python
object per row.  The few lines it does not vouch for — a field count other than the
header's, a blank `record_id` (perhaps a blank line), a character other than printable
ASCII, a field longer than `csv`'s limit — are read the way `adapters/feed.py` reads any
CSV line, one at a time, so both readers give the same rows, line numbers and refusals.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from typing import IO

import pyarrow as pa
import pyarrow.compute as pc

from urpaq.adapters.feed_errors import FeedUnreadable
from urpaq.adapters.record_checks import RawRows, raw_rows
from urpaq.domain.refusals import quoted
from urpaq.domain.register import FIELDS, REQUIRED_FIELDS

BLOCK_BYTES = 8 << 20
BOM = b"\xef\xbb\xbf"
#: Bytes other than printable ASCII, the space and the line feed.
_NOT_PLAIN_BYTES = bytes(range(0, 10)) + bytes(range(11, 32)) + b"\x7f"
_NOT_PLAIN_TEXT = r"[^ -~]"


def read_header(header: Sequence[str] | None, name: str) -> list[str]:
    """The column names of a CSV feed's header; refuse a file without a feed's header."""
    if header is None:
        raise FeedUnreadable(f"{name} is empty: a CSV feed starts with a header")
    names = [column.strip() for column in header]
    returned = next((column for column in names if "\r" in column), None)
    if returned is not None:  # its lines end in a carriage return alone: one line in all
        raise FeedUnreadable(
            f"{name}: its header holds a carriage return ({quoted(returned, limit=30)}):"
            " the file's lines end in a carriage return alone, which is no line end of a"
            " feed; save it with line feeds (LF or CRLF)"
        )
    missing = [field for field in REQUIRED_FIELDS if field not in names]
    if missing:
        raise FeedUnreadable(
            f"{name}: header lacks required column(s) {', '.join(missing)} (found: {_found(names)})"
        )
    twice = sorted({field for field in names if field in FIELDS and names.count(field) > 1})
    if twice:  # which of the two columns holds the value is anyone's guess
        raise FeedUnreadable(f"{name}: header names column(s) {', '.join(twice)} more than once")
    return names


def _found(names: Sequence[str]) -> str:
    """The columns a header named, as a refusal says them: each quoted and cut (a binary
    file's first line may hold anything), the first ten at most."""
    if not any(names):
        return "nothing"
    said = ", ".join(quoted(column, limit=30) for column in names[:10])
    return said if len(names) <= 10 else f"{said}, … ({len(names)} columns)"


class _Header:
    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.width = len(names)
        # As in dict(zip(names, values)): a name given twice takes its last column.
        self.index = {name: position for position, name in enumerate(names) if name in FIELDS}


def _blocks(stream: IO[bytes], *, crlf: bool) -> Iterator[bytes]:
    """The file's text in blocks of whole lines, without the line ends."""
    rest = b""
    while chunk := stream.read(BLOCK_BYTES):
        data = rest + chunk
        end = data.rfind(b"\n")
        if end < 0:
            rest = data
            continue
        block, rest = data[: end + 1], data[end + 1 :]
        if crlf:
            block = block.replace(b"\r\n", b"\n")
        yield block[:-1]
    if rest:
        yield rest


def csv_block_rows(stream: IO[bytes], name: str, *, crlf: bool) -> Iterator[RawRows]:
    """The rows of a simple CSV feed, a block at a time."""
    first = stream.readline()
    if first.startswith(BOM):
        first = first[len(BOM) :]
    if not first:
        read_header(None, name)
    try:
        header_text = first.decode("utf-8").removesuffix("\n")
    except UnicodeDecodeError as error:
        raise FeedUnreadable(f"{name} is not UTF-8 text at line 1: {error.reason}") from None
    if crlf:
        header_text = header_text.removesuffix("\r")
    header = _Header(read_header(header_text.split(","), name))
    line = 2
    for block in _blocks(stream, crlf=crlf):
        rows, line = _block_rows(block, line, header, name)
        yield from rows


def _block_rows(
    block: bytes, first_line: int, header: _Header, name: str
) -> tuple[list[RawRows], int]:
    """The rows of one block of lines, numbered from `first_line`; and the next number."""
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError as error:
        near = first_line + block.count(b"\n", 0, error.start)
        raise FeedUnreadable(f"{name} is not UTF-8 text at line {near}: {error.reason}") from None
    lines = pc.list_flatten(pc.split_pattern(pa.array([text], pa.string()), "\n"))
    count = len(lines)
    numbers = pc.add(pc.cumulative_sum(pa.repeat(pa.scalar(1, pa.int64()), count)), first_line - 1)
    fields = pc.split_pattern(lines, ",")
    regular = pc.equal(pc.list_value_length(fields), header.width)
    if not (block.isascii() and len(block.translate(None, _NOT_PLAIN_BYTES)) == len(block)):
        plain = pc.invert(pc.match_substring_regex(lines, _NOT_PLAIN_TEXT))
        regular = pc.and_(regular, plain)
    limit = csv.field_size_limit()
    if pc.max(pc.binary_length(lines)).as_py() > limit:
        regular = pc.and_(regular, pc.less_equal(pc.binary_length(lines), limit))
    kept = pc.filter(fields, regular)
    columns = {
        field: pc.list_element(kept, header.index[field])
        if field in header.index
        else pa.nulls(len(kept), pa.string())
        for field in FIELDS
    }
    # A blank record_id may be a blank line (skipped) or a line of commas (refused): such
    # lines are read one by one, like the lines of another field count or other characters.
    named = pc.greater(pc.binary_length(pc.utf8_trim(columns["record_id"], " ")), 0)
    kept_numbers = pc.filter(numbers, regular)
    batches = [
        RawRows(
            lines=pc.filter(kept_numbers, named),
            fields={field: pc.filter(column, named) for field, column in columns.items()},
            plain=True,
        )
    ]
    unnamed = pc.invert(named)
    irregular = pc.invert(regular)
    odd = sorted(
        [
            *zip(
                pc.filter(numbers, irregular).to_pylist(),
                pc.filter(lines, irregular).to_pylist(),
                strict=True,
            ),
            *zip(
                pc.filter(kept_numbers, unnamed).to_pylist(),
                pc.filter(pc.filter(lines, regular), unnamed).to_pylist(),
                strict=True,
            ),
        ]
    )
    rows = [
        row
        for number, text_line in odd
        if (row := _line_row(number, text_line, header, name, limit)) is not None
    ]
    if rows:
        batches.append(raw_rows(rows))
    return batches, first_line + count


def _line_row(
    number: int, line: str, header: _Header, name: str, limit: int
) -> tuple[int, dict[str, str], str | None] | None:
    """One line read as `csv` reads a line with no quote: None for a blank line (a line
    of commas is a row, of empty fields)."""
    values = line.split(",")
    if any(len(value) > limit for value in values):
        raise FeedUnreadable(f"{name} line {number}: field larger than field limit ({limit})")
    if len(values) == 1 and not line.strip():
        return None
    fields = dict(zip(header.names, values, strict=False))
    if len(values) != header.width:
        return (number, fields, f"has {len(values)} fields, the header has {header.width}")
    return (number, fields, None)

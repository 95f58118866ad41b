"""The reader of any CSV feed, record by record, as Python's `csv` reads it: quoted fields
that hold commas and line breaks, carriage returns alone, a quote never closed; each
record numbered by the line it starts on.  A feed with none of these takes the fast
reader (`csv_blocks.py`), which gives the same rows."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import IO

from urpaq.adapters.csv_blocks import read_header
from urpaq.adapters.feed_errors import FeedUnreadable
from urpaq.services.ports.register import FeedRow


def read_csv_records(stream: IO[bytes], name: str) -> Iterator[FeedRow]:
    """The rows of a CSV feed, each numbered by the line it starts on (a quoted field may
    hold line breaks).  A line holding a byte that is not UTF-8 refuses the file, named
    exactly: the text is decoded with its bad bytes kept aside (`surrogateescape`) and
    each line checked as `csv` takes it, rather than failing wherever a chunk of text
    was decoded ahead of the rows."""
    # Lines end at a line feed only (a CRLF's carriage return `csv` takes as part of it).
    handle = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="\n")
    lines = _Utf8Lines(handle, name)
    reader = csv.reader(lines)
    start = 1
    try:
        header = next(reader, None)
        if header == [_END]:  # an empty file
            header = None
        if header is not None and header[-1].endswith(_END + "\n"):  # its quote unclosed
            raise FeedUnreadable(f"{name}: a quote opened in its header is never closed")
        if header is not None and lines.escaped:
            header = [_unescaped(value) for value in header]
        names = read_header(header, name)
        start = lines.ended + 1
        for values in reader:
            line, start = start, lines.ended + 1
            if values == [_END]:  # the end of the file, read outside any quote
                break
            problem = None
            if values and values[-1].endswith(_END + "\n"):  # the end, in a quoted field
                values[-1] = values[-1].removesuffix(_END + "\n")
                problem = (
                    f"opens a quote that is never closed: it takes in every line after it,"
                    f" to the end of the file (line {lines.seen}); nothing after it was read"
                )
            if lines.escaped:
                values = [_unescaped(value) for value in values]
            if problem is None and len(values) <= 1 and not "".join(values).strip():
                continue  # a blank line; a line of commas is a row of empty fields
            fields = dict(zip(names, values, strict=False))
            if problem is None and len(values) != len(names):
                problem = f"has {len(values)} fields, the header has {len(names)}"
            yield FeedRow(line, fields, problem)
    except csv.Error as error:
        raise FeedUnreadable(f"{name} line {start}: {error}") from None


#: A carriage return not followed by a line feed, which `csv` would take for the end of
#: a record.  While `csv` reads a line holding one, it stands as `_ESCAPE` + "r", and
#: `_ESCAPE` itself (a private-use character) as two: every `_ESCAPE` that `csv` sees
#: begins one of these, so a value is given back exactly as the file has it.
_LONE_CR = re.compile("\r(?!\n)")
_ESCAPE = "\ue00d"
_ESCAPED = re.compile(_ESCAPE + "(.)", re.DOTALL)
#: A line read after the file's last: a record of its own when the file ends outside any
#: quote, the end of the last field when a quote opened in it is never closed (which took
#: in every line after it, silently where the field is a column the feed ignores).  A lone
#: surrogate: a line of the file holding one is refused (`_Utf8Lines`), so none of its
#: text can be taken for this.
_END = "\udfff"


def _escaped(line: str) -> str:
    return _LONE_CR.sub(_ESCAPE + "r", line.replace(_ESCAPE, _ESCAPE + _ESCAPE))


def _unescaped(value: str) -> str:
    if _ESCAPE not in value:
        return value
    return _ESCAPED.sub(lambda found: "\r" if found[1] == "r" else found[1], value)


class _Utf8Lines:
    """The lines of a text decoded with `surrogateescape`, counting the file's own lines —
    those a line feed ends, as the fast reader, JSON Lines and `inspect_feed` count them.
    A carriage return alone is a character of its field, not a line break: inside a
    quoted field it shifted every later line number by one, outside one it split a
    record into two rows on one line.  A line holding a byte that is not UTF-8 (kept
    aside as a lone surrogate, which UTF-8 text never holds) refuses the file, naming
    the line."""

    def __init__(self, handle: IO[str], name: str) -> None:
        self.handle = handle
        self.name = name
        self.ended = 0  # the file's lines read to their end
        self.seen = 0  # and the last one, if it has no line feed
        self.escaped = False  # a line was escaped: every `_ESCAPE` from here is one

    def __iter__(self) -> Iterator[str]:
        for line in self.handle:
            if not line.isascii() and not is_text(line):
                try:
                    line.encode("utf-8", "surrogateescape").decode("utf-8")
                    reason = "a lone surrogate"
                except UnicodeDecodeError as error:
                    reason = error.reason
                raise FeedUnreadable(
                    f"{self.name} is not UTF-8 text at line {self.ended + 1}: {reason}"
                )
            self.ended += line.endswith("\n")
            self.seen += 1
            if ("\r" in line and _LONE_CR.search(line)) or (_ESCAPE in line):
                line, self.escaped = _escaped(line), True
            yield line
        yield _END + "\n"


def is_text(value: str) -> bool:
    """Whether a text decoded with `surrogateescape` holds no byte that was not UTF-8."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True

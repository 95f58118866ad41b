"""Read a register feed: CSV with a header, or JSON Lines with the same field names, either
of them plain or gzip-compressed.

A feed is read twice: `inspect_feed` digests the file's bytes and looks at its text in
one streaming pass (lines, format, whether the fast CSV reader applies); `read_feed`
then gives its rows, checked a batch at a time (`FeedReader.checked_batches`), or one at
a time as `FeedRow`s.  Memory stays bounded on any size.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import queue
import tempfile
import threading
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypeVar, cast

from urpaq.adapters.csv_blocks import csv_block_rows
from urpaq.adapters.csv_records import is_text, read_csv_records
from urpaq.adapters.feed_errors import FeedUnreadable
from urpaq.adapters.record_checks import RawRows, check_rows, raw_rows
from urpaq.adapters.staged import CheckedBatch
from urpaq.domain.refusals import cut, quoted
from urpaq.domain.register import BASE_FIELDS, FIELDS
from urpaq.services.ports.register import FeedRow

__all__ = ["FeedFile", "FeedReader", "FeedUnreadable", "inspect_feed", "read_feed", "write_feed"]

READ_BLOCK_BYTES = 1 << 20
GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = b"\xef\xbb\xbf"
#: Rows read one at a time (JSON Lines, quoted CSV) are checked in batches of this many.
BATCH_ROWS = 65_536
#: Checked batches made ahead of the one being staged (each a few tens of MiB at most).
READ_AHEAD = 2


@dataclass(frozen=True, slots=True)
class FeedFile:
    path: Path
    sha256: str
    lines: int
    is_json_lines: bool
    compressed: bool = False
    #: A CSV file with no quote, no NUL and no carriage return outside a CRLF line end:
    #: each line is one row, its fields what lies between the commas.
    simple: bool = False
    crlf: bool = False
    #: The file as it was digested (`_identity`): reading it again checks that it is
    #: still that file, unchanged, so that what is stored is what was digested.
    identity: tuple[int, int, int, int] | None = None


@dataclass
class _Scan:
    lines: int = 0
    quoted: bool = False
    nul: bool = False
    returns: int = 0
    crlfs: int = 0
    first: bytes = b""
    last: bytes = b""

    def add(self, block: bytes) -> None:
        if not self.first:
            self.first = block.lstrip().removeprefix(UTF8_BOM).lstrip()[:1]
        self.lines += block.count(b"\n")
        # Whether a byte is there at all is one `find` (memchr); counted only if needed.
        self.quoted = self.quoted or block.find(b'"') >= 0
        self.nul = self.nul or block.find(b"\0") >= 0
        if block.find(b"\r") >= 0:
            self.returns += block.count(b"\r")
            self.crlfs += block.count(b"\r\n")
        self.crlfs += self.last == b"\r" and block[:1] == b"\n"
        self.last = block[-1:]


def inspect_feed(path: Path) -> FeedFile:
    """Digest and count a feed file in one streaming pass, and tell its format."""
    if not path.is_file():
        raise FeedUnreadable(f"file {str(path)!r} does not exist")
    digest = hashlib.sha256()
    scan = _Scan()
    with path.open("rb") as raw:
        identity = _identity(raw.fileno())
        compressed = raw.read(2) == GZIP_MAGIC
        raw.seek(0)
        if compressed:
            while block := raw.read(READ_BLOCK_BYTES):
                digest.update(block)
            with _opened(path, compressed=True) as text:
                while block := text.read(READ_BLOCK_BYTES):
                    scan.add(block)
        else:
            while block := raw.read(READ_BLOCK_BYTES):
                digest.update(block)
                scan.add(block)
        _check_unchanged(raw.fileno(), identity, path.name)
    suffix = _format_suffix(path)
    is_json_lines = suffix in (".jsonl", ".ndjson") or (suffix != ".csv" and scan.first == b"{")
    return FeedFile(
        path=path,
        sha256=digest.hexdigest(),
        lines=scan.lines,
        is_json_lines=is_json_lines,
        compressed=compressed,
        simple=not is_json_lines
        and not scan.quoted
        and not scan.nul
        and scan.returns == scan.crlfs,
        crlf=scan.crlfs > 0,
        identity=identity,
    )


def _identity(descriptor: int) -> tuple[int, int, int, int]:
    """Which file an open file is, and its size and time of last change: a file
    replaced under its name, or written to, is another."""
    status = os.fstat(descriptor)
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)


def _check_unchanged(
    descriptor: int, identity: tuple[int, int, int, int] | None, name: str
) -> None:
    if identity is not None and _identity(descriptor) != identity:
        raise FeedUnreadable(
            f"{name} changed while it was being read: import it once it is written whole"
        )


def _format_suffix(path: Path) -> str:
    """The suffix that names the format: `feed.csv.gz` is CSV (also when it turns out
    not to be compressed: an empty `feed.jsonl.gz` is an empty JSON Lines feed)."""
    if path.suffix.lower() == ".gz":
        return Path(path.stem).suffix.lower()
    return path.suffix.lower()


class _Gunzipped(io.RawIOBase):
    """A gzip stream whose damage is reported as an unreadable feed."""

    def __init__(self, path: Path, raw: IO[bytes]) -> None:
        self.path = path
        self.stream = gzip.GzipFile(fileobj=raw, mode="rb")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            return self.stream.readinto(buffer)
        except (OSError, EOFError, zlib.error) as error:
            raise FeedUnreadable(f"{self.path.name} is not a readable gzip file: {error}") from None

    def close(self) -> None:
        self.stream.close()
        super().close()


@contextlib.contextmanager
def _opened(
    path: Path, *, compressed: bool, identity: tuple[int, int, int, int] | None = None
) -> Iterator[IO[bytes]]:
    """The file's bytes, decompressed if need be; with the `identity` it had when it was
    digested, checked to be that file when opened and once read through (the readers
    close the stream they are given: the file stays open here until then)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        _check_unchanged(descriptor, identity, path.name)
        with open(descriptor, "rb", closefd=False) as raw:
            if compressed:
                with io.BufferedReader(_Gunzipped(path, raw), READ_BLOCK_BYTES) as stream:
                    yield stream
            else:
                yield raw
        _check_unchanged(descriptor, identity, path.name)
    finally:
        os.close(descriptor)


class FeedReader:
    """The rows of a feed: checked a batch at a time, or one at a time as read."""

    def __init__(self, feed: FeedFile) -> None:
        self.feed = feed

    def __iter__(self) -> Iterator[FeedRow]:
        feed = self.feed
        with _opened(feed.path, compressed=feed.compressed, identity=feed.identity) as stream:
            if feed.is_json_lines:
                yield from _read_json_lines(stream, feed.path.name)
            else:
                yield from read_csv_records(stream, feed.path.name)

    def checked_batches(self, *, today: dt.date) -> Iterator[CheckedBatch]:
        """The rows checked on their own, column-wise, a bounded batch at a time.  The
        next batches are read and checked in a thread of their own while the caller
        stages the last one: pyarrow and the database both work without Python's lock."""
        return _read_ahead(self._checked(today=today), READ_AHEAD)

    def _checked(self, *, today: dt.date) -> Iterator[CheckedBatch]:
        for rows in self._raw_batches():
            yield CheckedBatch(check_rows(rows, today=today))

    def _raw_batches(self) -> Iterator[RawRows]:
        feed = self.feed
        if feed.simple:
            with _opened(feed.path, compressed=feed.compressed, identity=feed.identity) as stream:
                yield from csv_block_rows(stream, feed.path.name, crlf=feed.crlf)
            return
        batch: list[tuple[int, dict[str, str], str | None]] = []
        for row in self:
            batch.append((row.line, row.fields, row.problem))
            if len(batch) >= BATCH_ROWS:
                yield raw_rows(batch)
                batch = []
        if batch:
            yield raw_rows(batch)


_Item = TypeVar("_Item")


def _read_ahead(items: Iterator[_Item], depth: int) -> Iterator[_Item]:
    """The items of `items` in order, made by a thread of their own up to `depth` ahead.
    An error raised making one is raised here, in its place; when the caller stops
    early, the thread stops too (and closes `items`) before this generator ends."""
    ready: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(kind: str, value: object) -> bool:
        while not stop.is_set():
            try:
                ready.put((kind, value), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def make() -> None:
        try:
            for item in items:
                if not put("item", item):
                    return
            put("done", None)
        except BaseException as error:  # handed to the caller, raised there
            put("error", error)
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    maker = threading.Thread(target=make, name="feed-read-ahead", daemon=True)
    maker.start()
    try:
        while True:
            kind, value = ready.get()
            if kind == "done":
                return
            if kind == "error":
                assert isinstance(value, BaseException)
                raise value
            yield value  # type: ignore[misc]
    finally:
        stop.set()
        maker.join()


def read_feed(feed: FeedFile) -> FeedReader:
    """The rows of the feed (memory stays bounded on any size)."""
    return FeedReader(feed)


def _read_json_lines(stream: IO[bytes], name: str) -> Iterator[FeedRow]:
    for line, raw in enumerate(stream, 1):
        try:
            # A byte-order mark may begin the file, as it may a CSV feed.
            text = raw.decode("utf-8-sig" if line == 1 else "utf-8").strip()
        except UnicodeDecodeError as error:
            raise FeedUnreadable(
                f"{name} is not UTF-8 text at line {line}: {error.reason}"
            ) from None
        if not text:
            continue
        data, problem = _json_value(text)
        if problem is not None:
            yield FeedRow(line, {}, problem)
        elif not isinstance(data, dict):
            yield FeedRow(line, {}, "is not a JSON object")
        else:
            yield FeedRow(line, *_json_fields(data, text))


class _KeyRepeated(Exception):
    """A JSON object names a key twice: which of its values is meant cannot be told."""


def _object(pairs: list[tuple[str, object]]) -> dict[str, object]:
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _KeyRepeated(key)
            seen.add(key)
    return data


#: One decoder for every line (`json.loads` with a hook would make one per line).
_DECODER = json.JSONDecoder(object_pairs_hook=_object)


def _json_value(text: str) -> tuple[object, str | None]:
    """The value of one line, or why it is no JSON a feed can hold."""
    if text.startswith("\ufeff"):  # as `json.loads` says it
        return None, "is not valid JSON: Unexpected UTF-8 BOM (decode using utf-8-sig)"
    try:
        return _DECODER.decode(text), None
    except json.JSONDecodeError as error:
        return None, f"is not valid JSON: {error.msg}"
    except _KeyRepeated as repeated:
        return None, f"is not valid JSON: key {quoted(str(repeated.args[0]))} is given twice"
    except RecursionError:
        return None, "is not valid JSON: nested too deeply"
    except ValueError as error:  # a number of more digits than Python converts
        return None, f"is not valid JSON: {cut(str(error).split(':')[0], limit=80)}"


def _json_fields(data: dict[str, object], text: str) -> tuple[dict[str, str], str | None]:
    """The feed's fields of one object, or why one is not text."""
    fields: dict[str, str] = {}
    for field in FIELDS:
        value = data.get(field)
        if value is None:
            continue
        if not isinstance(value, str):
            return fields, f"field {field} must be a string, got {_shown(value)}"
        if "\\u" in text and not is_text(value):
            # JSON's escapes can spell half of a UTF-16 pair alone, which no text is.
            return fields, f"field {field} is not text: {_shown(value)} holds a lone surrogate"
        fields[field] = value
    return fields, None


def _shown(value: object) -> str:
    """A JSON value as a reason names it: in JSON, ASCII only, cut when long."""
    try:
        return cut(json.dumps(value))
    except RecursionError:
        return f"a {type(value).__name__} nested too deeply"


def write_feed(
    path: Path, rows: Iterator[dict[str, str]], *, fields: Sequence[str] = BASE_FIELDS
) -> None:
    """Write register records as a CSV feed (used by the demo and the benchmark); gzip-
    compressed when the name ends in `.gz`.  A feed with withdrawals names the column
    `retracts` in `fields`.  The file is its owner's alone (mode 0600, as a database is):
    a register, even a synthetic one, reads as personal data."""
    path.parent.mkdir(parents=True, exist_ok=True)
    compressed = path.suffix.lower() == ".gz"
    # Written whole into a new file of its own (mode 0600, a name no other run takes),
    # then put in the name's place: a file that was there is replaced only by a complete
    # feed, and none keeps a wider mode.  Where the folder takes no new file but the
    # file may be written, it is written in place, keeping its mode.
    try:
        descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except PermissionError:
        with open(path, "wb") as raw:
            _write_rows(raw, rows, fields=fields, compressed=compressed)
        return
    partial = Path(name)
    try:
        with open(descriptor, "wb") as raw:
            _write_rows(raw, rows, fields=fields, compressed=compressed)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _write_rows(
    raw: IO[bytes], rows: Iterator[dict[str, str]], *, fields: Sequence[str], compressed: bool
) -> None:
    stream = cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="wb")) if compressed else raw
    with contextlib.ExitStack() as closing:
        if compressed:
            closing.enter_context(stream)
        handle = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        handle.flush()
        handle.detach()  # the caller closes the file

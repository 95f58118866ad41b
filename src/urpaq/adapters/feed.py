"""Read a register feed: CSV with a header, or JSON Lines with the same field names."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from urpaq.domain.register import FIELDS, REQUIRED_FIELDS
from urpaq.services.ports.register import FeedRow

READ_BLOCK_BYTES = 1 << 20


class FeedUnreadable(Exception):
    """A file that is not a register feed at all; nothing of it can be imported."""


@dataclass(frozen=True, slots=True)
class FeedFile:
    path: Path
    sha256: str
    lines: int
    is_json_lines: bool


def inspect_feed(path: Path) -> FeedFile:
    """Digest and count a feed file in one streaming pass, and tell its format."""
    if not path.is_file():
        raise FeedUnreadable(f"file {str(path)!r} does not exist")
    digest = hashlib.sha256()
    lines = 0
    first = b""
    with path.open("rb") as handle:
        while block := handle.read(READ_BLOCK_BYTES):
            if not first:
                first = block.lstrip()[:1]
            digest.update(block)
            lines += block.count(b"\n")
    suffix = path.suffix.lower()
    is_json_lines = suffix in (".jsonl", ".ndjson") or (suffix != ".csv" and first == b"{")
    return FeedFile(path=path, sha256=digest.hexdigest(), lines=lines, is_json_lines=is_json_lines)


def read_feed(feed: FeedFile) -> Iterator[FeedRow]:
    """The rows of the feed, one at a time (memory stays bounded on any size)."""
    if feed.is_json_lines:
        yield from _read_json_lines(feed.path)
    else:
        yield from _read_csv(feed.path)


def _read_csv(path: Path) -> Iterator[FeedRow]:
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        try:
            reader = csv.reader(handle)
            header = next(reader, None)
        except UnicodeDecodeError as error:
            raise FeedUnreadable(f"{path.name} is not UTF-8 text: {error.reason}") from None
        if header is None:
            raise FeedUnreadable(f"{path.name} is empty: a CSV feed starts with a header")
        names = [name.strip() for name in header]
        missing = [name for name in REQUIRED_FIELDS if name not in names]
        if missing:
            raise FeedUnreadable(
                f"{path.name}: header lacks required column(s) {', '.join(missing)} "
                f"(found: {', '.join(names) or 'nothing'})"
            )
        try:
            for values in reader:
                line = reader.line_num
                if not values or all(not v.strip() for v in values):
                    continue
                fields = dict(zip(names, values, strict=False))
                if len(values) != len(names):
                    yield FeedRow(
                        line, fields, f"has {len(values)} fields, the header has {len(names)}"
                    )
                    continue
                yield FeedRow(line, fields)
        except UnicodeDecodeError as error:
            raise FeedUnreadable(
                f"{path.name} is not UTF-8 text near line {reader.line_num + 1}: {error.reason}"
            ) from None
        except csv.Error as error:
            raise FeedUnreadable(f"{path.name} line {reader.line_num}: {error}") from None


def _read_json_lines(path: Path) -> Iterator[FeedRow]:
    with path.open("rb") as handle:
        for line, raw in enumerate(handle, 1):
            try:
                text = raw.decode("utf-8").strip()
            except UnicodeDecodeError as error:
                raise FeedUnreadable(
                    f"{path.name} is not UTF-8 text at line {line}: {error.reason}"
                ) from None
            if not text:
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as error:
                yield FeedRow(line, {}, f"is not valid JSON: {error.msg}")
                continue
            if not isinstance(data, dict):
                yield FeedRow(line, {}, "is not a JSON object")
                continue
            fields: dict[str, str] = {}
            problem = None
            for name in FIELDS:
                value = data.get(name)
                if value is None:
                    continue
                if not isinstance(value, str):
                    problem = f"field {name} must be a string, got {json.dumps(value)}"
                    break
                fields[name] = value
            yield FeedRow(line, fields, problem)


def write_feed(path: Path, rows: Iterator[dict[str, str]]) -> None:
    """Write register records as a CSV feed (used by the demo and the benchmark)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

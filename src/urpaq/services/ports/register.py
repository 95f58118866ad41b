"""The register port: importing feeds and reading a person's records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from urpaq.domain.participation import Fact
from urpaq.domain.register import RegisterRecord


@dataclass(frozen=True, slots=True)
class FeedRow:
    """One row of a register feed as read: its fields, or why it could not be read."""

    line: int
    fields: dict[str, str]
    problem: str | None = None  # a message naming the offending value


@dataclass(frozen=True, slots=True)
class StagedRow:
    """One feed row: a record that passed its own checks, or the reason it did not."""

    line: int
    record: RegisterRecord | None
    record_id: str | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class Rejection:
    """A refused row of an import, kept with its line and reason."""

    line: int
    record_id: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What one import stored, found unchanged and refused."""

    batch_id: int
    source: str
    accepted: int
    unchanged: int
    rejections: tuple[Rejection, ...]
    repeated_file: bool = False

    @property
    def rejected(self) -> int:
        return len(self.rejections)


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A person the register knows."""

    person_id: int
    iin: str
    birth_date: dt.date


class RegisterPort(Protocol):
    """The population register as imported: batches, persons and their records."""

    def summary_of_file(self, sha256: str) -> ImportSummary | None:
        """The summary of the import of a file with this digest, if it was imported."""
        ...

    def stage(self, rows: Sequence[StagedRow]) -> None:
        """Hold checked rows for `finish_import`, inside the open unit of work."""
        ...

    def finish_import(self, *, source: str, sha256: str, today: dt.date) -> ImportSummary:
        """Check the staged rows against each other and the register; store the outcome."""
        ...

    def tidy_after_import(self) -> None:
        """The database's own bookkeeping after a large import (outside a transaction)."""
        ...

    def watermark(self) -> int:
        """The sequence number of the last record imported: what a close's view fixes."""
        ...

    def has_batch(self, batch_id: int) -> bool: ...

    def rejections_in(self, batch_id: int) -> list[Rejection]: ...

    def person_by_iin(self, iin: str) -> PersonRecord | None: ...

    def iin_of_person(self, person_id: int) -> str: ...

    def facts_of(self, person_id: int) -> list[Fact]:
        """A person's records in the order they were imported."""
        ...


def chunked(rows: Iterator[StagedRow], size: int) -> Iterator[list[StagedRow]]:
    """Rows in lists of at most `size`, so memory stays bounded on any file."""
    chunk: list[StagedRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk

"""The register port: importing feeds and reading a person's records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from urpaq.domain.participation import Fact
from urpaq.domain.register import RecordKind, RegisterRecord


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


class CheckedRows(Protocol):
    """Feed rows checked on their own, a batch of them (column-wise, in the adapter)."""

    def __len__(self) -> int: ...


@runtime_checkable
class CheckedFeed(Protocol):
    """A feed that checks its own rows on their own, a batch at a time."""

    def checked_batches(self, *, today: dt.date) -> Iterator[CheckedRows]: ...


#: What staging takes: rows checked one at a time, or a checked batch.
StagedBatch = Sequence[StagedRow] | CheckedRows


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
    #: What stopped the database's own bookkeeping after the commit (`tidy_after_import`),
    #: if anything did: the records are stored all the same.
    tidy_failure: Exception | None = None

    @property
    def rejected(self) -> int:
        return len(self.rejections)


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A person the register knows."""

    person_id: int
    iin: str
    birth_date: dt.date


@dataclass(frozen=True, slots=True)
class RegisterEntry:
    """One stored record of a person, with where it came from."""

    record_id: str
    kind: RecordKind
    effective_date: dt.date
    recorded_on: dt.date
    region: str | None
    retracts: str | None
    sequence: int
    batch_id: int


class RegisterPort(Protocol):
    """The population register as imported: batches, persons and their records."""

    def summary_of_file(self, sha256: str) -> ImportSummary | None:
        """The summary of the import of a file with this digest, if it was imported."""
        ...

    def stage(self, rows: StagedBatch) -> None:
        """Hold checked rows for an import, outside any unit of work: staging takes no
        writer's lock."""
        ...

    def check_staged(self) -> None:
        """Check the staged rows against each other and the register as it is now; reads
        only, outside any unit of work."""
        ...

    def apply_staged(self, *, source: str, sha256: str, today: dt.date) -> ImportSummary:
        """Store the checked rows, inside the open unit of work: the records, the refused
        rows and the batch.  If an import was stored since `check_staged`, the rows are
        checked again first, so the outcome is the one of imports one after the other;
        if the same file was, its summary is returned and nothing is written."""
        ...

    def discard_staged(self) -> None:
        """Forget the staged rows (after an import, or one that failed)."""
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

    def records_of(self, person_id: int) -> list[RegisterEntry]:
        """A person's records as stored, in the order they were imported."""
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

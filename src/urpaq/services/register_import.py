"""Import register records: every valid record is stored, every invalid one is kept.

The story: check each row on its own (the domain's rules; a feed from a file checks them
column-wise, a batch at a time), stage the rows, and let the register check them against
each other and against itself — all outside the writer, so the service keeps answering
and writing meanwhile.  Only then does a unit of work store the outcome: the writer is
held while the checked rows are applied, not while the file is read.  A crash leaves
nothing half-written; a file imported before is a no-op (docs/decisions/0010).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Iterator

from urpaq.domain.register import InvalidRecord, parse_record, refused_record_id
from urpaq.services.ports.register import (
    CheckedFeed,
    FeedRow,
    ImportSummary,
    Rejection,
    StagedBatch,
    StagedRow,
    chunked,
)
from urpaq.services.ports.unit_of_work import UnitOfWork

CHUNK_ROWS = 20_000


def staged_rows(rows: Iterable[FeedRow], *, today: dt.date) -> Iterator[StagedRow]:
    """Each feed row as a checked record, or as the reason it cannot be one."""
    for row in rows:
        line, fields = row.line, row.fields
        record_id = refused_record_id(fields.get("record_id"))
        if row.problem is not None:
            yield StagedRow(line=line, record=None, record_id=record_id, reason=row.problem)
            continue
        try:
            record = parse_record(fields, today=today)
        except InvalidRecord as error:
            yield StagedRow(line=line, record=None, record_id=record_id, reason=str(error))
        else:
            yield StagedRow(line=line, record=record, record_id=record.record_id, reason=None)


def checked_batches(
    rows: Iterable[FeedRow] | CheckedFeed, *, today: dt.date
) -> Iterator[StagedBatch]:
    """The rows checked on their own, a bounded batch at a time."""
    if isinstance(rows, CheckedFeed):
        yield from rows.checked_batches(today=today)
    else:
        yield from chunked(iter(staged_rows(rows, today=today)), CHUNK_ROWS)


def import_records(
    uow: UnitOfWork,
    *,
    rows: Iterable[FeedRow] | CheckedFeed,
    source: str,
    sha256: str,
    today: dt.date,
    on_chunk: Callable[[int], None] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> ImportSummary:
    """Import the rows of a register feed; return what was stored, unchanged and refused.

    `on_chunk(n)` is told of each batch of `n` rows staged; `on_step(name)` of each step
    as it begins: "checking" (against the register, still outside the writer) and
    "applying" (holding the writer).
    """
    earlier = uow.register.summary_of_file(sha256)
    if earlier is not None:
        return earlier
    try:
        for batch in checked_batches(rows, today=today):
            uow.register.stage(batch)
            if on_chunk is not None:
                on_chunk(len(batch))
        if on_step is not None:
            on_step("checking")
        uow.register.check_staged()
        if on_step is not None:
            on_step("applying")
        with uow:
            summary = uow.register.apply_staged(source=source, sha256=sha256, today=today)
            uow.commit()
    finally:
        uow.register.discard_staged()
    if not summary.repeated_file:
        try:
            uow.register.tidy_after_import()
        except Exception as error:
            # Stored is stored: the bookkeeping after the commit (PostgreSQL's VACUUM
            # ANALYZE) helps the planner, and the database's own upkeep does it later; a
            # failure of it is no failure of the import (the caller says what it was).
            return dataclasses.replace(summary, tidy_failure=error)
    return summary


def rejections_of(uow: UnitOfWork, *, batch_id: int) -> list[Rejection] | None:
    """The rows an import refused, by line; None when there is no such import."""
    if not uow.register.has_batch(batch_id):
        return None
    return uow.register.rejections_in(batch_id)


def is_empty(uow: UnitOfWork) -> bool:
    """Whether the database holds neither register records nor closes."""
    return not uow.closes.closed_years() and uow.register.watermark() == 0

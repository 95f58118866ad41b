"""Import register records: every valid record is stored, every invalid one is kept.

The story: check each row on its own (domain), stage the rows in chunks, then let the
register check them against each other and write the outcome — all in one
transaction, so a crash leaves nothing half-written.  A file imported before is a no-op.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator

from urpaq.domain.register import InvalidRecord, parse_record
from urpaq.services.ports.register import FeedRow, ImportSummary, Rejection, StagedRow, chunked
from urpaq.services.ports.unit_of_work import UnitOfWork

CHUNK_ROWS = 20_000


def staged_rows(rows: Iterable[FeedRow], *, today: dt.date) -> Iterator[StagedRow]:
    """Each feed row as a checked record, or as the reason it cannot be one."""
    for row in rows:
        line, fields = row.line, row.fields
        record_id = (fields.get("record_id") or "").strip() or None
        if row.problem is not None:
            yield StagedRow(line=line, record=None, record_id=record_id, reason=row.problem)
            continue
        try:
            record = parse_record(fields, today=today)
        except InvalidRecord as error:
            yield StagedRow(line=line, record=None, record_id=record_id, reason=str(error))
        else:
            yield StagedRow(line=line, record=record, record_id=record.record_id, reason=None)


def import_records(
    uow: UnitOfWork,
    *,
    rows: Iterable[FeedRow],
    source: str,
    sha256: str,
    today: dt.date,
    on_chunk: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import the rows of a register feed; return what was stored, unchanged and refused."""
    earlier = uow.register.summary_of_file(sha256)
    if earlier is not None:
        return earlier
    with uow:
        for chunk in chunked(iter(staged_rows(rows, today=today)), CHUNK_ROWS):
            uow.register.stage(chunk)
            if on_chunk is not None:
                on_chunk(len(chunk))
        summary = uow.register.finish_import(source=source, sha256=sha256, today=today)
        uow.commit()
    uow.register.tidy_after_import()
    return summary


def rejections_of(uow: UnitOfWork, *, batch_id: int) -> list[Rejection] | None:
    """The rows an import refused, by line; None when there is no such import."""
    if not uow.register.has_batch(batch_id):
        return None
    return uow.register.rejections_in(batch_id)


def is_empty(uow: UnitOfWork) -> bool:
    """Whether the database holds neither register records nor closes."""
    return not uow.closes.closed_years() and uow.register.watermark() == 0

"""The register port in SQL: imports are staged and checked, then written set-based.

Staging and the checks run outside any unit of work (`import_staging.py`); the writes
run inside the caller's, so a crash at any point leaves the database as it was before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from urpaq.adapters.sql.connection import SqlConnection
from urpaq.adapters.sql.import_staging import ImportStaging
from urpaq.domain.participation import Fact, StoredRecord, with_withdrawals
from urpaq.domain.register import RecordKind
from urpaq.services.ports.register import (
    ImportSummary,
    PersonRecord,
    RegisterEntry,
    Rejection,
    StagedBatch,
)

#: An import that adds at least this share of the records already there is large: the
#: database's bookkeeping is brought up to date after it rather than left to autovacuum.
LARGE_IMPORT_SHARE = 0.1


class SqlRegister:
    def __init__(self, db: SqlConnection) -> None:
        self.db = db
        self.staging = ImportStaging(db)
        self.large_import = False

    def summary_of_file(self, sha256: str) -> ImportSummary | None:
        row = self.db.execute(
            "SELECT batch_id, source, accepted, unchanged FROM import_batch WHERE sha256 = ?",
            (sha256,),
        ).fetchone()
        if row is None:
            return None
        return ImportSummary(
            batch_id=int(row[0]),
            source=row[1],
            accepted=int(row[2]),
            unchanged=int(row[3]),
            rejections=tuple(self.rejections_in(int(row[0]))),
            repeated_file=True,
        )

    def has_batch(self, batch_id: int) -> bool:
        return bool(
            self.db.scalar("SELECT COUNT(*) FROM import_batch WHERE batch_id = ?", (batch_id,))
        )

    def rejections_in(self, batch_id: int) -> list[Rejection]:
        rows = self.db.execute(
            "SELECT line, record_id, reason FROM rejected_record WHERE batch_id = ? ORDER BY line",
            (batch_id,),
        )
        return [Rejection(int(line), record_id, reason) for line, record_id, reason in rows]

    def stage(self, rows: StagedBatch) -> None:
        self.staging.stage(rows)

    def check_staged(self) -> None:
        self.staging.check()

    def discard_staged(self) -> None:
        self.staging.discard()

    def apply_staged(self, *, source: str, sha256: str, today: dt.date) -> ImportSummary:
        earlier = self.summary_of_file(sha256)
        if earlier is not None:  # the same file, imported meanwhile
            return earlier
        self.staging.recheck_if_changed()
        accepted, unchanged, rejected, last_line = self.staging.counts
        records_before = self.watermark()
        base_seq = self.watermark()
        batch_id = int(self.db.scalar("SELECT COALESCE(MAX(batch_id), 0) + 1 FROM import_batch"))
        self.db.execute(
            "INSERT INTO import_batch (batch_id, sha256, source, imported_on, first_seq,"
            " last_seq, accepted, unchanged, rejected) VALUES (:batch, :sha, :source, :today,"
            " :first, :last, :accepted, :unchanged, :rejected)",
            {
                "batch": batch_id,
                "sha": sha256,
                "source": source,
                "today": today.isoformat(),
                "first": base_seq + 1,
                "last": base_seq + last_line,
                "accepted": accepted,
                "unchanged": unchanged,
                "rejected": rejected,
            },
        )
        self.staging.apply(batch_id=batch_id, base_seq=base_seq)
        self.large_import = accepted >= LARGE_IMPORT_SHARE * records_before
        return ImportSummary(
            batch_id=batch_id,
            source=source,
            accepted=accepted,
            unchanged=unchanged,
            rejections=tuple(self.rejections_in(batch_id)),
        )

    def tidy_after_import(self) -> None:
        if self.large_import:
            self.db.tidy(["person", "register_record"])
        self.large_import = False

    def watermark(self) -> int:
        return int(self.db.scalar("SELECT COALESCE(MAX(last_seq), 0) FROM import_batch"))

    def person_by_iin(self, iin: str) -> PersonRecord | None:
        row = self.db.execute(
            "SELECT person_id, iin, birth_date FROM person WHERE iin = ?", (iin,)
        ).fetchone()
        if row is None:
            return None
        return PersonRecord(int(row[0]), row[1], dt.date.fromisoformat(row[2]))

    def iin_of_person(self, person_id: int) -> str:
        return str(self.db.scalar("SELECT iin FROM person WHERE person_id = ?", (person_id,)))

    def facts_of(self, person_id: int) -> list[Fact]:
        rows = self.db.execute(
            f"SELECT {STORED_COLUMNS} FROM register_record WHERE person_id = ? ORDER BY seq",
            (person_id,),
        )
        return with_withdrawals(stored_record(row) for row in rows)

    def records_of(self, person_id: int) -> list[RegisterEntry]:
        rows = self.db.execute(
            "SELECT record_id, kind, effective_date, recorded_on, region, retracts, seq,"
            " batch_id FROM register_record WHERE person_id = ? ORDER BY seq",
            (person_id,),
        )
        return [
            RegisterEntry(
                record_id=str(record_id),
                kind=RecordKind(kind),
                effective_date=dt.date.fromisoformat(effective),
                recorded_on=dt.date.fromisoformat(recorded),
                region=region,
                retracts=retracts,
                sequence=int(seq),
                batch_id=int(batch),
            )
            for record_id, kind, effective, recorded, region, retracts, seq, batch in rows
        ]


#: The columns `stored_record` reads, of a register record `r`.
STORED_COLUMNS = "record_id, retracts, kind, effective_date, recorded_on, seq"


def stored_record(row: Sequence[Any]) -> StoredRecord:
    """A register record as the participation rule sees it, from `STORED_COLUMNS`."""
    record_id, retracts, kind, effective, recorded, seq = row
    fact = Fact(
        RecordKind(kind),
        dt.date.fromisoformat(effective),
        dt.date.fromisoformat(recorded),
        int(seq),
    )
    return StoredRecord(str(record_id), fact, retracts)

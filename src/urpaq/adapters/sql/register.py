"""The register port in SQL: imports are staged, checked set-based, then written.

Bulk work is set-based SQL inside the caller's transaction; a crash at any point leaves
the database as it was before the transaction began.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from urpaq.adapters.sql.connection import SqlConnection
from urpaq.adapters.sql.import_checks import IMPORT_STEPS
from urpaq.domain.participation import Fact
from urpaq.domain.register import RecordKind
from urpaq.services.ports.register import ImportSummary, PersonRecord, Rejection, StagedRow

STAGED_COLUMNS = (
    "line", "record_id", "iin", "kind", "effective_date", "recorded_on", "region",
    "birth_date", "is_male", "reason",
)  # fmt: skip

_STAGED_TABLE = """
CREATE TEMP TABLE IF NOT EXISTS staged (
    line           BIGINT PRIMARY KEY,
    record_id      TEXT,
    iin            TEXT,
    kind           TEXT,
    effective_date TEXT,
    recorded_on    TEXT,
    region         TEXT,
    birth_date     TEXT,
    is_male        INTEGER,
    reason         TEXT,
    person_id      BIGINT,
    unchanged      INTEGER NOT NULL DEFAULT 0
)"""


class SqlRegister:
    def __init__(self, db: SqlConnection) -> None:
        self.db = db

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

    def stage(self, rows: Sequence[StagedRow]) -> None:
        self.db.execute(_STAGED_TABLE)
        self.db.bulk_insert("staged", STAGED_COLUMNS, [_staged_values(row) for row in rows])

    def finish_import(self, *, source: str, sha256: str, today: dt.date) -> ImportSummary:
        db = self.db
        db.execute(_STAGED_TABLE)
        persons_before = int(db.scalar("SELECT COALESCE(MAX(person_id), 0) FROM person"))
        db.refresh_statistics(["staged"])
        base_seq = self.watermark()
        for step in IMPORT_STEPS:
            uses = {
                name: value
                for name, value in (("before", persons_before), ("base", base_seq))
                if f":{name}" in step.sql
            }
            db.execute(step.sql, uses or None)
        summary = self._write_batch(source=source, sha256=sha256, today=today, base_seq=base_seq)
        _settle_persons(db, persons_before=persons_before)
        db.execute("DROP TABLE staged")
        db.refresh_statistics(["person", "register_record"])
        return summary

    def _write_batch(
        self, *, source: str, sha256: str, today: dt.date, base_seq: int
    ) -> ImportSummary:
        """Record the batch, its accepted records and its refused rows."""
        db = self.db
        batch_id = int(db.scalar("SELECT COALESCE(MAX(batch_id), 0) + 1 FROM import_batch"))
        accepted = int(
            db.scalar("SELECT COUNT(*) FROM staged WHERE reason IS NULL AND unchanged = 0")
        )
        unchanged = int(db.scalar("SELECT COUNT(*) FROM staged WHERE unchanged = 1"))
        last_line = int(db.scalar("SELECT COALESCE(MAX(line), 0) FROM staged"))
        db.execute(
            "INSERT INTO import_batch (batch_id, sha256, source, imported_on, first_seq,"
            " last_seq, accepted, unchanged, rejected) VALUES (:batch, :sha, :source, :today,"
            " :first, :last, :accepted, :unchanged,"
            " (SELECT COUNT(*) FROM staged WHERE reason IS NOT NULL))",
            {
                "batch": batch_id,
                "sha": sha256,
                "source": source,
                "today": today.isoformat(),
                "first": base_seq + 1,
                "last": base_seq + last_line,
                "accepted": accepted,
                "unchanged": unchanged,
            },
        )
        db.execute(
            "INSERT INTO register_record (person_id, seq, record_id, kind, effective_date,"
            " recorded_on, region, batch_id)"
            " SELECT person_id, :base + line, record_id, kind, effective_date, recorded_on,"
            " region, :batch"
            " FROM staged WHERE reason IS NULL AND unchanged = 0 ORDER BY person_id, line",
            {"base": base_seq, "batch": batch_id},
        )
        db.execute(
            "INSERT INTO rejected_record (batch_id, line, record_id, reason)"
            " SELECT :batch, line, record_id, reason FROM staged WHERE reason IS NOT NULL",
            {"batch": batch_id},
        )
        return ImportSummary(
            batch_id=batch_id,
            source=source,
            accepted=accepted,
            unchanged=unchanged,
            rejections=tuple(self.rejections_in(batch_id)),
        )

    def tidy_after_import(self) -> None:
        self.db.tidy(["person", "register_record"])

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
            "SELECT kind, effective_date, recorded_on, seq FROM register_record"
            " WHERE person_id = ? ORDER BY seq",
            (person_id,),
        )
        return [fact_of(row) for row in rows]


def fact_of(row: Sequence[Any]) -> Fact:
    """A register record as the participation rule sees it: `(kind, effective, recorded,
    seq)`."""
    kind, effective, recorded, seq = row
    return Fact(
        RecordKind(kind),
        dt.date.fromisoformat(effective),
        dt.date.fromisoformat(recorded),
        int(seq),
    )


def _staged_values(row: StagedRow) -> tuple[Any, ...]:
    record = row.record
    if record is None:
        return (row.line, row.record_id, None, None, None, None, None, None, None, row.reason)
    return (
        row.line,
        record.record_id,
        record.iin.value,
        record.kind.value,
        record.effective_date.isoformat(),
        record.recorded_on.isoformat(),
        record.region,
        record.iin.birth_date.isoformat(),
        int(record.iin.is_male),
        None,
    )


def _settle_persons(db: SqlConnection, *, persons_before: int) -> None:
    """Bring up to date the region and sole birth record of people the person insert
    could not settle: known before, with more than one record in the file, or with
    records refused; forget people first seen in this file whose every record was refused."""
    db.execute(
        """CREATE TEMP TABLE unsettled AS
           SELECT person_id FROM staged WHERE person_id IS NOT NULL GROUP BY person_id
           HAVING COUNT(*) > 1 OR MAX(person_id) <= :before
               OR MAX(CASE WHEN reason IS NULL THEN 0 ELSE 1 END) = 1""",
        {"before": persons_before},
    )
    # A person's region is the one on their latest record that names a region.
    db.execute(
        """UPDATE person SET region = latest.region
           FROM (SELECT u.person_id, ranked.region
                 FROM unsettled u LEFT JOIN (
                     SELECT person_id, region, ROW_NUMBER() OVER (
                         PARTITION BY person_id ORDER BY effective_date DESC, seq DESC) AS rank
                     FROM register_record
                     WHERE region IS NOT NULL
                       AND person_id IN (SELECT person_id FROM unsettled)) AS ranked
                   ON ranked.person_id = u.person_id AND ranked.rank = 1) AS latest
           WHERE person.person_id = latest.person_id"""
    )
    # Who has only citizenship by birth, for the close's count by birth year.
    db.execute(
        """UPDATE person SET sole_birth_recorded_on = sole.recorded_on,
                              sole_birth_seq = sole.seq
           FROM (SELECT person_id,
                        CASE WHEN COUNT(*) = 1 AND MIN(kind) = 'born_citizen'
                             THEN MIN(recorded_on) END AS recorded_on,
                        CASE WHEN COUNT(*) = 1 AND MIN(kind) = 'born_citizen'
                             THEN MIN(seq) END AS seq
                 FROM register_record
                 WHERE kind != 'data_updated'
                   AND person_id IN (SELECT person_id FROM unsettled)
                 GROUP BY person_id) AS sole
           WHERE person.person_id = sole.person_id"""
    )
    db.execute(
        "DELETE FROM person WHERE person_id > :before AND person_id NOT IN"
        " (SELECT person_id FROM register_record WHERE person_id > :before)",
        {"before": persons_before},
    )
    db.execute("DROP TABLE unsettled")

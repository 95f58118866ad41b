"""An import's rows between the file and the register: staged, checked, applied.

Staging and checking write temporary tables only, which take no writer's lock (on
SQLite a temporary table lives in a database of the connection's own; on PostgreSQL it
is the session's): the service goes on answering and writing meanwhile.  The checks run
in one read snapshot, and note which import was the register's last.  `apply` then runs
inside the caller's unit of work, holding the writer: if another import was stored since
the checks, they run again first, so the outcome is exactly that of the two imports one
after the other (docs/decisions/0010).
"""

from __future__ import annotations

import array
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from urpaq.adapters.record_checks import STAGED_SCHEMA, staged_row, staged_table
from urpaq.adapters.sql.connection import SqlConnection
from urpaq.adapters.sql.import_checks import (
    CHECK_STEPS,
    COUNTS,
    MULTI,
    MULTI_TABLE,
    PREPARE_STEPS,
    PRESUMED_UNCHANGED,
    RESET_STEPS,
    Step,
)
from urpaq.adapters.sql.import_checks import CrossRowCheck as Check
from urpaq.adapters.staged import CheckedBatch
from urpaq.services.ports.register import StagedBatch, StagedRow

STAGED_COLUMNS = tuple(STAGED_SCHEMA.names[:-1])
REFUSED_COLUMNS = ("line", "record_id", "reason")

_STAGED_TABLE = """
CREATE TEMP TABLE staged (
    line           {line},
    record_id      TEXT,
    iin            TEXT,
    kind           TEXT,
    effective_date TEXT,
    recorded_on    TEXT,
    region         TEXT,
    birth_date     TEXT,
    is_male        INTEGER,
    retracts       TEXT,
    reason         TEXT,
    unchanged      INTEGER NOT NULL DEFAULT {presumed_unchanged}
)"""

_REFUSED_TABLE = "CREATE TEMP TABLE refused (line BIGINT NOT NULL, record_id TEXT, reason TEXT)"

_TEMPORARY = (
    "staged",
    "refused",
    "multi",
    "known",
    "crowd",
    "death",
    "named",
    "firsts",
    "unsettled",
)

#: Into how many parts the staged IINs are split to be counted (a power of two).
_COUNTED_PARTS = 16

#: The register's tables, which only imports write.
_REGISTER = ("person", "register_record")

#: The last import stored: it changes whenever the register does.
_LAST_BATCH = "SELECT COALESCE(MAX(batch_id), 0) FROM import_batch"


class ImportStaging:
    """The staged rows of one import on one connection."""

    def __init__(self, db: SqlConnection) -> None:
        self.db = db
        self.open = False
        self.checked_after: int | None = None  # the last batch the checks saw
        self.counts: tuple[int, int, int, int] = (0, 0, 0, 0)
        #: The checks that can refuse nothing in this file (see `Step.unique`).
        self.needless: set[str] = set()
        #: The IINs of the staged rows as numbers (a valid IIN is twelve ASCII digits),
        #: to find who has more than one row without grouping the staged rows; None if
        #: one could not be read so.  Kept outside Arrow's memory pool: small arrays kept
        #: there between the batches' large ones kept the pool from giving memory back.
        self.iins: array.array[int] | None = array.array("q")
        # What `COUNTS` would find, counted as the rows are staged and checked: a pass
        # over every staged row fewer.
        self.staged_rows = 0
        self.refused_rows = 0
        self.last_line = 0
        self.refused_by_checks = 0
        self.unchanged = 0
        #: Whether the staged rows come in presumed imported before unchanged: when the
        #: register held records as staging began (`import_checks.UNCHANGED_MARKED`).
        self.presumed_unchanged = False

    def stage(self, rows: StagedBatch) -> None:
        if not self.open:
            self.discard()
            self.presumed_unchanged = int(self.db.scalar(_LAST_BATCH)) > 0
            self.db.execute(
                _STAGED_TABLE.format(
                    line=self.db.staged_line_type,
                    presumed_unchanged=int(self.presumed_unchanged),
                )
            )
            self.db.execute(_REFUSED_TABLE)
            self.open = True
        table = rows.table if isinstance(rows, CheckedBatch) else _as_table(rows)  # type: ignore[arg-type]
        valid = pc.is_null(table.column("reason"))
        accepted = table.filter(valid).select(STAGED_COLUMNS)
        self.db.bulk_load("staged", STAGED_COLUMNS, accepted)
        self._count_iins(accepted.column("iin"))
        refused = table.filter(pc.invert(valid)).select(REFUSED_COLUMNS)
        if refused.num_rows:
            self.db.bulk_load("refused", REFUSED_COLUMNS, refused)
        self.staged_rows += accepted.num_rows
        self.refused_rows += refused.num_rows
        if table.num_rows:
            self.last_line = max(self.last_line, int(pc.max(table.column("line")).as_py()))
        self.checked_after = None

    def _count_iins(self, iins: pa.ChunkedArray) -> None:
        if self.iins is None:
            return
        try:
            numbers = pc.cast(iins, pa.int64())
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            self.iins = None
            return
        for chunk in numbers.chunks:
            if chunk.null_count:
                self.iins = None
                return
            data = chunk.buffers()[1]
            assert data is not None
            start = chunk.offset * 8
            self.iins.frombytes(memoryview(data)[start : start + len(chunk) * 8])

    def _fill_multi(self) -> None:
        """The IINs with more than one staged row, from the numbers kept while staging."""
        assert self.iins is not None
        numbers = pa.Array.from_buffers(pa.int64(), len(self.iins), [None, pa.py_buffer(self.iins)])
        # Counted a sixteenth at a time (by the IIN's last bits): a hash table of every
        # IIN of the national file at once took some 370 MiB.
        parts = pc.cast(pc.bit_wise_and(numbers, _COUNTED_PARTS - 1), pa.int8())
        repeated = []
        for part in range(_COUNTED_PARTS):
            counted = pc.value_counts(pc.filter(numbers, pc.equal(parts, part)))
            repeated.append(
                pc.filter(counted.field("values"), pc.greater(counted.field("counts"), 1))
            )
        texts = pc.utf8_lpad(pc.cast(pa.concat_arrays(repeated), pa.string()), 12, "0")
        self.db.execute(MULTI_TABLE)
        self.db.bulk_load("multi", ("iin",), pa.table({"iin": texts}))

    def check(self) -> None:
        """The cross-row checks against the register as it is now, in one snapshot."""
        if not self.open:
            self.stage([])
        with self.db.snapshot():
            self.db.refresh_statistics(["staged"])
            self._run(PREPARE_STEPS, register_empty=False)
            self._check()

    def _check(self) -> None:
        last_batch = int(self.db.scalar(_LAST_BATCH))
        self.refused_by_checks = self.unchanged = 0
        # Only imports write the register: before the first, it is empty.
        self._run(CHECK_STEPS, register_empty=last_batch == 0)
        self.checked_after = last_batch
        self.counts = (
            self.staged_rows - self.refused_by_checks - self.unchanged,
            self.unchanged,
            self.refused_by_checks + self.refused_rows,
            self.last_line,
        )

    def counted_in_sql(self) -> tuple[int, int, int, int]:
        """`counts` as one pass over the staged rows finds them (their definition)."""
        row = self.db.execute(COUNTS).fetchone()
        return (int(row[0]), int(row[1]), int(row[2]), int(row[3]))

    def _run(self, steps: Sequence[Step | Check], *, register_empty: bool) -> None:
        for step in steps:
            if self.presumed_unchanged and isinstance(step, Step):
                step = PRESUMED_UNCHANGED.get(step, step)
            if step.needs_register and register_empty:
                continue
            if isinstance(step, Check) and step.code in self.needless:
                continue
            if step is MULTI and self.iins is not None:
                self._fill_multi()
                self.db.refresh_statistics(["multi"])
                continue
            if (
                isinstance(step, Step)
                and step.unique is not None
                and self.db.creates_unique_index(step.unique)
            ):
                assert step.unless_unique is not None
                self.needless.add(step.unless_unique)
                continue
            changed = self.db.execute(step.sql).rowcount
            if step.marks == "refused":
                self.refused_by_checks += changed
            elif step.marks == "unchanged":
                self.unchanged += changed
            elif step.marks == "not_unchanged":  # every staged row was presumed unchanged
                self.unchanged += self.staged_rows - changed
            if isinstance(step, Step) and step.fills is not None:
                self.db.refresh_statistics([step.fills])

    def recheck_if_changed(self) -> bool:
        """Inside the writer: check again if an import was stored since the checks."""
        if self.checked_after == int(self.db.scalar(_LAST_BATCH)):
            return False
        self._run(RESET_STEPS, register_empty=False)
        self._check()
        return True

    def apply(self, *, batch_id: int, base_seq: int) -> None:
        """Store the accepted records and the refused rows (inside the writer)."""
        db = self.db
        uses = {"base": base_seq, "batch": batch_id}
        uses["before"] = int(db.scalar("SELECT COALESCE(MAX(person_id), 0) FROM person"))
        # Into an empty register, the rows go in without indexes where the database can
        # drop them (PostgreSQL, the keys' too), which are then built in one sorted pass
        # each, in the same transaction, before the people are brought up to date:
        # cheaper than an index entry per row in the order of the file (docs/decisions
        # 0016, 0026); and without checks made per statement, made once after (0018).
        later = (
            db.set_aside_for_first_import(_REGISTER)
            if uses["before"] == 0 and base_seq == 0
            else []
        )
        for set_aside, _ in later:
            db.execute(set_aside)
        # A new person's id is the highest before plus the line of their first accepted
        # record: in the order people first appear, and known without a lookup.  Most
        # people of a file are the one row of someone new, written in one ordered pass.
        db.execute(
            """CREATE TEMP TABLE firsts AS
               SELECT iin, MIN(line) AS line FROM crowd
               WHERE reason IS NULL AND unchanged = 0
                 AND iin IN (SELECT iin FROM multi) AND iin NOT IN (SELECT iin FROM known)
               GROUP BY iin"""
        )
        for source in (_ALONE, _FIRSTS):
            db.execute(
                f"""INSERT INTO person (person_id, iin, birth_date, birth_year, is_male, region,
                                        sole_birth_recorded_on, sole_birth_seq)
                    SELECT :before + s.line, s.iin, s.birth_date,
                           CAST(substr(s.birth_date, 1, 4) AS INTEGER), s.is_male, s.region,
                           CASE WHEN s.kind = 'born_citizen' THEN s.recorded_on END,
                           CASE WHEN s.kind = 'born_citizen' THEN :base + s.line END
                    {source}""",
                uses,
            )
        db.execute(
            f"""INSERT INTO register_record (person_id, seq, record_id, kind, effective_date,
                                             recorded_on, region, batch_id, retracts)
                SELECT :before + s.line, :base + s.line, s.record_id, s.kind,
                       s.effective_date, s.recorded_on, s.region, :batch, s.retracts
                {_ALONE}""",
            uses,
        )
        db.execute(
            """INSERT INTO register_record (person_id, seq, record_id, kind, effective_date,
                                            recorded_on, region, batch_id, retracts)
               SELECT COALESCE(k.person_id, :before + f.line), :base + c.line, c.record_id,
                      c.kind, c.effective_date, c.recorded_on, c.region, :batch, c.retracts
               FROM crowd c LEFT JOIN known k ON k.iin = c.iin
                            LEFT JOIN firsts f ON f.iin = c.iin
               WHERE c.reason IS NULL AND c.unchanged = 0
                 AND (k.person_id IS NOT NULL OR f.line IS NOT NULL)
               ORDER BY 1, 2""",
            uses,
        )
        self._store_refused(batch_id)
        for _, restore in later:
            db.execute(restore)
        _settle_persons(db, before=uses["before"])

    def _store_refused(self, batch_id: int) -> None:
        """The refused rows with their line and reason; the staged rows are read only if
        a check refused some of them."""
        self.db.execute(
            "INSERT INTO rejected_record (batch_id, line, record_id, reason)"
            " SELECT :batch, line, record_id, reason FROM refused"
            + (
                " UNION ALL SELECT :batch, line, record_id, reason FROM staged"
                " WHERE reason IS NOT NULL"
                if self.refused_by_checks
                else ""
            ),
            {"batch": batch_id},
        )

    def discard(self) -> None:
        self.db.forget_temporary(_TEMPORARY)
        self.open = False
        self.checked_after = None
        self.needless = set()
        self.iins = array.array("q")
        self.staged_rows = self.refused_rows = self.last_line = 0
        self.refused_by_checks = self.unchanged = 0
        self.presumed_unchanged = False


def _as_table(rows: Sequence[StagedRow]) -> pa.Table:
    """Rows checked one at a time, as a checked batch's columns."""
    return staged_table(
        [staged_row(r.line, r.record, record_id=r.record_id, reason=r.reason) for r in rows]
    )


#: The accepted rows that are all a new person has: written in the order of the file.
_ALONE = """FROM staged s
            WHERE s.reason IS NULL AND s.unchanged = 0
              AND s.iin NOT IN (SELECT iin FROM multi) AND s.iin NOT IN (SELECT iin FROM known)"""
#: The first accepted row of each new person with more than one.
_FIRSTS = "FROM firsts f JOIN crowd s ON s.line = f.line"


def _settle_persons(db: SqlConnection, *, before: int) -> None:
    """Bring up to date the region and sole birth record of the people with more than
    one record: known before, or with more than one row in the file."""
    db.execute(
        """CREATE TEMP TABLE unsettled AS
           SELECT person_id FROM known WHERE iin IN (
               SELECT iin FROM crowd WHERE reason IS NULL AND unchanged = 0)
           UNION
           SELECT :before + line FROM firsts""",
        {"before": before},
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
    db.execute("DROP TABLE unsettled")

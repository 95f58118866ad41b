"""The SQLite store: the embedded default database of urpaq.

Bulk work is set-based SQL inside one transaction; a crash at any point leaves the
database as it was before the transaction began (SQLite's journal).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from importlib import resources
from pathlib import Path

from urpaq.adapters.sqlite.standing import (
    born_citizens_sql,
    maturing_sql,
    movements_sql,
    standing_parameters,
)
from urpaq.domain import ledger
from urpaq.domain.close import CloseResult, MaturityPlan, Movement, Outcome, born_citizen_movement
from urpaq.domain.ledger import JournalEntry
from urpaq.domain.money import Money
from urpaq.domain.parameters import YearParameters
from urpaq.domain.participation import AGE_SPAN_YEARS, Fact, View
from urpaq.domain.register import Kind
from urpaq.domain.statement import ClosedView, StatementLine
from urpaq.services.ports import (
    AccountBalance,
    ClosedRecord,
    ImportSummary,
    PersonRecord,
    Rejection,
    StagedRow,
)

SCHEMA_VERSION = 1


class SchemaTooNew(RuntimeError):
    """The database was written by a newer urpaq than this one."""


def connect(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode = WAL")
    # FULL: a committed close survives a power cut, not only a crash of the process.
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("PRAGMA cache_size = -262144")  # 256 MiB of page cache
    connection.execute("PRAGMA busy_timeout = 60000")
    return connection


class SqliteStore:
    """The `Store` protocol on one SQLite database file."""

    def __init__(self, path: str) -> None:
        self.path = path
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = connect(path)
        self._in_transaction = False

    def close(self) -> None:
        self.db.close()

    # --- schema ----------------------------------------------------------------------

    def schema_version(self) -> int:
        exists = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
        ).fetchone()
        if not exists:
            return 0
        row = self.db.execute("SELECT MAX(version) FROM schema_version").fetchone()
        return int(row[0] or 0)

    def initialise(self) -> int:
        """Create the schema, or upgrade it to this version; return the version."""
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise SchemaTooNew(
                f"database schema version {version} is newer than this urpaq "
                f"({SCHEMA_VERSION}); upgrade urpaq"
            )
        if version == SCHEMA_VERSION:
            return version
        script = resources.files("urpaq.adapters.sqlite").joinpath("schema.sql").read_text()
        with self.transaction():
            for statement in _statements(script):
                self.db.execute(statement)
            self.db.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
        return SCHEMA_VERSION

    def is_initialised(self) -> bool:
        return self.schema_version() == SCHEMA_VERSION

    # --- unit of work ----------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._in_transaction:
            yield
            return
        self.db.execute("BEGIN IMMEDIATE")
        self._in_transaction = True
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")
        finally:
            self._in_transaction = False

    # --- the register ----------------------------------------------------------------

    def import_summary_of_file(self, sha256: str) -> ImportSummary | None:
        row = self.db.execute(
            "SELECT batch_id, source, accepted, unchanged FROM import_batch WHERE sha256 = ?",
            (sha256,),
        ).fetchone()
        if row is None:
            return None
        return ImportSummary(
            batch_id=row[0],
            source=row[1],
            accepted=row[2],
            unchanged=row[3],
            rejections=tuple(self.rejections_in(row[0])),
            repeated_file=True,
        )

    def rejections_in(self, batch_id: int) -> list[Rejection]:
        rows = self.db.execute(
            "SELECT line, record_id, reason FROM rejected_record WHERE batch_id = ? ORDER BY line",
            (batch_id,),
        )
        return [Rejection(line, record_id, reason) for line, record_id, reason in rows]

    def stage_rows(self, rows: Sequence[StagedRow]) -> None:
        assert self._in_transaction, "staging belongs inside the import's transaction"
        self.db.execute(_STAGED_TABLE)
        values: list[tuple[object, ...]] = []
        for row in rows:
            record = row.record
            if record is None:
                values.append(
                    (row.line, row.record_id, None, None, None, None, None, None, None, row.reason)
                )
            else:
                values.append(
                    (
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
                )
        self.db.executemany(
            "INSERT INTO temp.staged (line, record_id, iin, kind, effective_date, recorded_on,"
            " region, birth_date, is_male, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            values,
        )

    def finish_import(self, *, source: str, sha256: str, today: dt.date) -> ImportSummary:
        """Check the staged rows against each other and the register; store the outcome."""
        assert self._in_transaction, "an import is one transaction"
        db = self.db
        db.execute(_STAGED_TABLE)
        persons_before = db.execute("SELECT COALESCE(MAX(person_id), 0) FROM person").fetchone()[0]
        for statement in _IMPORT_CHECKS:
            db.execute(statement)
        base_seq = self.register_watermark()
        batch_id = db.execute("SELECT COALESCE(MAX(batch_id), 0) + 1 FROM import_batch").fetchone()[
            0
        ]
        accepted = db.execute(
            "SELECT COUNT(*) FROM temp.staged WHERE reason IS NULL AND unchanged = 0"
        ).fetchone()[0]
        unchanged = db.execute("SELECT COUNT(*) FROM temp.staged WHERE unchanged = 1").fetchone()[0]
        last_line = db.execute("SELECT COALESCE(MAX(line), 0) FROM temp.staged").fetchone()[0]
        db.execute(
            "INSERT INTO import_batch (batch_id, sha256, source, imported_on, first_seq, last_seq,"
            " accepted, unchanged, rejected) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
            " (SELECT COUNT(*) FROM temp.staged WHERE reason IS NOT NULL))",
            (
                batch_id,
                sha256,
                source,
                today.isoformat(),
                base_seq + 1,
                base_seq + last_line,
                accepted,
                unchanged,
            ),
        )
        db.execute(
            "INSERT INTO register_record (person_id, seq, record_id, kind, effective_date,"
            " recorded_on, region, batch_id)"
            " SELECT person_id, :base + line, record_id, kind, effective_date, recorded_on,"
            " region, :batch"
            " FROM temp.staged WHERE reason IS NULL AND unchanged = 0 ORDER BY person_id, line",
            {"base": base_seq, "batch": batch_id},
        )
        db.execute(
            "INSERT INTO rejected_record (batch_id, line, record_id, reason)"
            " SELECT ?, line, record_id, reason FROM temp.staged WHERE reason IS NOT NULL",
            (batch_id,),
        )
        # A person's region is the one on their latest record that names a region.
        db.execute(
            f"""UPDATE person SET region = (
                   SELECT r.region FROM register_record r
                   WHERE r.person_id = person.person_id AND r.region IS NOT NULL
                   ORDER BY r.effective_date DESC, r.seq DESC LIMIT 1)
               WHERE person_id IN ({_STAGED_PEOPLE} AND region IS NOT NULL)"""
        )
        # Who has only citizenship by birth, for the close's fast count.
        db.execute(
            f"""UPDATE person SET (sole_birth_recorded_on, sole_birth_seq) = (
                   SELECT CASE WHEN COUNT(*) = 1 AND MIN(r.kind) = 'born_citizen'
                               THEN MIN(r.recorded_on) END,
                          CASE WHEN COUNT(*) = 1 AND MIN(r.kind) = 'born_citizen'
                               THEN MIN(r.seq) END
                   FROM register_record r
                   WHERE r.person_id = person.person_id AND r.kind != 'data_updated')
               WHERE person_id IN ({_STAGED_PEOPLE})"""
        )
        # People first seen in this file whose every record was refused stay unknown.
        db.execute(
            "DELETE FROM person WHERE person_id > ? AND person_id NOT IN"
            " (SELECT person_id FROM register_record WHERE person_id > ?)",
            (persons_before, persons_before),
        )
        db.execute("DROP TABLE temp.staged")
        return ImportSummary(
            batch_id=batch_id,
            source=source,
            accepted=accepted,
            unchanged=unchanged,
            rejections=tuple(self.rejections_in(batch_id)),
        )

    def register_watermark(self) -> int:
        row = self.db.execute("SELECT COALESCE(MAX(last_seq), 0) FROM import_batch").fetchone()
        return int(row[0])

    def person_by_iin(self, iin: str) -> PersonRecord | None:
        row = self.db.execute(
            "SELECT person_id, iin, birth_date FROM person WHERE iin = ?", (iin,)
        ).fetchone()
        if row is None:
            return None
        return PersonRecord(row[0], row[1], dt.date.fromisoformat(row[2]))

    def facts_of(self, person_id: int) -> list[Fact]:
        rows = self.db.execute(
            "SELECT kind, effective_date, recorded_on, seq FROM register_record"
            " WHERE person_id = ? ORDER BY seq",
            (person_id,),
        )
        return [
            Fact(Kind(kind), dt.date.fromisoformat(eff), dt.date.fromisoformat(rec), seq)
            for kind, eff, rec, seq in rows
        ]

    # --- parameters ------------------------------------------------------------------

    def parameters_for(self, year: int) -> YearParameters | None:
        row = self.db.execute(
            "SELECT tr_total_cents, ii_rate, reference FROM year_parameters WHERE year = ?",
            (year,),
        ).fetchone()
        if row is None:
            return None
        return YearParameters(year, Money(row[0]), Decimal(row[1]), row[2])

    def save_parameters(self, parameters: YearParameters, *, today: dt.date) -> None:
        self.db.execute(
            "INSERT INTO year_parameters (year, tr_total_cents, ii_rate, reference, set_on)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (year) DO UPDATE SET"
            " tr_total_cents = excluded.tr_total_cents, ii_rate = excluded.ii_rate,"
            " reference = excluded.reference, set_on = excluded.set_on",
            (
                parameters.year,
                parameters.tr_total.cents,
                str(parameters.ii_rate),
                parameters.reference,
                today.isoformat(),
            ),
        )

    # --- closes ----------------------------------------------------------------------

    def closed_years(self) -> list[ClosedRecord]:
        rows = self.db.execute(
            "SELECT year, as_of, watermark, per_child_cents, ii_rate, result_json"
            " FROM year_close ORDER BY year"
        )
        closed = []
        for year, as_of, watermark, per_child, rate, result_json in rows:
            view = View(dt.date.fromisoformat(as_of), watermark)
            closed.append(
                ClosedRecord(
                    ClosedView(year, view, Money(per_child), Decimal(rate)),
                    _result_from_json(json.loads(result_json)),
                )
            )
        return closed

    def movements(self, *, year: int, view: View, previous: View | None) -> list[Movement]:
        parameters = standing_parameters(year=year, view=view, previous=previous)
        counts: dict[tuple[int | None, Outcome, int | None, bool], int] = {}
        for held, outcome, entry, matures, count in self.db.execute(movements_sql(), parameters):
            key = (held, Outcome(outcome), entry, bool(matures))
            counts[key] = counts.get(key, 0) + count
        for birth_year, both, now_only, before_only in self.db.execute(
            born_citizens_sql(), parameters
        ):
            assert before_only == 0, "a later view sees everything an earlier one saw"
            for seen_before, count in ((True, both), (False, now_only)):
                if count == 0:
                    continue
                move = born_citizen_movement(
                    birth_year=birth_year, seen_before=seen_before, year=year, count=count
                )
                if move is not None:
                    key = (move.held_class, move.outcome, move.entry_year, move.matures)
                    counts[key] = counts.get(key, 0) + move.count
        return [
            Movement(held_class=held, outcome=outcome, entry_year=entry, matures=matures, count=n)
            for (held, outcome, entry, matures), n in sorted(counts.items(), key=str)
        ]

    def save_close(
        self,
        *,
        result: CloseResult,
        closed: ClosedView,
        entries: Sequence[JournalEntry],
        maturity: MaturityPlan,
    ) -> None:
        assert self._in_transaction, "a close is one transaction"
        posted_on = closed.view.as_of
        for entry in entries:
            self.post(entry, posted_on=posted_on)
        if maturity.count_by_class:
            self._credit_maturities(closed, maturity)
        self.db.execute(
            "INSERT INTO year_close (year, as_of, watermark, per_child_cents, ii_rate,"
            " result_json) VALUES (?, ?, ?, ?, ?, ?)",
            (
                closed.year,
                closed.view.as_of.isoformat(),
                closed.view.watermark,
                closed.per_child.cents,
                str(closed.ii_rate),
                json.dumps(result.as_json(), sort_keys=True),
            ),
        )

    def _credit_maturities(self, closed: ClosedView, maturity: MaturityPlan) -> None:
        """Move each maturing person's whole balance from its class to their own TS account."""
        year = closed.year
        entry_id = self._next_entry_id()
        previous = self._view_of(year - 1)
        parameters = standing_parameters(year=year, view=closed.view, previous=previous)
        parameters.update(
            maturing_year=year - AGE_SPAN_YEARS, entry_id=entry_id, account=ledger.TARGET_SAVINGS
        )
        amounts = {entry_year: m.cents for entry_year, m in maturity.amount_by_class.items()}
        self.db.execute(maturing_sql(amount_by_entry_year=amounts), parameters)
        inserted, total = self.db.execute(
            "SELECT COUNT(*), COALESCE(SUM(amount_cents), 0) FROM posting WHERE entry_id = ?",
            (entry_id,),
        ).fetchone()
        planned = sum(maturity.count_by_class.values())
        planned_total = sum(
            count * maturity.amount_by_class[entry_year].cents
            for entry_year, count in maturity.count_by_class.items()
        )
        assert (inserted, total) == (planned, planned_total), (
            f"maturity of {year}: wrote {inserted} accounts for {Money(total)}, "
            f"planned {planned} for {Money(planned_total)}"
        )
        self.db.executemany(
            "INSERT INTO posting (entry_id, account, person_id, amount_cents)"
            " VALUES (?, ?, NULL, ?)",
            [
                (
                    entry_id,
                    ledger.class_account(entry_year),
                    -count * maturity.amount_by_class[entry_year].cents,
                )
                for entry_year, count in sorted(maturity.count_by_class.items())
            ],
        )
        key = f"close:{year}:maturity"
        self.db.execute(
            "INSERT INTO journal_entry (entry_id, key, content_hash, kind, reporting_year,"
            " corrects, posted_on) VALUES (?, ?, ?, 'maturity', ?, NULL, ?)",
            (entry_id, key, f"maturity:{year}", year, closed.view.as_of.isoformat()),
        )

    def _view_of(self, year: int) -> View | None:
        row = self.db.execute(
            "SELECT as_of, watermark FROM year_close WHERE year = ?", (year,)
        ).fetchone()
        return None if row is None else View(dt.date.fromisoformat(row[0]), row[1])

    # --- the ledger ------------------------------------------------------------------

    def _next_entry_id(self) -> int:
        return int(
            self.db.execute("SELECT COALESCE(MAX(entry_id), 0) + 1 FROM journal_entry").fetchone()[
                0
            ]
        )

    def post(self, entry: JournalEntry, *, posted_on: dt.date) -> None:
        """Write a balanced entry once; a repeat of the same key and content is a no-op."""
        digest = entry.content_hash()
        existing = self.db.execute(
            "SELECT content_hash FROM journal_entry WHERE key = ?", (entry.key,)
        ).fetchone()
        if existing is not None:
            if existing[0] != digest:
                raise IdempotencyConflict(entry.key)
            return
        entry_id = self._next_entry_id()
        self.db.executemany(
            "INSERT INTO posting (entry_id, account, person_id, amount_cents) VALUES (?, ?, ?, ?)",
            [(entry_id, p.account, p.person_id, p.amount.cents) for p in entry.postings],
        )
        self.db.execute(
            "INSERT INTO journal_entry (entry_id, key, content_hash, kind, reporting_year,"
            " corrects, posted_on) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                entry_id,
                entry.key,
                digest,
                entry.kind.value,
                entry.reporting_year,
                entry.corrects,
                posted_on.isoformat(),
            ),
        )

    def balances(self) -> list[AccountBalance]:
        rows = self.db.execute(
            "SELECT account, SUM(amount_cents) FROM posting GROUP BY account ORDER BY account"
        )
        return [AccountBalance(account, Money(total)) for account, total in rows]

    def unbalanced_entries(self) -> list[str]:
        rows = self.db.execute(
            """SELECT COALESCE(j.key, 'postings of unsealed entry ' || p.entry_id)
               FROM posting p LEFT JOIN journal_entry j ON j.entry_id = p.entry_id
               GROUP BY p.entry_id HAVING SUM(p.amount_cents) != 0 OR j.entry_id IS NULL"""
        )
        return [row[0] for row in rows]

    def entry_totals(self, *, year: int) -> dict[str, dict[str, Money]]:
        """For the entries of a reporting year: per kind, the net amount per account."""
        rows = self.db.execute(
            """SELECT j.kind, p.account, SUM(p.amount_cents)
               FROM journal_entry j JOIN posting p ON p.entry_id = j.entry_id
               WHERE j.reporting_year = ? GROUP BY j.kind, p.account""",
            (year,),
        )
        totals: dict[str, dict[str, Money]] = {}
        for kind, account, total in rows:
            totals.setdefault(kind, {})[account] = Money(total)
        return totals

    def savings_lines(self, person_id: int) -> list[StatementLine]:
        rows = self.db.execute(
            """SELECT j.reporting_year, j.kind, p.amount_cents
               FROM posting p JOIN journal_entry j ON j.entry_id = p.entry_id
               WHERE p.person_id = ? AND p.account = ? ORDER BY j.entry_id""",
            (person_id, ledger.TARGET_SAVINGS),
        )
        return [
            StatementLine(year, kind, Money(cents), account=ledger.TARGET_SAVINGS)
            for year, kind, cents in rows
        ]

    def savings_by_year(self) -> dict[int, tuple[int, Money]]:
        rows = self.db.execute(
            """SELECT j.reporting_year, COUNT(*), SUM(p.amount_cents)
               FROM posting p JOIN journal_entry j ON j.entry_id = p.entry_id
               WHERE j.kind = 'maturity' AND p.person_id IS NOT NULL
               GROUP BY j.reporting_year"""
        )
        return {year: (count, Money(total)) for year, count, total in rows}

    def negative_savings_accounts(self) -> int:
        row = self.db.execute(
            "SELECT COUNT(*) FROM (SELECT person_id FROM posting WHERE account = ?"
            " AND person_id IS NOT NULL GROUP BY person_id HAVING SUM(amount_cents) < 0)",
            (ledger.TARGET_SAVINGS,),
        ).fetchone()
        return int(row[0])

    def class_members(self, *, year: int, view: View, previous: View | None) -> dict[int, int]:
        """Per entry-year class, how many people hold TR after the close of `year`."""
        members: dict[int, int] = {}
        for move in self.movements(year=year, view=view, previous=previous):
            if move.outcome.is_participant and not move.matures:
                assert move.entry_year is not None
                members[move.entry_year] = members.get(move.entry_year, 0) + move.count
        return members


class IdempotencyConflict(Exception):
    """The same idempotency key was used before with different content."""

    def __init__(self, key: str) -> None:
        super().__init__(f"key {key!r} was used before for different content")
        self.key = key


def _result_from_json(data: dict[str, object]) -> CloseResult:
    def money(name: str) -> Money:
        return Money.parse(str(data[name]))

    return CloseResult(
        reporting_year=int(str(data["reporting_year"])),
        participants=int(str(data["participants"])),
        per_child=money("per_child"),
        tr_total=money("tr_total"),
        forfeited=money("forfeited"),
        annulled=money("annulled"),
        back_accruals=money("back_accruals"),
        residue=money("residue"),
        investment_income=money("investment_income"),
        matured=int(str(data["matured"])),
        target_savings_credited=money("target_savings_credited"),
    )


def _statements(script: str) -> list[str]:
    """Split a schema script into statements, keeping trigger bodies whole."""
    statements: list[str] = []
    buffer: list[str] = []
    for line in script.splitlines():
        if line.strip().startswith("--") and not buffer:
            continue
        buffer.append(line)
        text = "\n".join(buffer).strip()
        if text.endswith(";") and sqlite3.complete_statement(text):
            statements.append(text)
            buffer = []
    return statements


_STAGED_PEOPLE = "SELECT person_id FROM temp.staged WHERE reason IS NULL AND unchanged = 0"

_STAGED_TABLE = """
CREATE TEMP TABLE IF NOT EXISTS staged (
    line           INTEGER PRIMARY KEY,
    record_id      TEXT,
    iin            TEXT,
    kind           TEXT,
    effective_date TEXT,
    recorded_on    TEXT,
    region         TEXT,
    birth_date     TEXT,
    is_male        INTEGER,
    reason         TEXT,
    person_id      INTEGER,
    unchanged      INTEGER NOT NULL DEFAULT 0
)"""

# Checks that need more than one record, in order; each sees only rows still valid.
_IMPORT_CHECKS = (
    "CREATE INDEX IF NOT EXISTS temp.staged_record_id ON staged (record_id)",
    # The same record_id twice in one file: the first stands.
    """UPDATE temp.staged SET reason = 'record_id ' || quote(record_id)
           || ' appears again (first on line ' || (
               SELECT MIN(s.line) FROM temp.staged s
               WHERE s.record_id = staged.record_id AND s.reason IS NULL) || ')'
       WHERE reason IS NULL AND line > (
           SELECT MIN(s.line) FROM temp.staged s
           WHERE s.record_id = staged.record_id AND s.reason IS NULL)""",
    # A record imported before: the same content is a no-op, other content is refused.
    """UPDATE temp.staged SET unchanged = 1
       WHERE reason IS NULL AND EXISTS (
           SELECT 1 FROM register_record r JOIN person p ON p.person_id = r.person_id
           WHERE r.record_id = staged.record_id AND p.iin = staged.iin
             AND r.kind = staged.kind AND r.effective_date = staged.effective_date
             AND r.recorded_on = staged.recorded_on AND r.region IS staged.region)""",
    """UPDATE temp.staged SET reason = 'record_id ' || quote(record_id)
           || ' was imported before with different content'
       WHERE reason IS NULL AND unchanged = 0 AND EXISTS (
           SELECT 1 FROM register_record r WHERE r.record_id = staged.record_id)""",
    # New people get their person id in the order they first appear.
    """INSERT INTO person (iin, birth_date, birth_year, is_male)
       SELECT iin, birth_date, CAST(substr(birth_date, 1, 4) AS INTEGER), is_male
       FROM temp.staged
       WHERE reason IS NULL AND unchanged = 0
         AND iin NOT IN (SELECT iin FROM person)
       GROUP BY iin ORDER BY MIN(line)""",
    """UPDATE temp.staged
       SET person_id = (SELECT p.person_id FROM person p WHERE p.iin = staged.iin)
       WHERE reason IS NULL AND unchanged = 0""",
    "CREATE INDEX IF NOT EXISTS temp.staged_person ON staged (person_id, kind)",
    # Citizenship by birth is stated once per person.
    """UPDATE temp.staged SET reason = 'IIN ' || iin || ' already has a born_citizen record'
       WHERE reason IS NULL AND unchanged = 0 AND kind = 'born_citizen' AND (
           EXISTS (SELECT 1 FROM register_record r
                   WHERE r.person_id = staged.person_id AND r.kind = 'born_citizen')
           OR EXISTS (SELECT 1 FROM temp.staged s
                      WHERE s.person_id = staged.person_id AND s.kind = 'born_citizen'
                        AND s.reason IS NULL AND s.unchanged = 0 AND s.line < staged.line))""",
    # Deaths known after this file, for the checks that follow.
    """CREATE TEMP TABLE death AS
       SELECT person_id, MIN(effective_date) AS died_on FROM (
           SELECT person_id, effective_date FROM register_record
           WHERE kind IN ('died', 'declared_dead')
             AND person_id IN (SELECT person_id FROM temp.staged WHERE reason IS NULL)
           UNION ALL
           SELECT person_id, effective_date FROM temp.staged
           WHERE reason IS NULL AND unchanged = 0 AND kind IN ('died', 'declared_dead'))
       GROUP BY person_id""",
    # Nobody gains or loses citizenship after their death.
    """UPDATE temp.staged SET reason = kind || ' on ' || effective_date
           || ' is after the death of IIN ' || iin || ' on '
           || (SELECT d.died_on FROM temp.death d WHERE d.person_id = staged.person_id)
       WHERE reason IS NULL AND unchanged = 0
         AND kind IN ('born_citizen', 'citizenship_acquired',
                      'citizenship_lost', 'citizenship_renounced')
         AND person_id IN (SELECT person_id FROM temp.death)
         AND effective_date > (SELECT d.died_on FROM temp.death d
                               WHERE d.person_id = staged.person_id)""",
    # Citizenship can be lost or renounced only by someone who had it.
    """UPDATE temp.staged SET reason = kind || ' on ' || effective_date || ' but IIN ' || iin
           || ' was not a citizen by then'
       WHERE reason IS NULL AND unchanged = 0
         AND kind IN ('citizenship_lost', 'citizenship_renounced')
         AND NOT EXISTS (
             SELECT 1 FROM register_record r
             WHERE r.person_id = staged.person_id
               AND r.kind IN ('born_citizen', 'citizenship_acquired')
               AND r.effective_date <= staged.effective_date)
         AND NOT EXISTS (
             SELECT 1 FROM temp.staged s
             WHERE s.person_id = staged.person_id AND s.reason IS NULL
               AND s.kind IN ('born_citizen', 'citizenship_acquired')
               AND s.effective_date <= staged.effective_date)""",
    # Updates and annulments are about a person the register already knows.
    """UPDATE temp.staged SET reason = kind || ' for IIN ' || iin
           || ' which has no citizenship or death record'
       WHERE reason IS NULL AND unchanged = 0
         AND kind IN ('data_updated', 'record_annulled')
         AND NOT EXISTS (
             SELECT 1 FROM register_record r
             WHERE r.person_id = staged.person_id
               AND r.kind NOT IN ('data_updated', 'record_annulled'))
         AND NOT EXISTS (
             SELECT 1 FROM temp.staged s
             WHERE s.person_id = staged.person_id AND s.reason IS NULL
               AND s.kind NOT IN ('data_updated', 'record_annulled'))""",
    "DROP TABLE temp.death",
)

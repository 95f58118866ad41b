"""The store on a SQL database: everything the services need, written once for SQLite
and PostgreSQL.

Bulk work is set-based SQL inside one transaction; a crash at any point leaves the
database as it was before the transaction began.  The SQL here is the common ground of
both databases; each adapter supplies a connection, its transactions, its bulk loading
and its schema migrations.  Parameters are written `:name` (or `?`); PostgreSQL's
adapter translates them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from importlib import resources
from typing import Any

from urpaq.adapters.sql.standing import (
    born_citizens_sql,
    maturing_sql,
    movements_sql,
    participant_groups_sql,
    standing_parameters,
)
from urpaq.domain import ledger
from urpaq.domain.audit import AuditEvent
from urpaq.domain.close import (
    CloseResult,
    MaturityPlan,
    Movement,
    Outcome,
    born_citizen_movement,
)
from urpaq.domain.ledger import JournalEntry
from urpaq.domain.money import Money
from urpaq.domain.operators import AuthorisedOperator, Purpose
from urpaq.domain.parameters import YearParameters
from urpaq.domain.participation import AGE_SPAN_YEARS, Fact, View
from urpaq.domain.payouts import HeirPayout, Payout, PayoutStatus
from urpaq.domain.register import Kind
from urpaq.domain.statement import ClosedView, StatementLine
from urpaq.services.ports import (
    AccountBalance,
    ClosedRecord,
    ImportSummary,
    KeptAnswer,
    ParticipantGroup,
    PayoutGroup,
    PersonRecord,
    Rejection,
    SavingsFlow,
    StagedRow,
)

Params = Sequence[Any] | Mapping[str, Any] | None

STAGED_COLUMNS = (
    "line", "record_id", "iin", "kind", "effective_date", "recorded_on", "region",
    "birth_date", "is_male", "reason",
)  # fmt: skip


class SchemaTooNew(RuntimeError):
    """The database was written by a newer urpaq than this one."""


class IdempotencyConflict(Exception):
    """The same idempotency key was used before with different content."""

    def __init__(self, key: str) -> None:
        super().__init__(f"key {key!r} was used before for different content")
        self.key = key


def migrations(package: str) -> list[tuple[int, str]]:
    """The numbered migration scripts of an adapter, in order: `(version, script)`."""
    folder = resources.files(package).joinpath("migrations")
    found = []
    for item in folder.iterdir():
        match = re.match(r"^(\d{4})_.*\.sql$", item.name)
        if match:
            found.append((int(match.group(1)), item.read_text(encoding="utf-8")))
    found.sort()
    assert [v for v, _ in found] == list(range(1, len(found) + 1)), "migrations must be 1…n"
    return found


class SqlStore(ABC):
    """The `Store` protocol in SQL; subclasses bind it to one database."""

    #: The package holding this adapter's `migrations/` folder.
    migrations_package: str
    description: str
    _in_transaction: bool = False

    # --- what each database supplies -------------------------------------------------

    @abstractmethod
    def execute(self, sql: str, params: Params = None) -> Any:
        """Run one statement; return a cursor (iterable, with fetchone and fetchall)."""

    @abstractmethod
    def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    @abstractmethod
    def _begin(self) -> None:
        """Start a write transaction that excludes every other writer until it ends."""

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One unit of work: everything inside commits together, or nothing does."""
        if self._in_transaction:
            yield
            return
        self._begin()
        self._in_transaction = True
        try:
            yield
        except BaseException:
            self.execute("ROLLBACK")
            raise
        else:
            self.execute("COMMIT")
        finally:
            self._in_transaction = False
            self._end()

    def _end(self) -> None:  # noqa: B027 — a hook: most databases need nothing here
        """After a transaction ends, committed or not."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def _has_schema_table(self) -> bool: ...

    @abstractmethod
    def _run_script(self, script: str) -> None: ...

    def _stage(self, values: list[tuple[Any, ...]]) -> None:
        """Bulk-load rows into the temporary table `staged`."""
        placeholders = ", ".join("?" for _ in STAGED_COLUMNS)
        self.execute_many(
            f"INSERT INTO staged ({', '.join(STAGED_COLUMNS)}) VALUES ({placeholders})", values
        )

    def _create_staged_table(self) -> None:
        self.execute(_STAGED_TABLE)

    def _refresh_statistics(self, tables: Sequence[str]) -> None:
        """Tell the query planner about tables that just changed a lot."""
        return None

    def _open_entry(self, header: tuple[Any, ...]) -> None:
        """Before an entry's postings: PostgreSQL writes the entry first and checks it at
        commit."""
        return None

    def _seal_entry(self, header: tuple[Any, ...]) -> None:
        """After an entry's postings: SQLite writes the entry last, and its trigger refuses
        it unless the postings balance."""
        return None

    def _write_entry_header(self, header: tuple[Any, ...]) -> None:
        self.execute(
            "INSERT INTO journal_entry (entry_id, key, content_hash, kind, reporting_year,"
            " corrects, posted_on) VALUES (?, ?, ?, ?, ?, ?, ?)",
            header,
        )

    # --- helpers ---------------------------------------------------------------------

    def scalar(self, sql: str, params: Params = None) -> Any:
        row = self.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def query(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.execute(sql, params).fetchall()]

    # --- schema ----------------------------------------------------------------------

    @property
    def latest_version(self) -> int:
        return len(migrations(self.migrations_package))

    def schema_version(self) -> int:
        if not self._has_schema_table():
            return 0
        return int(self.scalar("SELECT MAX(version) FROM schema_version") or 0)

    def initialise(self) -> int:
        """Create the schema, or upgrade it from any earlier version; return the version."""
        with self.transaction():
            version = self.schema_version()
            latest = self.latest_version
            if version > latest:
                raise SchemaTooNew(
                    f"database schema version {version} is newer than this urpaq "
                    f"({latest}); upgrade urpaq"
                )
            for number, script in migrations(self.migrations_package):
                if number > version:
                    self._run_script(script)
                    self.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
        return self.schema_version()

    def is_initialised(self) -> bool:
        return self.schema_version() == self.latest_version

    # --- the register ----------------------------------------------------------------

    def import_summary_of_file(self, sha256: str) -> ImportSummary | None:
        row = self.execute(
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
            self.scalar("SELECT COUNT(*) FROM import_batch WHERE batch_id = ?", (batch_id,))
        )

    def rejections_in(self, batch_id: int) -> list[Rejection]:
        rows = self.execute(
            "SELECT line, record_id, reason FROM rejected_record WHERE batch_id = ? ORDER BY line",
            (batch_id,),
        )
        return [Rejection(int(line), record_id, reason) for line, record_id, reason in rows]

    def stage_rows(self, rows: Sequence[StagedRow]) -> None:
        self._create_staged_table()
        values: list[tuple[Any, ...]] = []
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
        self._stage(values)

    def finish_import(self, *, source: str, sha256: str, today: dt.date) -> ImportSummary:
        """Check the staged rows against each other and the register; store the outcome."""
        self._create_staged_table()
        persons_before = int(self.scalar("SELECT COALESCE(MAX(person_id), 0) FROM person"))
        self._refresh_statistics(["staged"])
        base_seq = self.register_watermark()
        for statement in _IMPORT_CHECKS:
            uses = {
                name: value
                for name, value in (("before", persons_before), ("base", base_seq))
                if f":{name}" in statement
            }
            self.execute(statement, uses or None)
        batch_id = int(self.scalar("SELECT COALESCE(MAX(batch_id), 0) + 1 FROM import_batch"))
        accepted = int(
            self.scalar("SELECT COUNT(*) FROM staged WHERE reason IS NULL AND unchanged = 0")
        )
        unchanged = int(self.scalar("SELECT COUNT(*) FROM staged WHERE unchanged = 1"))
        last_line = int(self.scalar("SELECT COALESCE(MAX(line), 0) FROM staged"))
        self.execute(
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
        self.execute(
            "INSERT INTO register_record (person_id, seq, record_id, kind, effective_date,"
            " recorded_on, region, batch_id)"
            " SELECT person_id, :base + line, record_id, kind, effective_date, recorded_on,"
            " region, :batch"
            " FROM staged WHERE reason IS NULL AND unchanged = 0 ORDER BY person_id, line",
            {"base": base_seq, "batch": batch_id},
        )
        self.execute(
            "INSERT INTO rejected_record (batch_id, line, record_id, reason)"
            " SELECT :batch, line, record_id, reason FROM staged WHERE reason IS NOT NULL",
            {"batch": batch_id},
        )
        # People whose region and sole birth record the insert could not settle: known
        # before, with more than one record in the file, or with records refused.
        self.execute(
            """CREATE TEMP TABLE unsettled AS
               SELECT person_id FROM staged WHERE person_id IS NOT NULL GROUP BY person_id
               HAVING COUNT(*) > 1 OR MAX(person_id) <= :before
                   OR MAX(CASE WHEN reason IS NULL THEN 0 ELSE 1 END) = 1""",
            {"before": persons_before},
        )
        # A person's region is the one on their latest record that names a region.
        self.execute(
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
        self.execute(
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
        # People first seen in this file whose every record was refused stay unknown.
        self.execute(
            "DELETE FROM person WHERE person_id > :before AND person_id NOT IN"
            " (SELECT person_id FROM register_record WHERE person_id > :before)",
            {"before": persons_before},
        )
        self.execute("DROP TABLE staged")
        self.execute("DROP TABLE unsettled")
        self._refresh_statistics(["person", "register_record"])
        return ImportSummary(
            batch_id=batch_id,
            source=source,
            accepted=accepted,
            unchanged=unchanged,
            rejections=tuple(self.rejections_in(batch_id)),
        )

    def tidy_after_import(self) -> None:
        """Bring the database's own bookkeeping up to date after a large import."""
        return None

    def register_watermark(self) -> int:
        return int(self.scalar("SELECT COALESCE(MAX(last_seq), 0) FROM import_batch"))

    def person_by_iin(self, iin: str) -> PersonRecord | None:
        row = self.execute(
            "SELECT person_id, iin, birth_date FROM person WHERE iin = ?", (iin,)
        ).fetchone()
        if row is None:
            return None
        return PersonRecord(int(row[0]), row[1], dt.date.fromisoformat(row[2]))

    def facts_of(self, person_id: int) -> list[Fact]:
        rows = self.execute(
            "SELECT kind, effective_date, recorded_on, seq FROM register_record"
            " WHERE person_id = ? ORDER BY seq",
            (person_id,),
        )
        return [
            Fact(Kind(kind), dt.date.fromisoformat(eff), dt.date.fromisoformat(rec), int(seq))
            for kind, eff, rec, seq in rows
        ]

    # --- parameters ------------------------------------------------------------------

    def parameters_for(self, year: int) -> YearParameters | None:
        row = self.execute(
            "SELECT tr_total_cents, ii_rate, reference FROM year_parameters WHERE year = ?",
            (year,),
        ).fetchone()
        if row is None:
            return None
        return YearParameters(year, Money(int(row[0])), Decimal(row[1]), row[2])

    def save_parameters(self, parameters: YearParameters, *, today: dt.date) -> None:
        self.execute(
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
        rows = self.execute(
            "SELECT year, as_of, watermark, per_child_cents, ii_rate, result_json"
            " FROM year_close ORDER BY year"
        )
        closed = []
        for year, as_of, watermark, per_child, rate, result_json in rows:
            view = View(dt.date.fromisoformat(as_of), int(watermark))
            closed.append(
                ClosedRecord(
                    ClosedView(int(year), view, Money(int(per_child)), Decimal(rate)),
                    _result_from_json(json.loads(result_json)),
                )
            )
        return closed

    def movements(self, *, year: int, view: View, previous: View | None) -> list[Movement]:
        parameters = standing_parameters(year=year, view=view, previous=previous)
        counts: dict[tuple[int | None, Outcome, int | None, bool], int] = {}

        def add(key: tuple[int | None, Outcome, int | None, bool], count: int) -> None:
            counts[key] = counts.get(key, 0) + count

        for held, outcome, entry, matures, count in self.execute(movements_sql(), parameters):
            held_class = None if held is None else int(held)
            entry_year = None if entry is None else int(entry)
            add((held_class, Outcome(outcome), entry_year, bool(matures)), int(count))
        for birth_year, both, now_only, before_only in self.execute(
            born_citizens_sql(), parameters
        ):
            assert int(before_only) == 0, "a later view sees everything an earlier one saw"
            for seen_before, count in ((True, int(both)), (False, int(now_only))):
                if count == 0:
                    continue
                move = born_citizen_movement(
                    birth_year=int(birth_year), seen_before=seen_before, year=year, count=count
                )
                if move is not None:
                    add((move.held_class, move.outcome, move.entry_year, move.matures), count)
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
        posted_on = closed.view.as_of
        for entry in entries:
            self.post(entry, posted_on=posted_on)
        if maturity.count_by_class:
            self._credit_maturities(closed, maturity)
        self.execute(
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
        header = (
            entry_id,
            f"close:{year}:maturity",
            f"maturity:{year}",
            "maturity",
            year,
            None,
            closed.view.as_of.isoformat(),
        )
        self._open_entry(header)
        previous = self._view_of(year - 1)
        parameters = standing_parameters(year=year, view=closed.view, previous=previous)
        parameters.update(
            maturing_year=year - AGE_SPAN_YEARS, entry_id=entry_id, account=ledger.TARGET_SAVINGS
        )
        amounts = {entry_year: m.cents for entry_year, m in maturity.amount_by_class.items()}
        self.execute(maturing_sql(amount_by_entry_year=amounts), parameters)
        inserted, total = self.execute(
            "SELECT COUNT(*), COALESCE(SUM(amount_cents), 0) FROM posting WHERE entry_id = ?",
            (entry_id,),
        ).fetchone()
        planned = sum(maturity.count_by_class.values())
        planned_total = sum(
            count * maturity.amount_by_class[entry_year].cents
            for entry_year, count in maturity.count_by_class.items()
        )
        assert (int(inserted), int(total)) == (planned, planned_total), (
            f"maturity of {year}: wrote {inserted} accounts for {Money(int(total))}, "
            f"planned {planned} for {Money(planned_total)}"
        )
        self.execute_many(
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
        self._seal_entry(header)

    def _view_of(self, year: int) -> View | None:
        row = self.execute(
            "SELECT as_of, watermark FROM year_close WHERE year = ?", (year,)
        ).fetchone()
        return None if row is None else View(dt.date.fromisoformat(row[0]), int(row[1]))

    # --- the ledger ------------------------------------------------------------------

    def _next_entry_id(self) -> int:
        return int(self.scalar("SELECT COALESCE(MAX(entry_id), 0) + 1 FROM journal_entry"))

    def post(self, entry: JournalEntry, *, posted_on: dt.date) -> None:
        """Write a balanced entry once; a repeat of the same key and content is a no-op."""
        digest = entry.content_hash()
        existing = self.scalar("SELECT content_hash FROM journal_entry WHERE key = ?", (entry.key,))
        if existing is not None:
            if existing != digest:
                raise IdempotencyConflict(entry.key)
            return
        entry_id = self._next_entry_id()
        header = (
            entry_id,
            entry.key,
            digest,
            entry.kind.value,
            entry.reporting_year,
            entry.corrects,
            posted_on.isoformat(),
        )
        self._open_entry(header)
        self.execute_many(
            "INSERT INTO posting (entry_id, account, person_id, amount_cents) VALUES (?, ?, ?, ?)",
            [(entry_id, p.account, p.person_id, p.amount.cents) for p in entry.postings],
        )
        self._seal_entry(header)

    def balances(self) -> list[AccountBalance]:
        rows = self.execute(
            "SELECT account, SUM(amount_cents) FROM posting GROUP BY account ORDER BY account"
        )
        return [AccountBalance(account, Money(int(total))) for account, total in rows]

    def unbalanced_entries(self) -> list[str]:
        rows = self.execute(
            """SELECT COALESCE(j.key, 'postings of unsealed entry ' || p.entry_id)
               FROM posting p LEFT JOIN journal_entry j ON j.entry_id = p.entry_id
               GROUP BY p.entry_id, j.key, j.entry_id
               HAVING SUM(p.amount_cents) != 0 OR j.entry_id IS NULL"""
        )
        return [row[0] for row in rows]

    def entry_totals(self, *, year: int) -> dict[str, dict[str, Money]]:
        """For the entries of a reporting year: per kind, the net amount per account."""
        rows = self.execute(
            """SELECT j.kind, p.account, SUM(p.amount_cents)
               FROM journal_entry j JOIN posting p ON p.entry_id = j.entry_id
               WHERE j.reporting_year = ? GROUP BY j.kind, p.account""",
            (year,),
        )
        totals: dict[str, dict[str, Money]] = {}
        for kind, account, total in rows:
            totals.setdefault(kind, {})[account] = Money(int(total))
        return totals

    def savings_lines(self, person_id: int) -> list[StatementLine]:
        rows = self.execute(
            """SELECT j.reporting_year, j.kind, p.amount_cents
               FROM posting p JOIN journal_entry j ON j.entry_id = p.entry_id
               WHERE p.person_id = ? AND p.account = ? ORDER BY j.entry_id""",
            (person_id, ledger.TARGET_SAVINGS),
        )
        return [
            StatementLine(int(year), kind, Money(int(cents)), account=ledger.TARGET_SAVINGS)
            for year, kind, cents in rows
        ]

    def negative_savings_accounts(self) -> int:
        return int(
            self.scalar(
                "SELECT COUNT(*) FROM (SELECT person_id FROM posting WHERE account = ?"
                " AND person_id IS NOT NULL GROUP BY person_id HAVING SUM(amount_cents) < 0)"
                " AS negative",
                (ledger.TARGET_SAVINGS,),
            )
        )

    # --- authorised operators --------------------------------------------------------

    _OPERATOR = "SELECT name, purposes, revoked_on FROM authorised_operator"

    def _operator(self, row: tuple[Any, ...] | None) -> AuthorisedOperator | None:
        if row is None:
            return None
        name, purposes, revoked_on = row
        return AuthorisedOperator(
            name=name,
            purposes=frozenset(Purpose(p) for p in purposes.split(",")),
            active=revoked_on is None,
        )

    def operator_named(self, name: str) -> AuthorisedOperator | None:
        return self._operator(self.execute(f"{self._OPERATOR} WHERE name = ?", (name,)).fetchone())

    def operator_with_digest(self, digest: str) -> AuthorisedOperator | None:
        row = self.execute(f"{self._OPERATOR} WHERE credential_digest = ?", (digest,)).fetchone()
        return self._operator(row)

    def operators(self) -> list[AuthorisedOperator]:
        rows = self.execute(f"{self._OPERATOR} ORDER BY name").fetchall()
        return [operator for operator in map(self._operator, rows) if operator is not None]

    def save_operator(
        self, *, name: str, purposes: frozenset[Purpose], digest: str, today: dt.date
    ) -> None:
        self.execute(
            "INSERT INTO authorised_operator (name, purposes, credential_digest, registered_on,"
            " credential_on) VALUES (?, ?, ?, ?, ?)",
            (name, ",".join(sorted(p.value for p in purposes)), digest, today.isoformat(),
             today.isoformat()),
        )  # fmt: skip

    def replace_credential(self, *, name: str, digest: str, today: dt.date) -> None:
        self.execute(
            "UPDATE authorised_operator SET credential_digest = ?, credential_on = ?"
            " WHERE name = ?",
            (digest, today.isoformat(), name),
        )

    def revoke_operator(self, *, name: str, today: dt.date) -> None:
        self.execute(
            "UPDATE authorised_operator SET revoked_on = ? WHERE name = ?",
            (today.isoformat(), name),
        )

    # --- payouts ---------------------------------------------------------------------

    def has_target_savings(self, person_id: int) -> bool:
        return bool(
            self.scalar(
                "SELECT COUNT(*) FROM posting p JOIN journal_entry j ON j.entry_id = p.entry_id"
                " WHERE p.person_id = ? AND p.account = ? AND j.kind = 'maturity'",
                (person_id, ledger.TARGET_SAVINGS),
            )
        )

    def target_savings_of(self, person_id: int) -> Money:
        total = self.scalar(
            "SELECT COALESCE(SUM(amount_cents), 0) FROM posting"
            " WHERE person_id = ? AND account = ?",
            (person_id, ledger.TARGET_SAVINGS),
        )
        return Money(int(total))

    def save_payout(self, payout: Payout, *, requested_on: dt.date, return_due_on: dt.date) -> None:
        self.execute(
            "INSERT INTO payout (payout_id, person_id, operator_name, amount_cents, purpose,"
            " sub_purpose, account, requested_on, return_due_on, status)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                payout.payout_id, payout.person_id, payout.operator_name, payout.amount.cents,
                payout.purpose.value, payout.sub_purpose, payout.account,
                requested_on.isoformat(), return_due_on.isoformat(), payout.status.value,
            ),
        )  # fmt: skip

    _PAYOUT = (
        "SELECT payout_id, person_id, operator_name, amount_cents, purpose, sub_purpose,"
        " account, status FROM payout"
    )

    def _payout(self, row: tuple[Any, ...]) -> Payout:
        payout_id, person_id, operator_name, cents, purpose, sub_purpose, account, status = row
        return Payout(
            payout_id, int(person_id), operator_name, Money(int(cents)), Purpose(purpose),
            sub_purpose, account, PayoutStatus(status),
        )  # fmt: skip

    def payout(self, payout_id: str) -> Payout | None:
        row = self.execute(f"{self._PAYOUT} WHERE payout_id = ?", (payout_id,)).fetchone()
        return None if row is None else self._payout(row)

    def close_payout(
        self, payout_id: str, *, status: PayoutStatus, today: dt.date, documents: str | None
    ) -> None:
        self.execute(
            "UPDATE payout SET status = ?, closed_on = ?, documents = ? WHERE payout_id = ?",
            (status.value, today.isoformat(), documents, payout_id),
        )

    def payouts_due(self, *, before: dt.date) -> list[Payout]:
        rows = self.execute(
            f"{self._PAYOUT} WHERE status = 'paid' AND return_due_on < ? ORDER BY payout_id",
            (before.isoformat(),),
        ).fetchall()
        return [self._payout(row) for row in rows]

    def money_at_operators(self) -> tuple[Money, Money]:
        """What the ledger holds at authorised operators, and what open payouts add up to."""
        held = self.scalar(
            "SELECT COALESCE(SUM(amount_cents), 0) FROM posting"
            " WHERE account LIKE 'at_authorised_operator:%'"
        )
        open_total = self.scalar(
            "SELECT COALESCE(SUM(amount_cents), 0) FROM payout WHERE status = 'paid'"
        )
        return Money(int(held)), Money(int(open_total))

    def expire_savings(self, *, credited_before: dt.date, as_of: dt.date) -> tuple[int, Money]:
        """One `expiry` entry for the day: each holder's whole target savings credited
        before `credited_before`, to their pension account; deceased holders excepted."""
        key = f"expiry:{as_of.isoformat()}"
        if self.scalar("SELECT COUNT(*) FROM journal_entry WHERE key = ?", (key,)):
            return 0, Money(0)
        self.execute(
            """CREATE TEMP TABLE expiring AS
               SELECT s.person_id, SUM(s.amount_cents) AS balance
               FROM posting s
               WHERE s.account = :savings AND s.person_id IN (
                   SELECT m.person_id FROM posting m
                   JOIN journal_entry j ON j.entry_id = m.entry_id
                   WHERE j.kind = 'maturity' AND m.account = :savings
                     AND j.posted_on < :credited_before)
                 AND s.person_id NOT IN (
                   SELECT person_id FROM register_record
                   WHERE kind IN ('died', 'declared_dead') AND recorded_on <= :as_of)
               GROUP BY s.person_id
               HAVING SUM(s.amount_cents) > 0""",
            {
                "savings": ledger.TARGET_SAVINGS,
                "credited_before": credited_before.isoformat(),
                "as_of": as_of.isoformat(),
            },
        )
        count, total = self.execute(
            "SELECT COUNT(*), COALESCE(SUM(balance), 0) FROM expiring"
        ).fetchone()
        if int(count):
            entry_id = self._next_entry_id()
            header = (entry_id, key, key, "expiry", as_of.year, None, as_of.isoformat())
            self._open_entry(header)
            for account, sign in ((ledger.TARGET_SAVINGS, -1), (ledger.PENSION, 1)):
                self.execute(
                    "INSERT INTO posting (entry_id, account, person_id, amount_cents)"
                    " SELECT :entry_id, :account, person_id, :sign * balance FROM expiring"
                    " ORDER BY person_id",
                    {"entry_id": entry_id, "account": account, "sign": sign},
                )
            self._seal_entry(header)
        self.execute("DROP TABLE expiring")
        return int(count), Money(int(total))

    def iin_of_person(self, person_id: int) -> str:
        return str(self.scalar("SELECT iin FROM person WHERE person_id = ?", (person_id,)))

    def save_heir_payout(self, payout: HeirPayout, *, today: dt.date) -> None:
        self.execute(
            "INSERT INTO heir_payout (payout_id, person_id, operator_name, amount_cents,"
            " notary_certificate, account, paid_on) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                payout.payout_id, payout.person_id, payout.operator_name, payout.amount.cents,
                payout.notary_certificate, payout.account, today.isoformat(),
            ),
        )  # fmt: skip

    # --- statistics -------------------------------------------------------------------

    def participant_groups(self, *, year: int, view: View) -> list[ParticipantGroup]:
        """The participants a close counted, per birth year, sex and region."""
        parameters = standing_parameters(year=year, view=view, previous=None)
        return [
            ParticipantGroup(int(birth_year), bool(is_male), region, int(count))
            for birth_year, is_male, region, count in self.execute(
                participant_groups_sql(), parameters
            )
        ]

    def kept_participant_groups(self, *, year: int) -> list[ParticipantGroup] | None:
        """The participant groups kept for a close, or None if not computed yet."""
        rows = self.query(
            "SELECT birth_year, is_male, region, participants FROM participant_count"
            " WHERE year = ?",
            (year,),
        )
        if not rows:
            return None
        return [ParticipantGroup(int(b), bool(m), region, int(n)) for b, m, region, n in rows]

    def keep_participant_groups(self, *, year: int, groups: Sequence[ParticipantGroup]) -> None:
        self.execute_many(
            "INSERT INTO participant_count (year, birth_year, is_male, region, participants)"
            " VALUES (?, ?, ?, ?, ?)",
            [(year, g.birth_year, int(g.is_male), g.region, g.count) for g in groups],
        )

    def ledger_version(self) -> int:
        """Grows with every journal entry: what statistics built on the ledger depend on."""
        return int(self.scalar("SELECT COALESCE(MAX(entry_id), 0) FROM journal_entry"))

    def savings_flows(self) -> list[SavingsFlow]:
        """Per reporting year and entry kind: postings to or from target savings."""
        rows = self.execute(
            """SELECT j.reporting_year, j.kind, COUNT(*), SUM(p.amount_cents)
               FROM journal_entry j JOIN posting p ON p.entry_id = j.entry_id
               WHERE p.account = ? GROUP BY j.reporting_year, j.kind
               ORDER BY j.reporting_year, j.kind""",
            (ledger.TARGET_SAVINGS,),
        )
        return [
            SavingsFlow(int(year), kind, int(count), Money(int(cents)))
            for year, kind, count, cents in rows
        ]

    def payout_groups(self) -> list[PayoutGroup]:
        """Payouts per purpose, operator and status."""
        rows = self.execute(
            "SELECT purpose, operator_name, status, COUNT(*), SUM(amount_cents) FROM payout"
            " GROUP BY purpose, operator_name, status ORDER BY purpose, operator_name, status"
        )
        return [
            PayoutGroup(Purpose(purpose), operator, PayoutStatus(status), int(n), Money(int(c)))
            for purpose, operator, status, n, c in rows
        ]

    # --- the HTTP edge: kept answers and the audit log ---------------------------------

    def kept_answer(self, *, scope: str, key: str) -> KeptAnswer | None:
        row = self.execute(
            "SELECT fingerprint, status, body FROM idempotency_record WHERE scope = ? AND key = ?",
            (scope, key),
        ).fetchone()
        return None if row is None else KeptAnswer(row[0], int(row[1]), row[2])

    def keep_answer(self, *, scope: str, key: str, answer: KeptAnswer, now: dt.datetime) -> None:
        self.execute(
            "INSERT INTO idempotency_record (scope, key, fingerprint, status, body, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (scope, key, answer.fingerprint, answer.status, answer.body, now.isoformat()),
        )

    def append_audit_event(self, event: AuditEvent) -> None:
        self.execute(
            "INSERT INTO audit_event (at, actor, action, iin, outcome, request_id)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                event.at.isoformat(), event.actor, event.action, event.iin, event.outcome,
                event.request_id,
            ),
        )  # fmt: skip

    def audit_events(
        self, *, iin: str | None, since: dt.date | None, limit: int
    ) -> list[AuditEvent]:
        conditions, params = [], []
        if iin is not None:
            conditions.append("iin = ?")
            params.append(iin)
        if since is not None:
            conditions.append("at >= ?")
            params.append(since.isoformat())
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        rows = self.execute(
            "SELECT at, actor, action, iin, outcome, request_id FROM audit_event"
            f"{where} ORDER BY event_id DESC LIMIT {int(limit)}",
            tuple(params),
        )
        return [
            AuditEvent(dt.datetime.fromisoformat(at), actor, action, person, int(outcome), rid)
            for at, actor, action, person, outcome, rid in rows
        ]

    def class_members(self, *, year: int, view: View, previous: View | None) -> dict[int, int]:
        """Per entry-year class, how many people hold TR after the close of `year`."""
        members: dict[int, int] = {}
        for move in self.movements(year=year, view=view, previous=previous):
            if move.outcome.is_participant and not move.matures:
                assert move.entry_year is not None
                members[move.entry_year] = members.get(move.entry_year, 0) + move.count
        return members


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


def split_script(script: str, *, complete: Any = None) -> Iterator[str]:
    """Split a migration script into statements, keeping trigger bodies whole.

    `complete(text)` tells whether `text` is a whole statement (SQLite's
    `complete_statement`); without it a statement ends at a line ending in `;`.
    """
    buffer: list[str] = []
    for line in script.splitlines():
        if line.strip().startswith("--") and not buffer:
            continue
        buffer.append(line)
        text = "\n".join(buffer).strip()
        if text.endswith(";") and (complete is None or complete(text)):
            yield text
            buffer = []


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

# Checks that need more than one record, in order; each sees only rows still valid.
_IMPORT_CHECKS = (
    "CREATE INDEX IF NOT EXISTS staged_record_id ON staged (record_id)",
    # The same record_id twice in one file: the first stands.
    """UPDATE staged SET reason = 'record_id ''' || staged.record_id
           || ''' appears again (first on line ' || twice.first_line || ')'
       FROM (SELECT record_id, MIN(line) AS first_line FROM staged
             WHERE reason IS NULL GROUP BY record_id HAVING COUNT(*) > 1) AS twice
       WHERE staged.record_id = twice.record_id AND staged.reason IS NULL
         AND staged.line > twice.first_line""",
    # A record imported before: the same content is a no-op, other content is refused.
    """UPDATE staged SET unchanged = 1
       WHERE reason IS NULL AND EXISTS (
           SELECT 1 FROM register_record r JOIN person p ON p.person_id = r.person_id
           WHERE r.record_id = staged.record_id AND p.iin = staged.iin
             AND r.kind = staged.kind AND r.effective_date = staged.effective_date
             AND r.recorded_on = staged.recorded_on
             AND (r.region = staged.region OR (r.region IS NULL AND staged.region IS NULL)))""",
    """UPDATE staged SET reason = 'record_id ''' || record_id
           || ''' was imported before with different content'
       WHERE reason IS NULL AND unchanged = 0 AND EXISTS (
           SELECT 1 FROM register_record r WHERE r.record_id = staged.record_id)""",
    # New people get their person id in the order they first appear.
    # For someone whose file has one record, region and sole birth record are known now;
    # people with more records, or records refused later, are brought up to date after.
    """INSERT INTO person (iin, birth_date, birth_year, is_male, region,
                           sole_birth_recorded_on, sole_birth_seq)
       SELECT iin, MIN(birth_date), CAST(substr(MIN(birth_date), 1, 4) AS INTEGER), MIN(is_male),
              MIN(region),
              CASE WHEN COUNT(*) = 1 AND MIN(kind) = 'born_citizen' THEN MIN(recorded_on) END,
              CASE WHEN COUNT(*) = 1 AND MIN(kind) = 'born_citizen' THEN :base + MIN(line) END
       FROM staged
       WHERE reason IS NULL AND unchanged = 0
         AND iin NOT IN (SELECT iin FROM person)
       GROUP BY iin ORDER BY MIN(line)""",
    """UPDATE staged SET person_id = p.person_id
       FROM person p
       WHERE p.iin = staged.iin AND staged.reason IS NULL AND staged.unchanged = 0""",
    "CREATE INDEX IF NOT EXISTS staged_person ON staged (person_id, kind)",
    # Citizenship by birth is stated once per person.
    """UPDATE staged SET reason = 'IIN ' || staged.iin || ' already has a born_citizen record'
       FROM (SELECT person_id, MIN(line) AS first_line FROM staged
             WHERE reason IS NULL AND unchanged = 0 AND kind = 'born_citizen'
             GROUP BY person_id) AS born
       WHERE staged.person_id = born.person_id AND staged.reason IS NULL
         AND staged.unchanged = 0 AND staged.kind = 'born_citizen'
         AND (staged.line > born.first_line OR (staged.person_id <= :before AND EXISTS (
             SELECT 1 FROM register_record r
             WHERE r.person_id = staged.person_id AND r.kind = 'born_citizen')))""",
    # Deaths known after this file, for the checks that follow.
    """CREATE TEMP TABLE death AS
       SELECT person_id, MIN(effective_date) AS died_on FROM (
           SELECT person_id, effective_date FROM register_record
           WHERE kind IN ('died', 'declared_dead')
             AND person_id IN (SELECT person_id FROM staged
                               WHERE reason IS NULL AND person_id <= :before)
           UNION ALL
           SELECT person_id, effective_date FROM staged
           WHERE reason IS NULL AND unchanged = 0 AND kind IN ('died', 'declared_dead')
       ) AS known_death
       GROUP BY person_id""",
    # Nobody gains or loses citizenship after their death.
    """UPDATE staged SET reason = kind || ' on ' || effective_date
           || ' is after the death of IIN ' || iin || ' on '
           || (SELECT d.died_on FROM death d WHERE d.person_id = staged.person_id)
       WHERE reason IS NULL AND unchanged = 0
         AND kind IN ('born_citizen', 'citizenship_acquired',
                      'citizenship_lost', 'citizenship_renounced')
         AND person_id IN (SELECT person_id FROM death)
         AND effective_date > (SELECT d.died_on FROM death d
                               WHERE d.person_id = staged.person_id)""",
    # Citizenship can be lost or renounced only by someone who had it.
    """UPDATE staged SET reason = kind || ' on ' || effective_date || ' but IIN ' || iin
           || ' was not a citizen by then'
       WHERE reason IS NULL AND unchanged = 0
         AND kind IN ('citizenship_lost', 'citizenship_renounced')
         AND NOT EXISTS (
             SELECT 1 FROM register_record r
             WHERE r.person_id = staged.person_id
               AND r.kind IN ('born_citizen', 'citizenship_acquired')
               AND r.effective_date <= staged.effective_date)
         AND NOT EXISTS (
             SELECT 1 FROM staged s
             WHERE s.person_id = staged.person_id AND s.reason IS NULL
               AND s.kind IN ('born_citizen', 'citizenship_acquired')
               AND s.effective_date <= staged.effective_date)""",
    # Updates and annulments are about a person the register already knows.
    """UPDATE staged SET reason = kind || ' for IIN ' || iin
           || ' which has no citizenship or death record'
       WHERE reason IS NULL AND unchanged = 0
         AND kind IN ('data_updated', 'record_annulled')
         AND NOT EXISTS (
             SELECT 1 FROM register_record r
             WHERE r.person_id = staged.person_id
               AND r.kind NOT IN ('data_updated', 'record_annulled'))
         AND NOT EXISTS (
             SELECT 1 FROM staged s
             WHERE s.person_id = staged.person_id AND s.reason IS NULL
               AND s.kind NOT IN ('data_updated', 'record_annulled'))""",
    "DROP TABLE death",
)

"""The ledger port in SQL: balanced entries, written once, and balances read back.

An entry's header and its postings are written in one transaction; the database checks
the balance as well (a trigger on SQLite, a deferred constraint trigger on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from urpaq.adapters.sql.connection import SqlConnection
from urpaq.adapters.sql.heirs import SqlHeirs
from urpaq.adapters.sql.payouts import SqlPayouts
from urpaq.domain import ledger
from urpaq.domain.explanation import SavingsPosting
from urpaq.domain.ledger import EntryKind, JournalEntry
from urpaq.domain.money import Money
from urpaq.domain.participation import AGE_SPAN_YEARS
from urpaq.domain.statement import StatementLine, savings_lines_of
from urpaq.services.ports.ledger import AccountBalance, IdempotencyConflict

EntryHeader = tuple[Any, ...]  # entry_id, key, content_hash, kind, year, corrects, posted_on


def next_entry_id(db: SqlConnection) -> int:
    return db.next_entry_id()


def write_entry(db: SqlConnection, header: EntryHeader, write_postings: Callable[[], None]) -> None:
    """Write an entry's header and postings in the order the database checks them in."""
    if db.header_first:
        _write_header(db, header)
    write_postings()
    if not db.header_first:
        _write_header(db, header)


def _write_header(db: SqlConnection, header: EntryHeader) -> None:
    db.execute(
        "INSERT INTO journal_entry (entry_id, key, content_hash, kind, reporting_year,"
        " corrects, posted_on) VALUES (?, ?, ?, ?, ?, ?, ?)",
        header,
    )


class SqlLedger:
    def __init__(self, db: SqlConnection) -> None:
        self.db = db

    def post(self, entry: JournalEntry, *, posted_on: dt.date) -> None:
        db = self.db
        digest = entry.content_hash()
        existing = db.scalar("SELECT content_hash FROM journal_entry WHERE key = ?", (entry.key,))
        if existing is not None:
            if existing != digest:
                raise IdempotencyConflict(entry.key)
            return
        entry_id = next_entry_id(db)
        header = (
            entry_id,
            entry.key,
            digest,
            entry.kind.value,
            entry.reporting_year,
            entry.corrects,
            posted_on.isoformat(),
        )
        write_entry(
            db,
            header,
            lambda: db.execute_many(
                "INSERT INTO posting (entry_id, account, person_id, amount_cents)"
                " VALUES (?, ?, ?, ?)",
                [(entry_id, p.account, p.person_id, p.amount.cents) for p in entry.postings],
            ),
        )

    def balances(self) -> list[AccountBalance]:
        rows = self.db.execute(
            "SELECT account, SUM(amount_cents) FROM posting GROUP BY account ORDER BY account"
        )
        return [AccountBalance(account, Money(int(total))) for account, total in rows]

    def unbalanced_entries(self) -> list[str]:
        rows = self.db.execute(
            """SELECT COALESCE(j.key, 'postings of unsealed entry ' || p.entry_id)
               FROM posting p LEFT JOIN journal_entry j ON j.entry_id = p.entry_id
               GROUP BY p.entry_id, j.key, j.entry_id
               HAVING SUM(p.amount_cents) != 0 OR j.entry_id IS NULL"""
        )
        return [row[0] for row in rows]

    def amounts_not_whole(self) -> list[str]:
        if self.db.columns_typed:  # a BIGINT column holds whole numbers only
            return []
        rows = self.db.execute(
            """SELECT 'the postings of journal entry ' || entry_id FROM posting
               WHERE typeof(amount_cents) <> 'integer'
               UNION ALL SELECT 'payout ' || payout_id FROM payout
               WHERE typeof(amount_cents) <> 'integer'
               UNION ALL SELECT 'heir payout ' || payout_id FROM heir_payout
               WHERE typeof(amount_cents) <> 'integer'
               LIMIT 10"""
        )
        return list(dict.fromkeys(str(row[0]) for row in rows))

    def entry_totals(self, *, year: int) -> dict[EntryKind, dict[str, Money]]:
        rows = self.db.execute(
            """SELECT j.kind, p.account, SUM(p.amount_cents)
               FROM journal_entry j JOIN posting p ON p.entry_id = j.entry_id
               WHERE j.reporting_year = ? GROUP BY j.kind, p.account""",
            (year,),
        )
        totals: dict[EntryKind, dict[str, Money]] = {}
        for kind, account, total in rows:
            totals.setdefault(EntryKind(kind), {})[account] = Money(int(total))
        return totals

    def version(self) -> int:
        # The count as well as the highest number: on PostgreSQL entries are numbered
        # from a sequence by writers side by side, so a lower number can commit later.
        count, highest = self.db.execute(
            "SELECT COUNT(*), COALESCE(MAX(entry_id), 0) FROM journal_entry"
        ).fetchone()
        return int(count) * (1 << 40) + int(highest)

    def savings_lines(self, person_id: int) -> list[StatementLine]:
        rows = self.db.execute(
            """SELECT j.key, j.reporting_year, j.kind, p.amount_cents, j.posted_on
               FROM posting p JOIN journal_entry j ON j.entry_id = p.entry_id
               WHERE p.person_id = ? AND p.account = ? ORDER BY j.entry_id""",
            (person_id, ledger.TARGET_SAVINGS),
        ).fetchall()
        postings = [
            SavingsPosting(key, int(year), EntryKind(kind), Money(int(cents)), _date(posted_on))
            for key, year, kind, cents, posted_on in rows
        ]
        if not postings:
            return []
        return savings_lines_of(
            postings,
            payouts=SqlPayouts(self.db).payouts_of(person_id),
            heir_payouts=SqlHeirs(self.db).heir_payouts_of(person_id),
        )

    def target_savings(self, person_id: int) -> tuple[dt.date | None, Money]:
        credited_on, total = self.db.execute(
            "SELECT MIN(CASE WHEN j.kind = 'maturity' THEN j.posted_on END),"
            " COALESCE(SUM(p.amount_cents), 0)"
            " FROM posting p JOIN journal_entry j ON j.entry_id = p.entry_id"
            " WHERE p.person_id = ? AND p.account = ?",
            (person_id, ledger.TARGET_SAVINGS),
        ).fetchone()
        credited = None if credited_on is None else dt.date.fromisoformat(credited_on)
        return credited, Money(int(total))

    def negative_savings_accounts(self) -> int:
        return int(
            self.db.scalar(
                "SELECT COUNT(*) FROM (SELECT person_id FROM posting WHERE account = ?"
                " AND person_id IS NOT NULL GROUP BY person_id HAVING SUM(amount_cents) < 0)"
                " AS negative",
                (ledger.TARGET_SAVINGS,),
            )
        )

    def maturity_credits(self) -> dict[int, dict[tuple[int, Money], int]]:
        rows = self.db.execute(
            f"""SELECT j.reporting_year, h.birth_year + {AGE_SPAN_YEARS}, p.amount_cents, COUNT(*)
               FROM journal_entry j JOIN posting p ON p.entry_id = j.entry_id
                    JOIN person h ON h.person_id = p.person_id
               WHERE j.kind = ? AND p.account = ?
               GROUP BY j.reporting_year, h.birth_year, p.amount_cents""",
            (EntryKind.MATURITY.value, ledger.TARGET_SAVINGS),
        )
        credits: dict[int, dict[tuple[int, Money], int]] = {}
        for year, maturity_year, cents, count in rows:
            credits.setdefault(int(year), {})[(int(maturity_year), Money(int(cents)))] = int(count)
        return credits

    def expire_savings(self, *, credited_before: dt.date, as_of: dt.date) -> tuple[int, Money]:
        db = self.db
        key = f"expiry:{as_of.isoformat()}"
        if db.scalar("SELECT COUNT(*) FROM journal_entry WHERE key = ?", (key,)):
            return 0, Money(0)
        db.execute(
            """CREATE TEMP TABLE expiring AS
               SELECT s.person_id, SUM(s.amount_cents) AS balance
               FROM posting s
               WHERE s.account = :savings AND s.person_id IN (
                   SELECT m.person_id FROM posting m
                   JOIN journal_entry j ON j.entry_id = m.entry_id
                   WHERE j.kind = 'maturity' AND m.account = :savings
                     AND j.posted_on < :credited_before)
                 AND NOT EXISTS (
                   SELECT 1 FROM register_record r
                   WHERE r.person_id = s.person_id AND r.recorded_on <= :as_of
                     AND r.kind IN ('died', 'declared_dead', 'record_annulled')
                     AND NOT EXISTS (SELECT 1 FROM register_record w
                                     WHERE w.retracts = r.record_id
                                       AND w.recorded_on <= :as_of))
                 AND EXISTS (
                   SELECT 1 FROM register_record r
                   WHERE r.person_id = s.person_id AND r.recorded_on <= :as_of
                     AND r.kind IN ('born_citizen', 'citizenship_acquired')
                     AND NOT EXISTS (SELECT 1 FROM register_record w
                                     WHERE w.retracts = r.record_id
                                       AND w.recorded_on <= :as_of))
               GROUP BY s.person_id
               HAVING SUM(s.amount_cents) > 0""",
            {
                "savings": ledger.TARGET_SAVINGS,
                "credited_before": credited_before.isoformat(),
                "as_of": as_of.isoformat(),
            },
        )
        count, total = db.execute(
            "SELECT COUNT(*), COALESCE(SUM(balance), 0) FROM expiring"
        ).fetchone()
        if int(count):
            entry_id = next_entry_id(db)
            header = (
                entry_id,
                key,
                key,
                EntryKind.EXPIRY.value,
                as_of.year,
                None,
                as_of.isoformat(),
            )
            write_entry(db, header, lambda: _expiry_postings(db, entry_id))
        db.execute("DROP TABLE expiring")
        return int(count), Money(int(total))


def _date(value: Any) -> dt.date:
    """A stored date: text on SQLite, a date on PostgreSQL."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _expiry_postings(db: SqlConnection, entry_id: int) -> None:
    for account, sign in ((ledger.TARGET_SAVINGS, -1), (ledger.PENSION, 1)):
        db.execute(
            "INSERT INTO posting (entry_id, account, person_id, amount_cents)"
            " SELECT :entry_id, :account, person_id, :sign * balance FROM expiring"
            " ORDER BY person_id",
            {"entry_id": entry_id, "account": account, "sign": sign},
        )

"""The reads port in SQL: aggregates for the statistics and for reconcile's recount."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from urpaq.adapters.sql.connection import SqlConnection
from urpaq.adapters.sql.register import stored_record
from urpaq.adapters.sql.standing import participant_groups_sql, standing_parameters
from urpaq.domain import ledger
from urpaq.domain.ledger import EntryKind
from urpaq.domain.money import Money
from urpaq.domain.operators import Purpose
from urpaq.domain.participation import Fact, StoredRecord, View, with_withdrawals
from urpaq.domain.payouts import PayoutStatus
from urpaq.services.ports.reads import BirthGroup, ParticipantGroup, PayoutGroup, SavingsFlow


class SqlReads:
    def __init__(self, db: SqlConnection) -> None:
        self.db = db

    def participant_groups(self, *, year: int, view: View) -> list[ParticipantGroup]:
        parameters = standing_parameters(year=year, view=view, previous=None)
        return [
            ParticipantGroup(int(birth_year), bool(is_male), region, int(count))
            for birth_year, is_male, region, count in self.db.execute(
                participant_groups_sql(), parameters
            )
        ]

    def kept_participant_groups(self, *, year: int) -> list[ParticipantGroup] | None:
        rows = self.db.query(
            "SELECT birth_year, is_male, region, participants FROM participant_count"
            " WHERE year = ?",
            (year,),
        )
        if not rows:
            return None
        return [ParticipantGroup(int(b), bool(m), region, int(n)) for b, m, region, n in rows]

    def keep_participant_groups(self, *, year: int, groups: Sequence[ParticipantGroup]) -> None:
        self.db.execute_many(
            "INSERT INTO participant_count (year, birth_year, is_male, region, participants)"
            " VALUES (?, ?, ?, ?, ?)",
            [(year, g.birth_year, int(g.is_male), g.region, g.count) for g in groups],
        )

    def savings_flows(self) -> list[SavingsFlow]:
        rows = self.db.execute(
            """SELECT j.reporting_year, j.kind, COUNT(*), SUM(p.amount_cents)
               FROM journal_entry j JOIN posting p ON p.entry_id = j.entry_id
               WHERE p.account = ? GROUP BY j.reporting_year, j.kind
               ORDER BY j.reporting_year, j.kind""",
            (ledger.TARGET_SAVINGS,),
        )
        return [
            SavingsFlow(int(year), EntryKind(kind), int(count), Money(int(cents)))
            for year, kind, count, cents in rows
        ]

    def payout_groups(self) -> list[PayoutGroup]:
        rows = self.db.execute(
            "SELECT purpose, operator_name, status, COUNT(*), SUM(amount_cents) FROM payout"
            " GROUP BY purpose, operator_name, status ORDER BY purpose, operator_name, status"
        )
        return [
            PayoutGroup(Purpose(purpose), operator, PayoutStatus(status), int(n), Money(int(c)))
            for purpose, operator, status, n, c in rows
        ]

    # Reconcile's recount reads the register plainly — people with only a birth record
    # grouped by birth date, everyone else record by record — and leaves the rule to the
    # domain, so it shares no code with the close's counting (`standing.py`).

    def birth_groups(self, *, view: View) -> list[BirthGroup]:
        rows = self.db.execute(
            """SELECT birth_date,
                      CASE WHEN sole_birth_recorded_on <= :as_of
                            AND sole_birth_seq <= :watermark THEN 1 ELSE 0 END,
                      COUNT(*)
               FROM person WHERE sole_birth_seq IS NOT NULL
               GROUP BY birth_date,
                        CASE WHEN sole_birth_recorded_on <= :as_of
                              AND sole_birth_seq <= :watermark THEN 1 ELSE 0 END""",
            {"as_of": view.as_of.isoformat(), "watermark": view.watermark},
        )
        return [
            BirthGroup(dt.date.fromisoformat(born), bool(seen), int(count))
            for born, seen, count in rows
        ]

    def facts_by_person(self) -> Iterator[tuple[dt.date, list[Fact]]]:
        rows = self.db.execute(
            """SELECT p.person_id, p.birth_date, r.record_id, r.retracts, r.kind,
                      r.effective_date, r.recorded_on, r.seq
               FROM person p JOIN register_record r ON r.person_id = p.person_id
               WHERE p.sole_birth_seq IS NULL
               ORDER BY p.person_id, r.seq"""
        )
        person, birth_date, records = None, dt.date.min, list[StoredRecord]()
        for person_id, born, *record in rows:
            if person_id != person:
                if records:
                    yield birth_date, with_withdrawals(records)
                person, birth_date, records = person_id, dt.date.fromisoformat(born), []
            records.append(stored_record(record))
        if records:
            yield birth_date, with_withdrawals(records)

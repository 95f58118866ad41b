"""The reads port in SQL: aggregates for the statistics and for reconcile's recount."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from urpaq.adapters.sql.connection import SqlConnection
from urpaq.adapters.sql.heirs import HEIR_PAYOUT_SELECT, heir_payout_from_row
from urpaq.adapters.sql.payouts import PAYOUT_SELECT, payout_from_row
from urpaq.adapters.sql.register import stored_record
from urpaq.adapters.sql.standing import (
    participant_groups_sql,
    region_seen_sql,
    standing_parameters,
)
from urpaq.domain import ledger
from urpaq.domain.ledger import EntryKind
from urpaq.domain.money import Money
from urpaq.domain.operators import Purpose
from urpaq.domain.participation import Fact, StoredRecord, View, with_withdrawals
from urpaq.services.ports.reads import (
    BirthGroup,
    HeirPayoutTotal,
    MoneyMoves,
    Moved,
    ParticipantGroup,
    PayoutTotal,
    RegionSavings,
    SavingsFlow,
)


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

    def payout_totals(self, *, until: dt.date | None) -> list[PayoutTotal]:
        rows = self.db.execute(
            """SELECT purpose, operator_name, COUNT(*), SUM(amount_cents),
                      SUM(CASE WHEN status = 'confirmed' AND closed_on <= :until
                               THEN 1 ELSE 0 END),
                      SUM(CASE WHEN status = 'returned' AND closed_on <= :until
                               THEN 1 ELSE 0 END),
                      SUM(CASE WHEN status = 'returned' AND closed_on <= :until
                               THEN amount_cents ELSE 0 END)
               FROM payout WHERE requested_on <= :until
               GROUP BY purpose, operator_name ORDER BY purpose, operator_name""",
            {"until": _day(until)},
        )
        return [
            PayoutTotal(
                Purpose(purpose), operator, int(n), Money(int(cents)), int(confirmed),
                int(returned), Money(int(returned_cents)),
            )
            for purpose, operator, n, cents, confirmed, returned, returned_cents in rows
        ]  # fmt: skip

    def heir_payout_totals(self, *, until: dt.date | None) -> list[HeirPayoutTotal]:
        rows = self.db.execute(
            """SELECT operator_name, COUNT(*), SUM(amount_cents),
                      SUM(CASE WHEN status = 'returned' AND returned_on <= :until
                               THEN 1 ELSE 0 END),
                      SUM(CASE WHEN status = 'returned' AND returned_on <= :until
                               THEN amount_cents ELSE 0 END)
               FROM heir_payout
               WHERE paid_on <= :until GROUP BY operator_name ORDER BY operator_name""",
            {"until": _day(until)},
        )
        return [
            HeirPayoutTotal(name, int(n), Money(int(c)), int(returned), Money(int(returned_c)))
            for name, n, c, returned, returned_c in rows
        ]

    def savings_by_region(self, *, year: int, view: View) -> list[RegionSavings]:
        rows = self.db.execute(
            f"""SELECT region, COUNT(*), SUM(amount_cents) FROM (
                    SELECT {region_seen_sql()} AS region, s.amount_cents
                    FROM journal_entry j
                    JOIN posting s ON s.entry_id = j.entry_id
                    JOIN person p ON p.person_id = s.person_id
                    WHERE j.kind = :kind AND j.reporting_year = :year
                      AND s.account = :account) AS credited
                GROUP BY region""",
            {
                **standing_parameters(year=year, view=view, previous=None),
                "kind": EntryKind.MATURITY.value, "year": year, "account": ledger.TARGET_SAVINGS,
            },
        )  # fmt: skip
        return [RegionSavings(region, int(n), Money(int(cents))) for region, n, cents in rows]

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

    def summaries_disagreeing(self, *, shown: int) -> tuple[int, list[int]]:
        # Recomputed from the records, each person's summary compared with it: the
        # summary holds a birth record's seq and day where the records bearing on
        # participation (all but data updates) are that one birth record alone.
        rows = self.db.execute(
            """SELECT p.person_id FROM person p LEFT JOIN (
                   SELECT person_id, COUNT(*) AS n, MIN(kind) AS kind, MIN(seq) AS seq,
                          MIN(recorded_on) AS recorded_on
                   FROM register_record WHERE kind <> 'data_updated'
                   GROUP BY person_id) r ON r.person_id = p.person_id
               WHERE CASE WHEN r.n = 1 AND r.kind = 'born_citizen'
                          THEN p.sole_birth_seq IS NULL OR p.sole_birth_seq <> r.seq
                               OR p.sole_birth_recorded_on <> r.recorded_on
                          ELSE p.sole_birth_seq IS NOT NULL END
               ORDER BY p.person_id"""
        ).fetchall()
        return len(rows), [int(person_id) for (person_id,) in rows[:shown]]

    def money_moves(self) -> MoneyMoves:
        postings: dict[str, list[Moved]] = {}
        for key, account, cents, person_id in self.db.execute(
            """SELECT j.key, p.account, p.amount_cents, p.person_id
               FROM journal_entry j JOIN posting p ON p.entry_id = j.entry_id
               WHERE j.kind IN ('payout', 'confirmation', 'return', 'inheritance')"""
        ):
            person = None if person_id is None else int(person_id)
            postings.setdefault(key, []).append((account, Money(int(cents)), person))
        return MoneyMoves(
            payouts=[
                payout_from_row(row)
                for row in self.db.execute(f"{PAYOUT_SELECT} ORDER BY payout_id")
            ],
            heir_payouts=[
                heir_payout_from_row(row)
                for row in self.db.execute(f"{HEIR_PAYOUT_SELECT} ORDER BY payout_id")
            ],
            postings=postings,
        )


def _day(until: dt.date | None) -> str:
    """A day as the payout tables store it; None (no bound) as the last day there is."""
    return (until or dt.date.max).isoformat()

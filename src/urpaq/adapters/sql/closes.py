"""The closes port in SQL: closes as stored, the counts a close is computed from, and the
writing of a close with its per-person maturities."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal

from urpaq.adapters.sql.connection import SqlConnection
from urpaq.adapters.sql.ledger import SqlLedger, next_entry_id, write_entry
from urpaq.adapters.sql.standing import (
    born_citizens_sql,
    late_maturing_sql,
    late_maturities_sql,
    late_standing_parameters,
    maturing_sql,
    movements_sql,
    standing_parameters,
)
from urpaq.domain import ledger
from urpaq.domain.close import ClosedView, CloseResult, MaturityPlan
from urpaq.domain.invariants import InvariantBroken
from urpaq.domain.late_maturity import LateMaturity, late_maturity_years
from urpaq.domain.ledger import EntryKind, JournalEntry
from urpaq.domain.money import Money
from urpaq.domain.movements import Outcome
from urpaq.domain.participation import AGE_SPAN_YEARS, View
from urpaq.services.ports.closes import BirthCount, ClosedRecord, StandingCount


class MaturityMismatch(InvariantBroken):
    """The per-person maturity postings do not add up to what the close planned."""


class ViewsDisagree(InvariantBroken):
    """A later view missed a birth record an earlier view saw: the register lost a row."""


class SqlCloses:
    def __init__(self, db: SqlConnection, ledger_port: SqlLedger) -> None:
        self.db = db
        self.ledger = ledger_port
        self._kept: tuple[tuple[int, int], list[ClosedRecord]] | None = None

    def closed_years(self) -> list[ClosedRecord]:
        # Closes are append-only (the database refuses any change to year_close), so
        # how many there are and the last year name what was read before: every lookup
        # reads them, and parsing each stored result again would be half its work.  What
        # a write transaction reads may be rolled back, so it is never kept.
        if self.db.writing:
            return self._read_closed_years()
        count, last = self.db.execute(
            "SELECT COUNT(*), COALESCE(MAX(year), 0) FROM year_close"
        ).fetchone()
        version = (int(count), int(last))
        if self._kept is None or self._kept[0] != version:
            self._kept = (version, self._read_closed_years())
        return list(self._kept[1])

    def _read_closed_years(self) -> list[ClosedRecord]:
        rows = self.db.execute(
            "SELECT year, as_of, watermark, per_child_cents, ii_rate, result_json"
            " FROM year_close ORDER BY year"
        )
        closed = []
        for year, as_of, watermark, per_child, rate, result_json in rows:
            view = View(dt.date.fromisoformat(as_of), int(watermark))
            try:
                result = _result_from_json(json.loads(result_json))
            except (InvariantBroken, ValueError, KeyError, TypeError) as error:
                # Only a change made past the database's refusal of any change to a close
                # gets here: said as the close it is, never as a trace.
                raise InvariantBroken(
                    f"the close of {year} as stored is not a close's result: {error}"
                ) from None
            closed.append(
                ClosedRecord(
                    ClosedView(int(year), view, Money(int(per_child)), Decimal(rate)), result
                )
            )
        return closed

    def standing_counts(
        self, *, year: int, view: View, previous: View | None
    ) -> tuple[list[StandingCount], list[BirthCount]]:
        parameters = standing_parameters(year=year, view=view, previous=previous)
        standings = [
            StandingCount(
                held_class=None if held is None else int(held),
                outcome=Outcome(outcome),
                entry_year=None if entry is None else int(entry),
                matures=bool(matures),
                count=int(count),
            )
            for held, outcome, entry, matures, count in self.db.execute(movements_sql(), parameters)
        ]
        births = []
        for birth_year, both, now_only, before_only in self.db.execute(
            born_citizens_sql(), parameters
        ):
            if int(before_only) != 0:
                raise ViewsDisagree(
                    f"{before_only} birth records of {birth_year} seen by the close of "
                    f"{year - 1} are not seen by the close of {year}"
                )
            births.append(BirthCount(int(birth_year), int(both), int(now_only)))
        return standings, births

    def late_maturities(self, *, year: int, view: View) -> list[LateMaturity]:
        # One query per maturity year, each reading one birth year's people.
        late = []
        for maturity_year in late_maturity_years(year=year):
            parameters = late_standing_parameters(
                maturity_year=maturity_year, view=view, at_maturity=self._view_of(maturity_year)
            )
            parameters["savings"] = ledger.TARGET_SAVINGS
            for entry_year, count in self.db.execute(late_maturities_sql(), parameters):
                late.append(LateMaturity(int(entry_year), maturity_year, int(count)))
        return late

    def save_close(
        self,
        *,
        result: CloseResult,
        closed: ClosedView,
        entries: Sequence[JournalEntry],
        maturity: MaturityPlan,
    ) -> None:
        for entry in entries:
            self.ledger.post(entry, posted_on=closed.view.as_of)
        if maturity.count:
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
        year, db = closed.year, self.db
        entry_id = next_entry_id(db)
        header = (
            entry_id, f"close:{year}:maturity", f"maturity:{year}", EntryKind.MATURITY.value,
            year, None, closed.view.as_of.isoformat(),
        )  # fmt: skip
        parameters = standing_parameters(
            year=year, view=closed.view, previous=self._view_of(year - 1)
        )
        parameters.update(
            maturing_year=year - AGE_SPAN_YEARS, entry_id=entry_id, account=ledger.TARGET_SAVINGS
        )
        amounts = {entry_year: m.cents for entry_year, m in maturity.amount_by_class.items()}

        def postings() -> None:
            if amounts:
                db.execute(maturing_sql(amount_by_entry_year=amounts), parameters)
            self._credit_late_maturities(closed, maturity, entry_id=entry_id)
            _check_maturities(db, entry_id=entry_id, year=year, maturity=maturity)
            db.execute_many(
                "INSERT INTO posting (entry_id, account, person_id, amount_cents)"
                " VALUES (?, ?, NULL, ?)",
                [
                    (entry_id, ledger.class_account(entry_year), -cents)
                    for entry_year, cents in sorted(_given_up(maturity).items())
                ],
            )

        write_entry(db, header, postings)

    def _credit_late_maturities(
        self, closed: ClosedView, maturity: MaturityPlan, *, entry_id: int
    ) -> None:
        """One target-savings posting per person who matures late, in the maturity entry."""
        by_maturity_year: dict[int, dict[int, int]] = {}
        for (entry_year, maturity_year), amount in maturity.late_amount.items():
            by_maturity_year.setdefault(maturity_year, {})[entry_year] = amount.cents
        for maturity_year, amounts in sorted(by_maturity_year.items()):
            parameters = late_standing_parameters(
                maturity_year=maturity_year,
                view=closed.view,
                at_maturity=self._view_of(maturity_year),
            )
            parameters.update(entry_id=entry_id, savings=ledger.TARGET_SAVINGS)
            self.db.execute(late_maturing_sql(amount_by_entry_year=amounts), parameters)

    def _view_of(self, year: int) -> View | None:
        row = self.db.execute(
            "SELECT as_of, watermark FROM year_close WHERE year = ?", (year,)
        ).fetchone()
        return None if row is None else View(dt.date.fromisoformat(row[0]), int(row[1]))


def _check_maturities(
    db: SqlConnection, *, entry_id: int, year: int, maturity: MaturityPlan
) -> None:
    """The per-person postings must be exactly the people and money the plan counted."""
    inserted, total = db.execute(
        "SELECT COUNT(*), COALESCE(SUM(amount_cents), 0) FROM posting WHERE entry_id = ?",
        (entry_id,),
    ).fetchone()
    planned = maturity.count
    planned_total = sum(_given_up(maturity).values())
    if (int(inserted), int(total)) != (planned, planned_total):
        raise MaturityMismatch(
            f"maturity of {year}: wrote {inserted} accounts for {Money(int(total))}, "
            f"planned {planned} for {Money(planned_total)}"
        )


def _given_up(maturity: MaturityPlan) -> dict[int, int]:
    """Per entry-year class, the cents its members take to target savings, on time and
    late."""
    cents = {
        entry_year: count * maturity.amount_by_class[entry_year].cents
        for entry_year, count in maturity.count_by_class.items()
    }
    for (entry_year, maturity_year), count in maturity.late_count.items():
        each = maturity.late_amount[(entry_year, maturity_year)].cents
        cents[entry_year] = cents.get(entry_year, 0) + count * each
    return cents


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

"""The back office's reads in SQL: import batches, rejected rows, payouts."""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from typing import Any

from urpaq.adapters.sql.connection import SqlConnection
from urpaq.domain.money import Money
from urpaq.services.ports.office import (
    BatchSummary,
    PayoutCount,
    PayoutOrder,
    PayoutRow,
    RejectedRow,
)

_PAYOUT_COLUMNS = """x.payout_id, p.iin, x.operator_name, x.amount_cents, x.purpose,
    x.sub_purpose, x.requested_on, x.return_due_on, x.status, x.closed_on"""

#: Purpose payouts and heirs' payouts, each in one shape.
_PAYOUT_TABLES = (
    """SELECT payout_id, person_id, operator_name, amount_cents, purpose, sub_purpose,
              requested_on, return_due_on, status, closed_on
       FROM payout""",
    """SELECT payout_id, person_id, operator_name, amount_cents, 'inheritance' AS purpose,
              notary_certificate AS sub_purpose, paid_on AS requested_on,
              NULL AS return_due_on, status, returned_on AS closed_on
       FROM heir_payout""",
)
#: Both, in one.
_ALL_PAYOUTS = f"({_PAYOUT_TABLES[0]} UNION ALL {_PAYOUT_TABLES[1]}) AS x"

_ORDERS: dict[str, str] = {
    "operator": "x.operator_name, COALESCE(x.return_due_on, x.requested_on), x.payout_id",
    "due": "COALESCE(x.return_due_on, x.requested_on), x.operator_name, x.payout_id",
    "newest": "x.closed_on DESC, x.payout_id DESC",
}


def _date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def _payout(row: Any) -> PayoutRow:
    payout_id, iin, operator, cents, purpose, sub, requested, due, status, closed = row
    return PayoutRow(
        payout_id=str(payout_id), iin=str(iin), operator=str(operator), amount=Money(int(cents)),
        purpose=str(purpose), sub_purpose=str(sub), requested_on=dt.date.fromisoformat(requested),
        return_due_on=_date(due), status=str(status), closed_on=_date(closed),
    )  # fmt: skip


class SqlOfficeReads:
    def __init__(self, db: SqlConnection) -> None:
        self.db = db

    def batches(self, *, limit: int) -> list[BatchSummary]:
        rows = self.db.execute(
            "SELECT batch_id, source, imported_on, accepted, unchanged, rejected"
            f" FROM import_batch ORDER BY batch_id DESC LIMIT {int(limit)}"
        )
        return [
            BatchSummary(int(b), str(s), dt.date.fromisoformat(on), int(a), int(u), int(r))
            for b, s, on, a, u, r in rows
        ]

    def rejected_rows(self, *, batch_id: int, limit: int) -> list[RejectedRow]:
        rows = self.db.execute(
            "SELECT batch_id, line, record_id, reason FROM rejected_record"
            f" WHERE batch_id = ? ORDER BY line LIMIT {int(limit)}",
            (batch_id,),
        )
        return [RejectedRow(int(b), int(line), rid, str(why)) for b, line, rid, why in rows]

    def payouts(
        self, *, statuses: frozenset[str], limit: int, order: PayoutOrder = "operator"
    ) -> list[PayoutRow]:
        marks = ", ".join("?" for _ in statuses) or "NULL"
        rows = self.db.execute(
            f"SELECT {_PAYOUT_COLUMNS} FROM {_ALL_PAYOUTS}"
            " JOIN person p ON p.person_id = x.person_id"
            f" WHERE x.status IN ({marks}) ORDER BY {_ORDERS[order]} LIMIT {int(limit)}",
            tuple(sorted(statuses)),
        )
        return [_payout(row) for row in rows]

    def payout_counts(self, *, statuses: frozenset[str], today: dt.date) -> list[PayoutCount]:
        marks = ", ".join("?" for _ in statuses) or "NULL"
        rows = self.db.execute(
            "SELECT x.operator_name, COUNT(*), SUM(x.amount_cents), MIN(x.return_due_on),"
            " SUM(CASE WHEN x.return_due_on < ? THEN 1 ELSE 0 END)"
            f" FROM {_ALL_PAYOUTS} WHERE x.status IN ({marks})"
            " GROUP BY x.operator_name ORDER BY x.operator_name",
            (today.isoformat(), *sorted(statuses)),
        )
        return [
            PayoutCount(str(name), int(n), Money(int(cents)), _date(due), int(overdue))
            for name, n, cents, due, overdue in rows
        ]

    def payouts_of_operator(
        self, operator: str, *, day: dt.date, after: str | None, limit: int
    ) -> list[PayoutRow]:
        # Each table read by its index on operator and day (`payout_operator_day`,
        # `heir_payout_operator_day`), in the order of the ids, up to the limit; the two
        # merged here: SQLite sorted a union of all the rest of the day for each page.
        pages = [
            self.db.execute(
                f"SELECT {_PAYOUT_COLUMNS} FROM ({side}) AS x"
                " JOIN person p ON p.person_id = x.person_id"
                f" WHERE x.operator_name = ? AND x.requested_on = ? AND x.payout_id > ?"
                f" ORDER BY x.payout_id LIMIT {int(limit)}",
                (operator, day.isoformat(), after or ""),
            ).fetchall()
            for side in _PAYOUT_TABLES
        ]
        merged = heapq.merge(*pages, key=lambda row: str(row[0]))
        return [_payout(row) for row in itertools.islice(merged, limit)]

    def payouts_of_person(self, person_id: int) -> list[PayoutRow]:
        rows = self.db.execute(
            f"SELECT {_PAYOUT_COLUMNS} FROM {_ALL_PAYOUTS}"
            " JOIN person p ON p.person_id = x.person_id"
            " WHERE x.person_id = ? ORDER BY x.requested_on, x.payout_id",
            (person_id,),
        )
        return [_payout(row) for row in rows]

"""The parameters port in SQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from urpaq.adapters.sql.connection import SqlConnection
from urpaq.domain.money import Money
from urpaq.domain.parameters import YearParameters


class SqlParameters:
    def __init__(self, db: SqlConnection) -> None:
        self.db = db

    def parameters_for(self, year: int) -> YearParameters | None:
        row = self.db.execute(
            "SELECT tr_total_cents, ii_rate, reference FROM year_parameters WHERE year = ?",
            (year,),
        ).fetchone()
        if row is None:
            return None
        return YearParameters(year, Money(int(row[0])), Decimal(row[1]), row[2])

    def save(self, parameters: YearParameters, *, today: dt.date) -> None:
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

"""A small world for payout tests: three people closed for 2023 (100.00 each) and a bank.

ADULT and LATE_ADULT were born in 2006 and hold target savings from the 2023 close;
LATE_ADULT died in 2025, so their savings are frozen for the heirs; MINOR holds target
requirements only; UNKNOWN is a valid IIN the register has never seen.  DEAD_CHILD, a
child who died in 2025, is added only by the tests that need them (`add_dead_child`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

from fakes import FakeUnitOfWork
from urpaq.adapters.calendar import return_due_on
from urpaq.adapters.feed import inspect_feed, read_feed
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.domain.iin import Iin
from urpaq.domain.money import Money
from urpaq.domain.operators import Purpose
from urpaq.domain.parameters import YearParameters
from urpaq.domain.register import RecordKind
from urpaq.services.closing import close_year
from urpaq.services.operators import add_operator, operator_for_credential
from urpaq.services.parameters import set_parameters
from urpaq.services.payouts import request_payout
from urpaq.services.ports.unit_of_work import UnitOfWork
from urpaq.services.register_import import import_records

TODAY = dt.date(2026, 11, 20)
ADULT = Iin.parse("060303500010")  # born 2006: target savings from the 2023 close
MINOR = Iin.parse("150101500011")
LATE_ADULT = Iin.parse("061010600017")  # born 2006, died in 2025
UNKNOWN = Iin.parse("150101500021")
DEAD_CHILD = Iin.parse("160715500011")  # born 2016, died 2025: target requirements only
FEED = (
    "record_id,iin,kind,effective_date,recorded_on,region\n"
    f"a,{ADULT},born_citizen,2006-03-03,2006-03-08,\n"
    f"m,{MINOR},born_citizen,2015-01-01,2015-01-05,\n"
    f"d,{LATE_ADULT},born_citizen,2006-10-10,2006-10-15,\n"
    f"d2,{LATE_ADULT},died,2025-02-01,2025-02-03,\n"
)


def build_world(uow: UnitOfWork, folder: Path) -> None:
    """Import the three people (straight into the register of the fakes) and close 2023
    with 300.00 to split."""
    _import(uow, folder, FEED, name="feed.csv")
    parameters = [YearParameters(2023, Money(30000), Decimal(0), "test")]
    set_parameters(uow, parameters=parameters, today=TODAY)
    close_year(uow, year=2023, as_of=dt.date(2024, 1, 31))


def add_dead_child(uow: UnitOfWork, folder: Path) -> None:
    """Add DEAD_CHILD, recorded after the 2023 close: born in 2016, died in 2025."""
    feed = (
        "record_id,iin,kind,effective_date,recorded_on,region\n"
        f"c,{DEAD_CHILD},born_citizen,2016-07-15,2016-07-20,\n"
        f"c2,{DEAD_CHILD},died,2025-05-01,2025-05-03,\n"
    )
    _import(uow, folder, feed, name="dead-child.csv")


def record_death(uow: UnitOfWork, folder: Path, iin: Iin, *, on: dt.date) -> None:
    """Import the death of a person, recorded on the day it happened."""
    feed = (
        f"record_id,iin,kind,effective_date,recorded_on,region\ndeath-{iin},{iin},died,{on},{on},\n"
    )
    _import(uow, folder, feed, name=f"death-{iin}.csv")


def _import(uow: UnitOfWork, folder: Path, text: str, *, name: str) -> None:
    """Import a feed: straight into the register of the fakes, else through the importer."""
    if isinstance(uow, FakeUnitOfWork):
        for row in csv.DictReader(io.StringIO(text)):
            uow.register.add_record(
                Iin.parse(row["iin"]),
                RecordKind(row["kind"]),
                dt.date.fromisoformat(row["effective_date"]),
                dt.date.fromisoformat(row["recorded_on"]),
            )
        return
    path = folder / name
    path.write_text(text, encoding="utf-8")
    feed = inspect_feed(path)
    import_records(uow, rows=read_feed(feed), source=name, sha256=feed.sha256, today=TODAY)


def add_bank(
    uow: UnitOfWork,
    *,
    name: str,
    purposes: frozenset[Purpose],
    credential: str,
    pays_heirs: bool = False,
) -> str:
    """Register an operator with a known credential; return the credential."""
    return add_operator(
        uow, name=name, purposes=purposes, pays_heirs=pays_heirs, today=TODAY,
        new_credential=lambda: credential,
    )  # fmt: skip


def pay_as_bank(uow: UnitOfWork, iin: Iin, amount: str) -> str:
    """A payout of `amount` through the one bank; its id."""
    credential = add_bank(uow, name="Bank", purposes=frozenset(Purpose), credential="c-1")
    operator = operator_for_credential(uow, credential=credential)
    assert operator is not None
    payout = request_payout(
        uow, operator=operator, iin=iin, amount=Money.parse(amount),
        purpose=Purpose.EDUCATION, sub_purpose="tuition", account="KZ00BANK0001",
        payout_id="p1", today=TODAY, return_due_on=return_due_on,
    )  # fmt: skip
    return payout.payout_id


def tamper(uow: SqlUnitOfWork, *statements: str) -> None:
    """Run `statements` with the database's refusals of changes set aside, as only
    someone tampering with it could (or a test setting a scene the application never
    writes)."""
    uow.db.begin()
    if uow.db.description.startswith("sqlite"):
        triggers = uow.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            " AND (name LIKE '%append_only%' OR name LIKE '%is_final%'"
            " OR name LIKE '%is_kept%')"
        ).fetchall()
        for (name,) in triggers:
            uow.db.execute(f"DROP TRIGGER {name}")
    else:
        uow.db.execute("SET LOCAL session_replication_role = replica")
    for statement in statements:
        uow.db.execute(statement)
    uow.db.commit()

"""One person's statement, derived from the register as each close saw it."""

from __future__ import annotations

from urpaq.domain.iin import Iin
from urpaq.domain.statement import Statement, build_statement, unknown_statement
from urpaq.services.ports.closes import ClosedRecord
from urpaq.services.ports.unit_of_work import UnitOfWork


def statement_of(uow: UnitOfWork, *, iin: Iin) -> Statement:
    """The statement of the person with this IIN; `status: unknown` if the register has none."""
    with uow.snapshot():
        return statement_in_snapshot(uow, iin=iin)


def statement_in_snapshot(
    uow: UnitOfWork, *, iin: Iin, records: list[ClosedRecord] | None = None
) -> Statement:
    """`statement_of`, for a caller that reads more inside its own snapshot (and may have
    read the closes, `records`, in it already)."""
    person = uow.register.person_by_iin(iin.value)
    if person is None:
        return unknown_statement(iin.value)
    if records is None:
        records = uow.closes.closed_years()
    return build_statement(
        iin=iin.value,
        birth_date=person.birth_date,
        facts=uow.register.facts_of(person.person_id),
        closes=[record.closed for record in records],
        figures={record.closed.year: record.result for record in records},
        savings_lines=uow.ledger.savings_lines(person.person_id),
    )

"""One person's register records as the operator's staff read them: both dates, what
each withdraws or was withdrawn by, and which close first saw it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from urpaq.domain.close import ClosedView
from urpaq.domain.iin import Iin
from urpaq.domain.participation import Fact
from urpaq.services.ports.register import RegisterEntry
from urpaq.services.ports.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """A stored record, the withdrawal that names it (if any), and the reporting year of
    the first close whose view saw it (None while no close has)."""

    entry: RegisterEntry
    withdrawn_by: str | None
    first_seen_by_close: int | None

    def as_json(self) -> dict[str, object]:
        entry = self.entry
        return {
            "record_id": entry.record_id,
            "kind": entry.kind.value,
            "effective_date": entry.effective_date.isoformat(),
            "recorded_on": entry.recorded_on.isoformat(),
            "region": entry.region,
            "retracts": entry.retracts,
            "withdrawn_by": self.withdrawn_by,
            "batch": entry.batch_id,
            "first_seen_by_close": self.first_seen_by_close,
        }


@dataclass(frozen=True, slots=True)
class RegisterHistory:
    iin: str
    known: bool
    lines: tuple[HistoryLine, ...]

    def as_json(self) -> dict[str, object]:
        return {
            "iin": self.iin,
            "known": self.known,
            "records": [line.as_json() for line in self.lines],
        }


def register_history(uow: UnitOfWork, *, iin: Iin) -> RegisterHistory:
    """The person's records in the order they were imported (none if the register does
    not know the IIN), read in one snapshot."""
    with uow.snapshot():
        person = uow.register.person_by_iin(iin.value)
        if person is None:
            return RegisterHistory(iin.value, False, ())
        entries = uow.register.records_of(person.person_id)
        closes = [record.closed for record in uow.closes.closed_years()]
    withdrawals = {e.retracts: e.record_id for e in entries if e.retracts is not None}
    lines = tuple(
        HistoryLine(entry, withdrawals.get(entry.record_id), first_close_seeing(entry, closes))
        for entry in entries
    )
    return RegisterHistory(iin.value, True, lines)


def first_close_seeing(entry: RegisterEntry, closes: Sequence[ClosedView]) -> int | None:
    """The reporting year of the first close whose view saw the record."""
    fact = Fact(entry.kind, entry.effective_date, entry.recorded_on, entry.sequence)
    return next((close.year for close in closes if close.view.records(fact)), None)

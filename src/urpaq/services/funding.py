"""The National Bank's side of the programme, year by year (`urpaq funding`)."""

from __future__ import annotations

from urpaq.domain.funding import FundingYear, funding_years
from urpaq.domain.ledger import EntryKind
from urpaq.services.ports.unit_of_work import UnitOfWork


def funding(uow: UnitOfWork) -> list[FundingYear]:
    """Per closed reporting year: accrued, II, transferred to savings, residue and the
    running balance of the National Bank's target assets, read from the ledger's
    `target_assets` entries in one snapshot."""
    with uow.snapshot():
        moved = [
            (
                record.closed.year,
                uow.ledger.entry_totals(year=record.closed.year).get(EntryKind.TARGET_ASSETS, {}),
            )
            for record in uow.closes.closed_years()
        ]
    return funding_years(moved)

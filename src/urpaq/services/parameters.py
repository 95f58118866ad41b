"""Record the National Bank's inputs for a reporting year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from urpaq.domain.parameters import YearParameters
from urpaq.domain.refusals import Refused
from urpaq.services.ports.unit_of_work import UnitOfWork


class ParametersRefused(Refused):
    """Parameters that cannot be recorded; `code` names the reason."""


def set_parameters(
    uow: UnitOfWork, *, parameters: Sequence[YearParameters], today: dt.date
) -> None:
    """Record the inputs of each year, all or none; a closed year's inputs are final
    (recording them again unchanged is a no-op)."""
    with uow:
        closed = {c.closed.year for c in uow.closes.closed_years()}
        refused = [
            p.year
            for p in parameters
            if p.year in closed and uow.parameters.parameters_for(p.year) != p
        ]
        if refused:
            years = ", ".join(str(y) for y in refused)
            raise ParametersRefused(
                "year_closed", f"reporting year {years} is closed; its inputs are final"
            )
        for item in parameters:
            if item.year not in closed:
                uow.parameters.save(item, today=today)
        uow.commit()

"""When a close may run: the refusals of a close the rules do not allow, in their fixed
order, and the past close a later one is checked against (docs/decisions/0012)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from urpaq.domain.accrual import ClosedYear
from urpaq.domain.kazakhstan_time import KAZAKHSTAN
from urpaq.domain.money import Money
from urpaq.domain.parameters import ParameterProposal, YearParameters
from urpaq.domain.participation import FIRST_REPORTING_YEAR, View
from urpaq.domain.refusals import Refused


class CloseRefused(Refused):
    """A close that the rules do not allow; `code` names the reason."""


@dataclass(frozen=True, slots=True)
class ClosedView:
    """A past close as later closes and statements need it: what it saw and what it fixed."""

    year: int
    view: View
    per_child: Money
    ii_rate: Decimal

    def as_closed_year(self) -> ClosedYear:
        return ClosedYear(self.year, self.per_child, self.ii_rate)


def check_close_allowed(
    *,
    year: int,
    as_of: dt.date,
    today: dt.date | None,
    previous: ClosedView | None,
    parameters: YearParameters | None,
    awaiting: ParameterProposal | None,
) -> YearParameters:
    """Return the parameters of `year` when its close may run, or raise `CloseRefused`
    with the first reason that applies, in a fixed order.

    `previous` is the last close so far (None before the first), `parameters` what the
    National Bank published for `year` (None when nothing is stored), `awaiting` inputs
    for `year` entered in the back office and not yet approved or rejected, and `today`
    the day of the caller, when it knows it.  A year that is already closed is not asked
    about: closing it again returns the first close's result, which the caller keeps.
    """
    if year < FIRST_REPORTING_YEAR:
        raise CloseRefused(
            "before_programme",
            f"reporting year {year} is before the programme's first year {FIRST_REPORTING_YEAR}",
        )
    last_closed = previous.year if previous is not None else FIRST_REPORTING_YEAR - 1
    if year != last_closed + 1:
        # Every close adjusts the balances the previous one left, so none may be skipped.
        raise CloseRefused(
            "out_of_order", f"reporting year {year} cannot be closed before {last_closed + 1}"
        )
    if as_of <= dt.date(year, 12, 31):
        # Participation is defined at the end of 31 December, so a view dated inside the
        # year cannot hold what happens on its last days (decision 0002).
        raise CloseRefused(
            "year_not_over", f"as-of date {as_of} is not after the end of reporting year {year}"
        )
    if today is not None and as_of > today:
        # Nobody can know what the register will have recorded by a day still to come.
        raise CloseRefused("as_of_in_future", f"as-of date {as_of} is after today ({today})")
    if previous is not None and as_of < previous.view.as_of:
        # Records the previous close saw would vanish from this view, and balances
        # credited rightly would be taken back, to be paid again later (decision 0002).
        raise CloseRefused(
            "as_of_before_previous",
            f"as-of date {as_of} is before the as-of date {previous.view.as_of} "
            f"of the close of {previous.year}",
        )
    if awaiting is not None:
        # Someone is changing the inputs: the close waits for a second person's decision,
        # whether or not earlier inputs were approved.
        raise CloseRefused(
            "parameters_awaiting_approval",
            f"the National Bank parameters for {year} entered by {awaiting.entered_by} on "
            f"{awaiting.entered_at.astimezone(KAZAKHSTAN):%Y-%m-%d} (Kazakhstan's day) await"
            " approval by another staff member",
        )
    if parameters is None:
        raise CloseRefused(
            "no_parameters",
            f"no National Bank parameters for {year}: run `urpaq parameters set {year}`",
        )
    return parameters

"""What the back office's pages that change money share: a reporting year taken from the
path, a form's text field, and the page of a refusal with its reason and its status."""

from __future__ import annotations

import datetime as dt

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from urpaq.domain.participation import FIRST_REPORTING_YEAR
from urpaq.domain.refusals import Refused
from urpaq.domain.register import parse_day
from urpaq.entrypoints.http.office.pages import office_page
from urpaq.entrypoints.http.web import i18n
from urpaq.services.ports.staff import StaffSession

#: The last reporting year a page takes from its path (as `urpaq close` takes).
#: The last year a close can have: its due date falls in the year after.
YEAR_MAX = 9998
#: The status of each refusal a back-office page answers with (409 for any other: the
#: state of the books does not allow it now).  422: what was entered cannot be taken.
STATUS_OF_REFUSAL = {
    # entering and approving the National Bank's inputs
    "invalid_parameters": 422,
    "same_person": 403,
    # the close
    "invalid_date": 422,
    "before_programme": 422,
    "year_not_over": 422,
    "as_of_in_future": 422,
    "as_of_before_previous": 422,
    # authorised operators
    "invalid_operator": 422,
    "unknown_operator": 404,
}


class Problem(Refused):
    """A form the page refuses before any service is asked (`invalid_date`, …)."""


def reporting_year(text: str) -> int | None:
    """The reporting year a path names (four digits, from the programme's first year), or
    None: the page answers 404."""
    if len(text) != 4 or not text.isascii() or not text.isdigit():
        return None
    year = int(text)
    return year if FIRST_REPORTING_YEAR <= year <= YEAR_MAX else None


def field(form: FormData, name: str) -> str:
    """A form's text field, stripped (missing: empty); never cut short, so that what is
    checked and kept is what was entered (the edge bounds a form's size)."""
    value = form.get(name, "")
    return (value if isinstance(value, str) else "").strip()


def date_field(form: FormData, name: str) -> dt.date:
    """A date field, YYYY-MM-DD; `Problem("invalid_date")` naming the value otherwise."""
    text = field(form, name)
    try:
        return parse_day(text)
    except ValueError:
        raise Problem("invalid_date", f"{name} {text[:40]!r} is not a date YYYY-MM-DD") from None


def refusal_page(
    request: Request, session: StaffSession, refusal: Refused, *, back: str
) -> HTMLResponse:
    """The page of a refusal: what was refused and why, in the page's language, the
    service's own words beside it, and the way back to `back`."""
    said = f"office_refusal_{refusal.code}"
    return office_page(
        request, "refusal.html", session, status=STATUS_OF_REFUSAL.get(refusal.code, 409),
        code=refusal.code, reason=said if said in i18n.MESSAGES else "office_refusal_other",
        detail=str(refusal), back=back,
    )  # fmt: skip

"""The back office's work queues: the rows each import rejected, filtered by reason and as
CSV; and the payouts staff follow — open ones by operator with their deadlines, overdue
ones, and the returned.  Both show personal data (IINs in reasons and payouts): every
answer is recorded with the staff member as actor."""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from urpaq.domain.rejections import REASON_CODES, reason_code
from urpaq.domain.staff import Permission
from urpaq.entrypoints.http.context import Context
from urpaq.entrypoints.http.deps import UnitOfWorkDep
from urpaq.entrypoints.http.edge import AuditedRoute
from urpaq.entrypoints.http.office.deps import permitted
from urpaq.entrypoints.http.office.pages import cell, office_page
from urpaq.entrypoints.http.office.sessions import OFFICE_PATH
from urpaq.entrypoints.http.threads import in_thread
from urpaq.entrypoints.http.web.render import NO_STORE
from urpaq.services.ports.office import PayoutRow, RejectedRow
from urpaq.services.ports.staff import StaffSession

router = APIRouter(include_in_schema=False, route_class=AuditedRoute)

WorkerDep = Annotated[StaffSession, Depends(permitted(Permission.WORK_QUEUES))]
BATCHES_SHOWN = 50
ROWS_MAX = 100_000
PAYOUTS_MAX = 5_000

#: Read as text and checked here: a page answers a bad one with a page, not the API's JSON.
BatchQuery = Annotated[str, Query()]
ReasonQuery = Annotated[str, Query()]
BATCH_MAX = 2**62


def _query_problem(batch: str, reason: str) -> tuple[str, dict[str, str]] | None:
    """What is wrong with the queue's query, as the page says it, or None."""
    number = batch.isascii() and batch.isdigit() and len(batch) <= 19 and int(batch)
    if batch and not (number and 1 <= number <= BATCH_MAX):
        return "office_unknown_batch", {"batch": batch[:40]}
    if reason and reason not in REASON_CODES:
        return "office_unknown_reason", {"reason": reason[:40]}
    return None


def _rejections(uow: UnitOfWorkDep, batch: int | None, reason: str) -> dict[str, Any]:
    work = uow()
    with work.snapshot():
        batches = work.office.batches(limit=BATCHES_SHOWN)
        chosen = batch or next((b.batch_id for b in batches if b.rejected), None)
        rows = [] if chosen is None else work.office.rejected_rows(batch_id=chosen, limit=ROWS_MAX)
    counts = Counter(reason_code(row.reason) for row in rows)
    shown = [row for row in rows if not reason or reason_code(row.reason) == reason]
    return {
        "batches": batches, "batch": chosen, "reason": reason, "rows": shown,
        "counts": [(code, counts[code]) for code in REASON_CODES if counts[code]],
        "code_of": reason_code,
    }  # fmt: skip


@router.get(f"{OFFICE_PATH}/rejections", response_class=HTMLResponse)
async def rejections(
    request: Request,
    session: WorkerDep,
    uow: UnitOfWorkDep,
    batch: BatchQuery = "",
    reason: ReasonQuery = "",
) -> HTMLResponse:
    """The rejected rows of one import (the latest with any, unless `batch` is given),
    with how many each reason refused; `reason` keeps one reason's rows."""
    if (problem := _query_problem(batch, reason)) is not None:
        return _refused(request, session, problem)
    values = await in_thread(lambda: _rejections(uow, int(batch or 0) or None, reason))
    return office_page(request, "rejections.html", session, **values)


def _refused(
    request: Request, session: StaffSession, problem: tuple[str, dict[str, str]]
) -> HTMLResponse:
    return office_page(request, "rejections.html", session, status=422, problem=problem,
                       batches=[], rows=[], counts=[], batch=None, reason="")  # fmt: skip


@router.get(f"{OFFICE_PATH}/rejections.csv", response_model=None)
async def rejections_csv(
    request: Request,
    session: WorkerDep,
    uow: UnitOfWorkDep,
    batch: BatchQuery = "",
    reason: ReasonQuery = "",
) -> Response:
    """The rows the page shows, as CSV; a query the page refuses is refused the same way
    (an unknown reason gave a file of its header alone)."""
    if (problem := _query_problem(batch, reason)) is not None:
        return _refused(request, session, problem)
    values = await in_thread(lambda: _rejections(uow, int(batch or 0) or None, reason))
    rows: list[RejectedRow] = values["rows"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["batch", "line", "record_id", "reason_code", "reason"])
    for row in rows:
        fields = [str(row.batch_id), str(row.line), row.record_id or "", reason_code(row.reason)]
        writer.writerow([cell(value) for value in (*fields, row.reason)])
    name = f"urpaq-rejections-{values['batch'] or 'none'}.csv"
    return Response(
        out.getvalue(), media_type="text/csv; charset=utf-8",
        headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'},
    )  # fmt: skip


@router.get(f"{OFFICE_PATH}/payouts", response_class=HTMLResponse)
async def payouts(request: Request, session: WorkerDep, uow: UnitOfWorkDep) -> HTMLResponse:
    """Open payouts by operator, each with the last day its use can be confirmed (overdue
    ones marked: the daily settlement returns them), and the payouts returned, the last
    first.  Every operator's open payouts are counted; of the rows, the `PAYOUTS_MAX`
    soonest due and the `PAYOUTS_MAX` last returned are listed, the page saying so when
    there are more."""
    context: Context = request.app.state.context
    today = context.clock.today()

    def read() -> dict[str, Any]:
        work = uow()
        paid, returned = frozenset({"paid"}), frozenset({"returned"})
        with work.snapshot():
            return {
                "open_counts": work.office.payout_counts(statuses=paid, today=today),
                "open_rows": work.office.payouts(statuses=paid, limit=PAYOUTS_MAX, order="due"),
                "returned_counts": work.office.payout_counts(statuses=returned, today=today),
                "returned": work.office.payouts(
                    statuses=returned, limit=PAYOUTS_MAX, order="newest"
                ),
            }

    found = await in_thread(read)
    by_operator: dict[str, list[PayoutRow]] = {c.operator: [] for c in found["open_counts"]}
    for row in found["open_rows"]:
        by_operator.setdefault(row.operator, []).append(row)
    due = [r for r in found["open_rows"] if r.return_due_on is not None and r.return_due_on < today]
    return office_page(
        request, "payouts.html", session, today=today, by_operator=by_operator,
        overdue=due, overdue_total=sum(c.overdue for c in found["open_counts"]),
        open_counts={c.operator: c for c in found["open_counts"]}, returned=found["returned"],
        returned_total=sum(c.count for c in found["returned_counts"]),
    )  # fmt: skip

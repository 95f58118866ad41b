"""The audit log of access to personal data, for auditors."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from urpaq.domain.iin import Iin, InvalidIin
from urpaq.entrypoints.cli._common import (
    DbOption,
    JsonOption,
    opened,
    out,
    parse_date_option,
    print_json,
    refuse,
)
from urpaq.services.audit import audit_events

# The events of one answer are read and printed at once: the bound keeps it to what a
# terminal or a script can hold (--iin and --since narrow it), and keeps the number
# within what the database takes (a larger one ended in a traceback).
LIMIT_MAX = 10_000


def audit(
    iin: Annotated[str | None, typer.Option("--iin", help="Only events about this person.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only events from this day on (YYYY-MM-DD).")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=LIMIT_MAX, help="At most this many.")
    ] = 100,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The audit log of access to personal data, newest first (for auditors)."""
    person = None
    if iin is not None:
        try:
            person = Iin.parse(iin).value
        except InvalidIin as error:
            refuse(str(error))
    day = parse_date_option("--since", since)
    with opened(db) as uow:
        events = audit_events(uow, iin=person, since=day, limit=limit)
    if as_json:
        print_json({"events": [event.as_json() for event in events]})
        return
    table = Table("at (UTC)", "actor", "action", "IIN", "outcome", "request")
    for event in events:
        table.add_row(
            event.at.isoformat(timespec="seconds"), event.actor, event.action,
            event.iin or "", str(event.outcome), event.request_id,
        )  # fmt: skip
    out.print(table)

"""The audit log of access to personal data, for auditors."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from urpaq.domain.audit import people_shown
from urpaq.entrypoints.cli._common import (
    DbOption,
    JsonOption,
    opened,
    out,
    parse_date_option,
    print_json,
    shown,
)
from urpaq.entrypoints.cli._reads import parsed_iin, record_read
from urpaq.services.audit import audit_events

# The events of one answer are read and printed at once: the bound keeps it to what a
# terminal or a script can hold (--iin, --since and --until narrow it), and keeps the number
# within what the database takes (a larger one ended in a traceback).
LIMIT_MAX = 10_000


def audit(
    iin: Annotated[str | None, typer.Option("--iin", help="Only events about this person.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only events from this day on (YYYY-MM-DD).")
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Only events up to this day, included (YYYY-MM-DD)."),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option("--actor", help="Only events whose actor contains this text (any case)."),
    ] = None,
    action: Annotated[
        str | None,
        typer.Option("--action", help="Only events whose action contains this text (any case)."),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=LIMIT_MAX, help="At most this many.")
    ] = 100,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The audit log of access to personal data, newest first (for auditors); reading it
    is recorded in it too, as in the back office (about the person of `--iin`)."""
    person = None if iin is None else parsed_iin(iin)
    first, last = parse_date_option("--since", since), parse_date_option("--until", until)
    if first is not None and last is not None and last < first:
        raise typer.BadParameter(f"{until!r} is before --since {since!r}", param_hint="--until")
    for name, text in (("--actor", actor), ("--action", action)):
        if text is not None and not text.isprintable():
            raise typer.BadParameter(f"{text!r} holds control characters", param_hint=name)
    with opened(db) as uow:
        about = None if person is None else person.value
        events = audit_events(
            uow, iin=about, since=first, until=last, limit=limit, actor=actor, action=action
        )
        record_read(uow, person, action="audit", shown=people_shown(events))
    if as_json:
        print_json({"events": [event.as_json() for event in events]})
        return
    table = Table("at (UTC)", "actor", "action", "IIN", "outcome", "request")
    for event in events:
        table.add_row(
            event.at.isoformat(timespec="seconds"), shown(event.actor), shown(event.action),
            event.iin or "", str(event.outcome), shown(event.request_id),
        )  # fmt: skip
    out.print(table)

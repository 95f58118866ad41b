"""The population register feed: import a file of records, list what an import rejected."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from urpaq import bootstrap
from urpaq.bootstrap import FeedUnreadable
from urpaq.entrypoints.cli._common import (
    EXIT_REFUSED,
    DbOption,
    JsonOption,
    err,
    opened,
    out,
    print_json,
    progress_bar,
    refuse,
    refuse_unless_regular_file,
    shown,
    today,
)
from urpaq.entrypoints.cli._reads import parsed_iin, record_read
from urpaq.entrypoints.printable import printable
from urpaq.services.ports.register import CheckedFeed, FeedRow, ImportSummary
from urpaq.services.ports.unit_of_work import UnitOfWork
from urpaq.services.register_history import HistoryLine, register_history
from urpaq.services.register_import import import_records, rejections_of

REJECTIONS_SHOWN_MAX = 50

app = typer.Typer(help="The population register feed.", no_args_is_help=True)


@app.command("import")
def register_import(
    # Not `readable`: the command itself refuses a file it cannot read (exit 3, naming
    # it), where the option parser's own check would be a usage error (exit 2).
    file: Annotated[Path, typer.Argument(help="CSV with a header, or JSON Lines.", readable=False)],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import register records: valid ones are stored, invalid ones kept and reported."""
    refuse_unless_regular_file(file, kind="file")
    try:
        feed = bootstrap.inspect_feed(file)
    except FeedUnreadable as error:
        refuse(str(error))
    except OSError as error:
        refuse(f"file {str(file)!r} cannot be read: {error.strerror}")
    with opened(db) as uow:
        try:
            summary = import_with_progress(
                uow,
                rows=bootstrap.read_feed(feed),
                # Recorded as the back office and the history will show it: a control
                # or reordering character (U+202E turned a date around) escaped.
                source=printable(file.name),
                sha256=feed.sha256,
                lines=feed.lines,
            )
        except FeedUnreadable as error:
            refuse(f"{error}; nothing was imported")
    if as_json:
        print_json(summary_json(summary))
    else:
        print_summary(summary, file_name=file.name)
    if summary.tidy_failure is not None:
        warn_untidied(summary.tidy_failure)
    if summary.rejected:
        raise typer.Exit(EXIT_REFUSED)


def warn_untidied(error: Exception) -> None:
    """Say that the records are stored though the database's bookkeeping after them
    failed for a reason of storage (a connection ended, a disk full); anything else is a
    defect, raised as it is."""
    why = bootstrap.storage_failure(error)
    if why is None:
        raise error
    err.print(
        "warning: the records are stored, but the database's bookkeeping after them"
        f" failed ({why}); its own maintenance (autovacuum) will do it",
        highlight=False, markup=False, soft_wrap=True,
    )  # fmt: skip


def import_with_progress(
    uow: UnitOfWork,
    *,
    rows: Iterable[FeedRow] | CheckedFeed,
    source: str,
    sha256: str,
    lines: int,
) -> ImportSummary:
    """Import the rows of a feed file of `lines` lines, with a progress bar on stderr."""
    named = escape(source)  # a file's name is no markup for the bar's description
    with progress_bar(f"reading {named}", total=lines) as bar:
        return import_records(
            uow,
            rows=rows,
            source=source,
            sha256=sha256,
            today=today(),
            on_chunk=bar.advance,
            on_step=lambda step: bar.step(f"{step} {named}"),
        )


def summary_json(summary: ImportSummary) -> dict[str, object]:
    """The `--json` document of an import."""
    return {
        "batch": summary.batch_id,
        "file": summary.source,
        "accepted": summary.accepted,
        "unchanged": summary.unchanged,
        "rejected": summary.rejected,
        "repeated_file": summary.repeated_file,
        "rejections": [
            {"line": r.line, "record_id": r.record_id, "reason": r.reason}
            for r in summary.rejections
        ],
    }


def print_summary(summary: ImportSummary, *, file_name: str) -> None:
    """What an import did, on stderr, with the first rejections and where the rest are."""
    if summary.repeated_file:
        err.print(
            shown(f"{file_name} was imported before (batch {summary.batch_id}): nothing changed")
        )
    err.print(
        f"batch {summary.batch_id}: {summary.accepted:,} records stored, "
        f"{summary.unchanged:,} already known, {summary.rejected:,} rejected"
    )
    for rejection in summary.rejections[:REJECTIONS_SHOWN_MAX]:
        err.print(f"  line {rejection.line}: {rejection.reason}", highlight=False, markup=False)
    if summary.rejected > REJECTIONS_SHOWN_MAX:
        err.print(
            f"  … and {summary.rejected - REJECTIONS_SHOWN_MAX:,} more: "
            f"`urpaq register rejections {summary.batch_id}` lists them all"
        )


@app.command("rejections")
def register_rejections(
    batch: Annotated[int, typer.Argument(help="The import batch number.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the records an import rejected, with their lines and reasons (which name
    IINs): recorded in the audit log, as the back office's queue is."""
    rejections = None
    with opened(db) as uow:
        if 0 < batch < 2**63:  # any other number is no batch a database could hold
            rejections = rejections_of(uow, batch_id=batch)
        if rejections is not None:
            record_read(uow, None, action=f"register rejections {batch}")
    if rejections is None:
        refuse(f"there is no import batch {batch}")
    if as_json:
        print_json(
            [{"line": r.line, "record_id": r.record_id, "reason": r.reason} for r in rejections]
        )
        return
    for rejection in rejections:
        out.print(f"line {rejection.line}: {rejection.reason}", markup=False)


@app.command("history")
def register_history_command(
    iin: Annotated[str, typer.Argument(help="The person's 12-digit IIN.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One person's register records: both dates, withdrawals, the close that first saw
    each (audited)."""
    person = parsed_iin(iin)
    with opened(db) as uow:
        history = register_history(uow, iin=person)
        record_read(uow, person, action="register_history")
    if as_json:
        print_json(history.as_json())
        return
    if not history.known:
        out.print(f"IIN {history.iin}: the register has no record of this person")
        return
    out.print(f"IIN {history.iin}: {len(history.lines)} record(s), in the order imported")
    for line in history.lines:
        out.print(history_line_text(line), markup=False, soft_wrap=True, highlight=False)


def history_line_text(line: HistoryLine) -> str:
    """One record of a person's history on one line of text."""
    entry = line.entry
    parts = [
        entry.record_id, entry.kind.value, f"effective {entry.effective_date}",
        f"recorded {entry.recorded_on}", f"batch {entry.batch_id}",
    ]  # fmt: skip
    if entry.region:
        parts.append(f"region {entry.region}")
    if entry.retracts:
        parts.append(f"withdraws {entry.retracts}")
    if line.withdrawn_by:
        parts.append(f"withdrawn by {line.withdrawn_by}")
    seen = line.first_seen_by_close
    parts.append(f"first seen by the close of {seen}" if seen else "seen by no close yet")
    return "  ".join(parts)

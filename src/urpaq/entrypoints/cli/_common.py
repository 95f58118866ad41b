"""What every command shares: its options, the opened database, exit codes and printing.

Exit codes: 0 success, 2 usage error, 3 input refused (each refused item named),
1 internal failure.  `--json` prints exactly one JSON document on stdout; messages and
progress go to stderr.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from urpaq import bootstrap
from urpaq.bootstrap import NotUrpaqDatabase, SchemaIncomplete, SchemaTooNew, UpgradeRefused
from urpaq.domain.invariants import InvariantBroken
from urpaq.domain.refusals import Refused
from urpaq.domain.register import parse_day
from urpaq.entrypoints import clock
from urpaq.entrypoints.printable import one_line, printable
from urpaq.services.ports.unit_of_work import UnitOfWork

#: The width of what the commands print into a pipe or a file (no terminal to fit).
PIPED_WIDTH = 1_000

EXIT_REFUSED = 3
EXIT_USAGE = 2
EXIT_FAILURE = 1

err = Console(stderr=True)
out = Console(highlight=False)
_COLUMNS = os.environ.get("COLUMNS", "").strip()
if not out.is_terminal and not (_COLUMNS.isdigit() and int(_COLUMNS) > 0):
    # Into a pipe or a file, a table is printed whole: cut to 80 columns, request ids
    # and moments ended in "…" and headers broke mid-word.
    out.width = PIPED_WIDTH


def shown(text: object) -> Text:
    """A value from outside (a name, an explanation, a file's name) as a table cell or a
    message: never read as Rich's markup (`[/]` failed the command, `[link=…]` showed
    another name), its controls and reordering characters escaped (`\\x1b`, `\\u202e`)."""
    return Text(printable("" if text is None else str(text)))


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database URL (else $URPAQ_DB, else sqlite:///./urpaq.db).", show_default=False
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
HostOption = Annotated[str, typer.Option("--host", help="The address to listen on.")]
PortOption = Annotated[int, typer.Option("--port", min=1, max=65535, help="The TCP port.")]


def refuse(message: str, *, reason: str | None = None) -> NoReturn:
    """Print why the input was refused, naming it, and exit 3 (`reason`: the refusal's
    code, where it has one)."""
    err.print("[bold red]refused:[/]", end=" ")
    # One line whatever the width (a log, cron's mail): searchable as written; a file's
    # name it quotes drives no terminal (`\x1b[2J`) and turns no text around (`\u202e`).
    err.print(one_line(message), highlight=False, markup=False, soft_wrap=True)
    answer_error_in_json(EXIT_REFUSED, message, reason=reason)
    raise typer.Exit(EXIT_REFUSED)


def fail(message: str, *, code: int) -> NoReturn:
    """Print an error that is not a refusal of the input, and exit with `code`."""
    err.print("[bold red]error:[/]", end=" ")
    err.print(one_line(message), highlight=False, markup=False, soft_wrap=True)
    answer_error_in_json(code, message)
    raise typer.Exit(code)


class _Stdout:
    """Whether this command was asked for JSON (`main` says), and whether it has
    printed its document."""

    wanted = False
    answered = False


def want_json(arguments: list[str]) -> None:
    """Note whether the command line asks for JSON (`--json` before any `--`)."""
    _Stdout.wanted = "--json" in (
        arguments[: arguments.index("--")] if "--" in arguments else arguments
    )


def print_json(document: object) -> None:
    """Print the one JSON document of a `--json` command on stdout: as UTF-8 text, or
    with every other character escaped where the output takes less (a terminal or a
    pipe set to ASCII or Latin-1), which JSON reads as the same text."""
    utf = codecs.lookup(sys.stdout.encoding or "ascii").name == "utf-8"
    sys.stdout.write(json.dumps(document, ensure_ascii=not utf, indent=2) + "\n")
    _Stdout.answered = True


def answer_error_in_json(exit_code: int, message: str, *, reason: str | None = None) -> None:
    """A `--json` command that ends without its document prints one saying why, so that
    a script reading stdout always reads exactly one document: `{"error": {"exit_code":
    3, "reason": "year_closed", "message": "..."}}` (`reason` null where the refusal has
    no code of its own)."""
    if _Stdout.wanted and not _Stdout.answered:  # its controls and reordering escaped too
        said = one_line(message)
        print_json({"error": {"exit_code": exit_code, "reason": reason, "message": said}})


@contextmanager
def opened(db: str | None, *, create: bool = False) -> Iterator[UnitOfWork]:
    """A unit of work on the database of `--db`, at the current schema (created or
    upgraded first with `create`); closed on the way out.

    This is the one place where a business refusal of a service becomes exit 3.
    """
    url = bootstrap.database_url(db)
    if not create and bootstrap.names_no_database_yet(url):
        refuse(f"database {url} does not exist: run `urpaq init` first")
    uow = open_database(url)
    shown = uow.description  # the URL, its password masked
    try:
        if create:
            uow.schema.initialise()
        elif (version := uow.schema.version()) != uow.schema.latest_version():
            if version == 0 and (others := uow.schema.other_tables()):
                listed = ", ".join(others[:5]) + (", …" if len(others) > 5 else "")
                refuse(
                    f"database {shown} holds tables that are not urpaq's ({listed}) and no"
                    " urpaq schema: it is another program's database"
                )
            if version == 0:
                refuse(f"database {shown} has no urpaq schema: run `urpaq init` first")
            if version > uow.schema.latest_version():  # `init` would refuse it too
                refuse(
                    f"database {shown} has schema version {version}, newer than this urpaq"
                    f" ({uow.schema.latest_version()}): upgrade urpaq"
                )
            refuse(f"database {shown} has schema version {version}: run `urpaq init` to upgrade")
        yield uow
    except (SchemaTooNew, NotUrpaqDatabase, SchemaIncomplete, UpgradeRefused) as error:
        refuse(str(error))
    except Refused as error:
        # Every business refusal of a service ends the same way: exit 3, reason named.
        refuse(f"{error} [{error.code}]", reason=error.code)
    except bootstrap.DatabaseUnusable as error:  # a file opened on first use: the serving file
        refuse(str(error))
    except InvariantBroken as error:
        # What the database holds breaks a rule that the code keeps: changed past its
        # refusals, or a defect.  Said in one line, for the operator to reconcile.
        fail(
            f"database {shown} holds what the ledger's rules forbid: {error}; nothing was"
            " written; run `urpaq reconcile` and report it",
            code=EXIT_FAILURE,
        )
    except Exception as error:
        # The disk full or read-only, the server gone: not the input's fault, and the
        # transaction it failed is rolled back whole.  Anything else is a defect.
        if (why := bootstrap.storage_failure(error)) is None:
            raise
        fail(f"database {shown} could not complete the command: {why}", code=EXIT_FAILURE)
    finally:
        uow.close()


def open_database(url: str) -> UnitOfWork:
    """A unit of work on the database at `url`, or the exit that says why there is none.

    A malformed URL is a usage error (exit 2); a URL naming something that is no database
    (a directory, another kind of file, a path that cannot be created) is refused input
    (exit 3), since trying again cannot help; a database server that does not answer is a
    failure (exit 1), which may pass.
    """
    try:
        return bootstrap.open_unit_of_work(url)
    except bootstrap.UnsupportedDatabase as error:
        fail(str(error), code=EXIT_USAGE)
    except bootstrap.DatabaseUnavailable as error:
        fail(str(error), code=EXIT_FAILURE)
    except bootstrap.DatabaseUnusable as error:
        refuse(str(error))


def require_current_schema(db: str | None) -> None:
    """Refuse, before anything starts, a database that has no current schema."""
    with opened(db):
        pass


def not_a_regular_file(path: Path, *, kind: str) -> str | None:
    """Why an input path that exists is no regular file, saying what it is (the readers
    would only say that no such file exists); None for a regular file or none at all."""
    if path.is_dir():
        return f"{kind} {str(path)!r} is a directory, not a file"
    if path.exists() and not path.is_file():
        return f"{kind} {str(path)!r} is not a regular file"
    return None


def refuse_unless_regular_file(path: Path, *, kind: str) -> None:
    """Refuse an input path that exists but is no regular file, saying what it is."""
    if (why := not_a_regular_file(path, kind=kind)) is not None:
        refuse(why)


def today() -> dt.date:
    """Today's date in Kazakhstan, as the server has it (`entrypoints/clock.py`): the
    clock is read here, at the edge, and passed down."""
    return clock.today()


def parse_date_option(name: str, text: str | None) -> dt.date | None:
    """The date an option gives as YYYY-MM-DD, or None when it is not given."""
    if text is None:
        return None
    try:
        return parse_day(text)  # not 20250131, nor a week date 2025-W05-5
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date YYYY-MM-DD", param_hint=name) from None


class RateColumn(ProgressColumn):
    """How many records a second the task advances."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} records/s" if speed else "", style="progress.data.speed")


class ProgressBar:
    """A bar towards a total of records, and the name of the step under way."""

    def __init__(self, progress: Progress, description: str, total: int) -> None:
        self.progress = progress
        self.total = max(total, 1)
        self.task = progress.add_task(description, total=self.total)

    def advance(self, records: int) -> None:
        self.progress.advance(self.task, records)

    def step(self, description: str) -> None:
        """A step after the records are counted: the bar is full, the clock runs on."""
        self.progress.update(self.task, description=description, completed=self.total)


@contextmanager
def progress_bar(description: str, *, total: int) -> Iterator[ProgressBar]:
    """A progress bar on stderr towards `total` records, with records per second and the
    time left (shown on a terminal only; nothing is printed elsewhere)."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeRemainingColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,  # elsewhere it left a blank line before the answer
    ) as progress:
        yield ProgressBar(progress, description, total)


@contextmanager
def step_progress(description: str) -> Iterator[Callable[[str], None]]:
    """A line on stderr naming the step under way, on a terminal only (elsewhere Rich left
    a blank line before the one line of an error); yields the function that names it."""
    with Progress(
        TextColumn("{task.description}"), TimeElapsedColumn(), console=err, transient=True,
        disable=not err.is_terminal,
    ) as progress:  # fmt: skip
        task = progress.add_task(description, total=None)
        yield lambda step: progress.update(task, description=f"{description}: {step}")

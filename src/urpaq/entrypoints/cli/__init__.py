"""The command line: one command per use case.  Each translates, calls one service, prints.

Exit codes: 0 success, 2 usage error, 3 input refused (each refused item named),
1 internal failure (`_common.py` says how each arises).  `--json` prints exactly one
JSON document on stdout; messages and progress go to stderr.

This module only assembles the commands, in the order `urpaq --help` lists them; each
lives in the module of its group.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import os
import signal
import sys
from collections import Counter

import typer
import typer.core
import typer.main
from rich.markup import escape
from typer import rich_utils

from urpaq import __version__
from urpaq.entrypoints.cli import (
    audit,
    closes,
    database,
    demo,
    ledger,
    operators,
    parameters,
    payouts,
    register,
    serve,
    staff,
    statistics,
)
from urpaq.entrypoints.cli._common import (
    EXIT_FAILURE,
    EXIT_USAGE,
    answer_error_in_json,
    err,
    want_json,
)

__all__ = ["app", "main"]

app = typer.Typer(
    help="urpaq: the operator system of the National Fund for Children programme.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(wanted: bool) -> None:
    if wanted:
        print(f"urpaq {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """The options before any command."""


app.add_typer(register.app, name="register")
app.add_typer(parameters.app, name="parameters")
app.add_typer(operators.app, name="operator")
app.add_typer(payouts.app, name="payouts")
app.add_typer(statistics.app, name="statistics")
app.add_typer(staff.app, name="staff")
app.command()(database.init)
app.command()(closes.close)
app.command()(ledger.statement)
app.command()(ledger.reconcile)
app.command()(ledger.funding)
app.command()(serve.serve)
app.command()(audit.audit)
app.command()(demo.demo)


def _summaries_on_one_line(commands: typer.Typer) -> None:
    """Each command's summary in the list of commands is the first paragraph of its
    docstring, its lines joined (Typer's rich help kept the docstring's line breaks, so
    the list broke a summary in mid-sentence: "each line dated and" / "explained")."""
    for info in commands.registered_commands:
        if info.short_help is None and info.callback is not None and info.callback.__doc__:
            first = inspect.cleandoc(info.callback.__doc__).split("\n\n")[0]
            info.short_help = " ".join(first.split())
    for group in commands.registered_groups:
        if group.typer_instance is not None:
            _summaries_on_one_line(group.typer_instance)


_summaries_on_one_line(app)


def given_twice(arguments: list[str]) -> str | None:
    """Why the command line is refused if it gives an option more than once (`--tr-total
    1.00 --tr-total 2.00` would take the last without a word), else None.  Read with the
    command's own parser, which knows which options take a value (`--reference --json`
    is a reference); the values are not repeated (one may be a password in a URL)."""
    command = typer.main.get_command(app)
    context = command.context_class(command, info_name="urpaq", resilient_parsing=True)
    words = list(arguments)
    try:
        while isinstance(command, typer.core.TyperGroup):
            _, rest, _ = command.make_parser(context).parse_args(args=words)
            found = command.get_command(context, rest[0]) if rest else None
            if found is None:
                return None  # no command: the parse proper says so
            context = found.context_class(found, parent=context, info_name=rest[0])
            command, words = found, rest[1:]
        _, _, order = command.make_parser(context).parse_args(args=words)
    except typer.TyperException:
        return None  # the parse proper names what is wrong
    given = Counter(param.opts[0] for param in order if param.param_type_name == "option")
    twice = next((name for name, times in given.items() if times > 1), None)
    return None if twice is None else f"option {twice} is given {given[twice]} times: give it once"


#: What a command meant to answer a Ctrl-C: what it changes is stored whole or not at all
#: (a close interrupted after its commit is closed), and run again it changes nothing it
#: did already.
INTERRUPTED = (
    "interrupted (Ctrl-C): what the command changes is stored whole or not at all; run it"
    " again to see which — it changes nothing it did already (an operator's credential"
    " stored but not shown is lost: rotate it)"
)


def main() -> None:
    """The command line, as `urpaq` runs it (`entrypoints/launch.py`); interrupted by
    Ctrl-C, it exits 1 (it did not complete), saying so."""
    try:
        try:
            _main()
        except KeyboardInterrupt:
            _interrupted()
    except SystemExit as done:
        # Its answer given, a Ctrl-C while the command ends (its database closed, its
        # threads joined: a server's last write may wait on a lock) ends the process at
        # once with the answer's exit code, not with a silent exit of the signal's own.
        code = done.code if isinstance(done.code, int) else int(done.code is not None)
        signal.signal(signal.SIGINT, lambda *_: _end_now(code))
        raise


def _end_now(code: int) -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def _interrupted() -> None:
    answer_error_in_json(EXIT_FAILURE, INTERRUPTED, reason="interrupted")
    err.print(f"[bold red]error:[/] {INTERRUPTED}")
    sys.exit(EXIT_FAILURE)


def _main() -> None:
    # An output that takes no UTF-8 (LC_ALL=C, PYTHONIOENCODING=ascii) gets a "?" for a
    # character it cannot show (a minus sign, an ellipsis, a name in Cyrillic), not a
    # traceback in place of the answer; JSON is escaped instead (`print_json`).
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    want_json(sys.argv[1:])
    if (twice := given_twice(sys.argv[1:])) is not None:
        err.print(f"[bold red]usage:[/] {escape(twice)}")
        answer_error_in_json(EXIT_USAGE, twice)
        sys.exit(EXIT_USAGE)
    try:
        outcome = app(standalone_mode=False)
    except typer.TyperException as error:  # a usage error, printed as typer prints it
        rich_utils.rich_format_error(error)  # type: ignore[arg-type]
        answer_error_in_json(error.exit_code, error.format_message())
        sys.exit(error.exit_code)
    except typer.Abort:
        rich_utils.rich_abort_error()
        sys.exit(1)
    if outcome == _TYPER_INTERRUPTED:  # typer's answer to a KeyboardInterrupt, silent
        _interrupted()
    sys.exit(outcome if isinstance(outcome, int) else 0)


#: What typer returns for a command that Ctrl-C interrupted (no command of urpaq's does).
_TYPER_INTERRUPTED = 130

"""The console script `urpaq` (and `python -m urpaq`): the command line, loaded under a
guard.  Loading it takes a moment; Ctrl-C meanwhile printed a trace of Python's own
importing, where an operator is owed one line saying that nothing was done.  This module
imports nothing of urpaq's before the guard."""

from __future__ import annotations

import json
import sys

#: What a command interrupted by Ctrl-C exits with: it did not complete (interfaces.md
#: knows 0, 1, 2 and 3; the shell's 130 is not among them), as the command line's own
#: `EXIT_FAILURE`, which this module does not import (it loads the command line).
EXIT_INTERRUPTED = 1

STARTING = "interrupted (Ctrl-C) while starting: nothing was done"


def main() -> None:
    try:
        from urpaq.entrypoints.cli import main as command_line
    except KeyboardInterrupt:
        interrupted(STARTING)
    command_line()


def interrupted(message: str) -> None:
    """Say so and exit: on stderr, and on stdout as the error document of `--json` (the
    arguments read as they are, the command line not yet loaded)."""
    print(f"error: {message}", file=sys.stderr)
    if "--json" in sys.argv[1:]:
        error = {"exit_code": EXIT_INTERRUPTED, "reason": "interrupted", "message": message}
        print(json.dumps({"error": error}))
    sys.exit(EXIT_INTERRUPTED)

"""The command line starts fast: the HTTP server is imported only by the commands that
serve."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import sys
import urpaq.entrypoints.cli
print(" ".join(sorted(name for name in ("uvicorn", "fastapi", "starlette", "jinja2", "authlib",
                                        "joserfc")
                      if name in sys.modules)))
"""


def test_importing_the_command_line_leaves_the_http_server_out() -> None:
    """Loading every command imports neither uvicorn, the web framework nor the back
    office's OpenID Connect client."""
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == []


def test_the_list_of_commands_gives_each_summary_whole() -> None:
    """The list of commands broke a summary where its docstring broke its line ("each line
    dated and" on one line, "explained, …" on the next, the rest of the line empty)."""
    for words in (["--help"], ["register", "--help"]):
        done = subprocess.run(
            [sys.executable, "-m", "urpaq", *words],
            capture_output=True, text=True, check=True, timeout=60,
            env={**os.environ, "COLUMNS": "200", "TERM": "dumb"},
        )  # fmt: skip
        listed = [line for line in done.stdout.splitlines() if line.startswith("│ ")]
        assert listed, done.stdout
        # At 200 columns every summary fits on its command's one line.
        assert not any(line.startswith("│" + " " * 12) for line in listed), done.stdout
    assert "each line dated and explained, with the running balance" in subprocess.run(
        [sys.executable, "-m", "urpaq", "--help"],
        capture_output=True, text=True, check=True, timeout=60,
        env={**os.environ, "COLUMNS": "200"},
    ).stdout  # fmt: skip

"""The command line starts fast: the HTTP server is imported only by the commands that
serve."""

from __future__ import annotations

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

"""What the logs may say of a request: its path or its client's address with every IIN
masked, on one honest line (no forged line, no hidden character)."""

from __future__ import annotations

import re

from urpaq.entrypoints.printable import printable

_IIN_IN_PATH = re.compile(r"\d{12}")


def redact(path: str) -> str:
    """A request path (or a client's address) fit for a log: every run of 12 digits (an
    IIN) masked, and every character that could break or disguise a line escaped."""
    return printable(_IIN_IN_PATH.sub("************", path))

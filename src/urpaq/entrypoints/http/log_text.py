"""What the logs may say of a request: its path or its client's address with every IIN
masked, on one honest line (no forged line, no hidden character)."""

from __future__ import annotations

import logging
import re
import time

from urpaq.entrypoints.printable import printable

#: An IIN, anywhere; or a number of six digits or more standing alone, its digits perhaps
#: grouped by spaces of any kind (a no-break space, a tab), hyphens or underscores: an
#: IIN as people write it (`070920-500017`, `0709 2050 0017`) or a part of one (a birth
#: date and more). A dot is not a separator: an IPv4 address stays whole.
_IIN_IN_PATH = re.compile(r"\d{12}|(?<![^\W_])\d(?:[\s_-]?\d){5,}(?![^\W_])")


def redact(path: str) -> str:
    """A request path (or a client's address) fit for a log: every IIN, written whole or
    grouped, and every part of one masked, and every character that could break or
    disguise a line escaped."""
    return printable(_IIN_IN_PATH.sub(lambda found: "*" * len(found.group()), path))


class UtcFormatter(logging.Formatter):
    """Log lines that begin with their moment in UTC, marked (`2026-11-27T23:46:21.639Z`),
    as the audit log's: whatever the machine's time zone, one clock for both."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        return f"{moment}.{int(record.msecs):03d}Z"

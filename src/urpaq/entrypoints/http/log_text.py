"""What the logs may say of a request: its path or its client's address with every IIN
masked, on one honest line (no forged line, no hidden character)."""

from __future__ import annotations

import re

_IIN_IN_PATH = re.compile(r"\d{12}")


def redact(path: str) -> str:
    """A request path (or a client's address) fit for a log: every run of 12 digits (an
    IIN) masked, and every character that could break or disguise a line escaped."""
    return printable(_IIN_IN_PATH.sub("************", path))


def printable(text: str) -> str:
    """`text` on one honest line: a character that is not printable (a control such as a
    line break, NUL or ESC, DEL, a C1 control, a bidirectional override or other
    invisible formatting) is written as its escape (`\\x0a`, `\\u202e`), and so is the
    backslash (`\\\\`), so that no escape can be forged either."""
    if text.isprintable() and "\\" not in text:
        return text
    return "".join(c if c.isprintable() and c != "\\" else _escaped(c) for c in text)


def _escaped(character: str) -> str:
    code = ord(character)
    if character == "\\":
        return "\\\\"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"

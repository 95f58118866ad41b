"""Text from outside (a name, a file's name, a path) shown on one honest line: no forged
line, no hidden or reordering character; the logs, the command line's tables and its
messages show it so."""

from __future__ import annotations


def printable(text: str) -> str:
    """`text` on one honest line: a character that is not printable (a control such as a
    line break, NUL or ESC, DEL, a C1 control, a bidirectional override or other
    invisible formatting) is written as its escape (`\\x0a`, `\\u202e`), and so is the
    backslash (`\\\\`), so that no escape can be forged either."""
    if text.isprintable() and "\\" not in text:
        return text
    return "".join(c if c.isprintable() and c != "\\" else _escaped(c) for c in text)


def one_line(message: str) -> str:
    """A message of urpaq's own, which may quote a value from outside (a file's name): its
    controls and reordering characters escaped, as `printable` does, but its backslashes
    left as they are (a value it quotes is shown by `repr`, already escaped)."""
    if message.isprintable():
        return message
    return "".join(c if c.isprintable() else _escaped(c) for c in message)


def _escaped(character: str) -> str:
    code = ord(character)
    if character == "\\":
        return "\\\\"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"

"""The shape every business refusal shares: a code naming the reason, and a message for
people.  Each refusal is defined in the module that raises it, as a subclass."""

from __future__ import annotations

import unicodedata


def quoted(text: str, *, limit: int = 40) -> str:
    """A value as a refusal's message names it: quoted, and cut to `limit` characters,
    its length said, when it is longer (a message never repeats 60,000 characters).
    Quoted as Python writes a string, every control or invisible character escaped: a
    message holds only printable characters, whatever the value held."""
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}… ({len(text)} characters)"


def cut(text: str, *, limit: int = 40) -> str:
    """A text already written for a message (a JSON value, say), cut as `quoted` cuts."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def not_ascii(text: str) -> str:
    """What a message adds about a value that can only be ASCII (a record's kind, say)
    but holds another character: the first such character by its code point and name —
    a Cyrillic `с` in `born_сitizen` looks like the Latin `c` on every screen, so the
    value quoted alone reads as the valid one.  Empty when the value is all ASCII."""
    found = next((character for character in text if not character.isascii()), None)
    if found is None:
        return ""
    name = unicodedata.name(found, "an unnamed character")
    return f" (it holds U+{ord(found):04X} {name}, which is not ASCII)"


class Refused(Exception):
    """Something the rules do not allow; `code` names the reason (e.g. `out_of_order`)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code

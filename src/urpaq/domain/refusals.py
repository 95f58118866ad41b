"""The shape every business refusal shares: a code naming the reason, and a message for
people.  Each refusal is defined in the module that raises it, as a subclass."""

from __future__ import annotations


class Refused(Exception):
    """Something the rules do not allow; `code` names the reason (e.g. `out_of_order`)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code

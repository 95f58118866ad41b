"""Invariants that guard money, checked in every build.

A broken invariant is a bug, never a business outcome: it crashes, like an assertion.
Unlike an `assert` statement it survives `python -O`, which strips assertions, so a
wrong amount can never be written because the interpreter was started with a flag.
"""

from __future__ import annotations


class InvariantBroken(AssertionError):
    """A rule that must hold whatever the input did not hold: a bug in the code."""


def require(condition: bool, message: str) -> None:
    """Raise `InvariantBroken` with `message` unless `condition` holds."""
    if not condition:
        raise InvariantBroken(message)

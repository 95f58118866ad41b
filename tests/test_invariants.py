"""The invariants that guard money hold in every build, including under `python -O`."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from urpaq.domain.invariants import InvariantBroken, require
from urpaq.domain.ledger import UnbalancedEntry

# Each snippet breaks one invariant; the script prints the name of what it raised.
BROKEN = {
    "a float as money": "from urpaq.domain.money import Money\nMoney(1.5)",
    "a bool as money": "from urpaq.domain.money import Money\nMoney(True)",
    "an entry off balance": (
        "from urpaq.domain.ledger import EntryKind, JournalEntry, Posting\n"
        "from urpaq.domain.money import Money\n"
        "JournalEntry(key='k', kind=EntryKind.PAYOUT, reporting_year=2024,\n"
        "    postings=(Posting('a', Money(-100)), Posting('b', Money(99))))"
    ),
    "a split of a negative pot": (
        "from urpaq.domain.money import Money, split_floor\nsplit_floor(Money(-1), shares=3)"
    ),
    "a schedule with a gap": (
        "from decimal import Decimal\n"
        "from urpaq.domain.accrual import ClosedYear, Schedule\n"
        "from urpaq.domain.money import Money\n"
        "Schedule([ClosedYear(2024, Money(100), Decimal('0'))])"
    ),
}

SCRIPT = """
import sys
assert False, "never raised: the interpreter runs without assertions"
try:
{body}
except AssertionError as error:
    print(type(error).__name__)
else:
    print("nothing raised")
"""


@pytest.mark.parametrize("snippet", list(BROKEN.values()), ids=list(BROKEN))
def test_a_broken_invariant_raises_under_python_dash_o(snippet: str) -> None:
    """`python -O` strips every `assert`, yet a broken money invariant still raises."""
    script = SCRIPT.format(body=textwrap.indent(snippet, "    "))

    finished = subprocess.run(
        [sys.executable, "-O", "-c", script], capture_output=True, text=True, check=True
    )

    assert finished.stdout.strip() in {"InvariantBroken", "UnbalancedEntry"}, finished


def test_require_raises_the_named_error_with_its_message() -> None:
    """`require` passes a condition that holds and names the one that does not."""
    require(True, "never shown")

    with pytest.raises(InvariantBroken, match="the pot must be emptied"):
        require(False, "the pot must be emptied")


def test_invariant_errors_are_assertion_errors() -> None:
    """A broken invariant is a bug, so it is an `AssertionError`, never a refusal."""
    assert issubclass(UnbalancedEntry, InvariantBroken)
    assert issubclass(InvariantBroken, AssertionError)

"""The closes port: what earlier closes fixed, the counts a close is computed from, and
the writing of a close."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from urpaq.domain.close import ClosedView, CloseResult, MaturityPlan
from urpaq.domain.late_maturity import LateMaturity
from urpaq.domain.ledger import JournalEntry
from urpaq.domain.movements import Outcome
from urpaq.domain.participation import View


@dataclass(frozen=True, slots=True)
class ClosedRecord:
    """A close as stored: what it saw, what it fixed and what it printed."""

    closed: ClosedView
    result: CloseResult


@dataclass(frozen=True, slots=True)
class StandingCount:
    """How many people with more than a birth record held `held_class` after the previous
    close and now have `outcome` (in `entry_year`, maturing or not)."""

    held_class: int | None
    outcome: Outcome
    entry_year: int | None
    matures: bool
    count: int


@dataclass(frozen=True, slots=True)
class BirthCount:
    """People whose only record is citizenship by birth, born in `birth_year`: how many
    both views see, and how many only the current view sees (recorded or imported since)."""

    birth_year: int
    seen_before: int
    seen_now_only: int


class ClosesPort(Protocol):
    def closed_years(self) -> list[ClosedRecord]:
        """Every close, in order of reporting year."""
        ...

    def standing_counts(
        self, *, year: int, view: View, previous: View | None
    ) -> tuple[list[StandingCount], list[BirthCount]]:
        """The register counted set-based for the close of `year`: people grouped by their
        standing in the previous close's view and in this one."""
        ...

    def late_maturities(self, *, year: int, view: View) -> list[LateMaturity]:
        """The people who mature late at the close of `year` (`domain/late_maturity.py`),
        counted per entry year and maturity year: against the view of the close of each
        one's maturity year, and the target savings the ledger has credited."""
        ...

    def save_close(
        self,
        *,
        result: CloseResult,
        closed: ClosedView,
        entries: Sequence[JournalEntry],
        maturity: MaturityPlan,
    ) -> None:
        """Post the close's entries, credit each maturing person's target savings (and
        each who matures late), and record the close."""
        ...

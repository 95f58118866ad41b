"""What every published table is made of: its cells, its rows and columns, and counts
added up by a key."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from urpaq.domain.money import Money

Cell = int | str | Money | None  # None: suppressed
Key = TypeVar("Key", int, str)
Item = TypeVar("Item")


@dataclass(frozen=True, slots=True)
class StatTable:
    """One published table: `name` is stable (CSV file names, translations)."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    label_column: int = 0  # the column a chart labels its bars with
    value_column: int = 1  # the column a chart draws; None cells are not drawn
    year: int | None = None  # the reporting year the table is of, for one of one close

    def records(self) -> list[dict[str, Cell]]:
        """The rows as records keyed by column name."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def count_by(
    items: Iterable[Item], key: Callable[[Item], Key], count: Callable[[Item], int]
) -> dict[Key, int]:
    """The counts of `items` added up per `key`."""
    counts: dict[Key, int] = defaultdict(int)
    for item in items:
        counts[key(item)] += count(item)
    return dict(counts)

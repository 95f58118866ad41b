"""Statistics that never reveal a person: small cells are suppressed.

A published count below `SMALL_CELL_THRESHOLD` (other than zero) could single out the few
people behind it, so it is hidden — and so is every amount summed over such a group.
Hiding the small cells alone is not enough where a total is published (or can be worked
out from another table): the hidden cells could be recovered by subtraction.  So more
cells are hidden, smallest first, until the hidden cells of a table add up to zero or to
at least the threshold; and for two tables that are the margins of one joint table
(payouts by purpose and by operator), a row or column is hidden too when what the hidden
ones hold of it would be a small number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping
from typing import TypeVar

#: The smallest count that statistics publish (a named setting, documented).
SMALL_CELL_THRESHOLD = 10

Key = TypeVar("Key", bound=Hashable)
Row = TypeVar("Row", bound=Hashable)
Column = TypeVar("Column", bound=Hashable)


def is_small(count: int, *, threshold: int = SMALL_CELL_THRESHOLD) -> bool:
    return 0 < count < threshold


def suppressed_cells(
    counts: Mapping[Key, int],
    *,
    threshold: int = SMALL_CELL_THRESHOLD,
    hidden: frozenset[Key] = frozenset(),
) -> frozenset[Key]:
    """The cells of one table, whose total is (or may become) known, that must not be
    shown: the small ones and `hidden`, then the smallest others until the hidden cells
    add up to zero or at least `threshold` — or, where the others run out first, every
    cell."""
    chosen = set(hidden) | {
        key for key, count in counts.items() if is_small(count, threshold=threshold)
    }
    while is_small(sum(counts.get(key, 0) for key in chosen), threshold=threshold):
        others = sorted(
            (count, str(key), key)
            for key, count in counts.items()
            if key not in chosen and count > 0
        )
        if not others:
            # No other group to hide with: the hidden cells would add up to a small
            # number (a column whose total is small), and name where those few are.
            # Every cell is hidden, the empty ones too, and only the total shows.
            return frozenset(counts)
        chosen.add(others[0][2])
    return frozenset(chosen)


def suppressed_margins(
    joint: Mapping[tuple[Row, Column], int],
    *,
    threshold: int = SMALL_CELL_THRESHOLD,
    hidden_rows: frozenset[Row] = frozenset(),
    hidden_columns: frozenset[Column] = frozenset(),
) -> tuple[frozenset[Row], frozenset[Column]]:
    """Which row totals and which column totals of a joint table to hide, when both sets
    of totals are published (and the joint cells are not); `hidden_rows` and
    `hidden_columns` are hidden whatever they hold (hidden already for another reason)."""
    rows: dict[Row, int] = defaultdict(int)
    columns: dict[Column, int] = defaultdict(int)
    for (row, column), count in joint.items():
        rows[row] += count
        columns[column] += count
    hidden_rows = suppressed_cells(rows, threshold=threshold, hidden=hidden_rows)
    hidden_columns = suppressed_cells(columns, threshold=threshold, hidden=hidden_columns)
    while True:
        # What the hidden rows hold of a shown column is that column's total less the
        # shown rows' part: it must not be a small number (and the same across).
        more_columns = {
            column
            for column in columns
            if column not in hidden_columns
            and is_small(
                sum(joint.get((row, column), 0) for row in hidden_rows), threshold=threshold
            )
        }
        more_rows = {
            row
            for row in rows
            if row not in hidden_rows
            and is_small(
                sum(joint.get((row, column), 0) for column in hidden_columns), threshold=threshold
            )
        }
        if not more_columns and not more_rows:
            return hidden_rows, hidden_columns
        hidden_rows = suppressed_cells(rows, threshold=threshold, hidden=hidden_rows | more_rows)
        hidden_columns = suppressed_cells(
            columns, threshold=threshold, hidden=hidden_columns | more_columns
        )

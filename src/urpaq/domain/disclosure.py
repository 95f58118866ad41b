"""Statistics that never reveal a person: small cells are suppressed.

A published count below `SMALL_CELL_THRESHOLD` (other than zero) could single out the few
people behind it, so it is shown as "fewer than 10" — and so is every amount summed over
such a group.  When a table has a total and only one cell is suppressed, that cell could
be recovered by subtraction; the next smallest cell is suppressed with it.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

#: The smallest count that statistics publish (a named setting, documented).
SMALL_CELL_THRESHOLD = 10

Key = TypeVar("Key", bound=Hashable)


def is_small(count: int, *, threshold: int = SMALL_CELL_THRESHOLD) -> bool:
    return 0 < count < threshold


def suppressed_cells(
    counts: Mapping[Key, int], *, threshold: int = SMALL_CELL_THRESHOLD
) -> frozenset[Key]:
    """The cells of one table (whose total is published) that must not be shown."""
    hidden = {key for key, count in counts.items() if is_small(count, threshold=threshold)}
    if len(hidden) == 1:
        others = sorted(
            (count, str(key), key)
            for key, count in counts.items()
            if key not in hidden and count > 0
        )
        if others:
            hidden.add(others[0][2])
    return frozenset(hidden)

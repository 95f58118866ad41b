"""A batch of feed rows checked on their own, as the staging of an import takes it."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa


@dataclass(frozen=True, slots=True)
class CheckedBatch:
    """Checked rows, column-wise (`record_checks.STAGED_SCHEMA`): a record's stored values
    or the reason the row was refused."""

    table: pa.Table

    def __len__(self) -> int:
        return int(self.table.num_rows)

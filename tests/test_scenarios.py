"""Every scenario in tests/scenarios runs against a real database of each kind (SQLite and
PostgreSQL) and must pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenario_runner import ScenarioRun
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork

SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*.scenario"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(path: Path, uow: SqlUnitOfWork, tmp_path: Path) -> None:
    """The scenario's expectations hold, and so does every ledger identity afterwards."""
    ScenarioRun(uow, tmp_path, path.stem).run(path.read_text(encoding="utf-8"))


def test_there_are_scenarios() -> None:
    """The scenario folder is not silently empty."""
    assert len(SCENARIOS) >= 5

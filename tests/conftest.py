"""Shared fixtures: a fresh SQLite store per test, and the scenario runner's helpers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from urpaq.adapters.sqlite.store import SqliteStore

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    """An initialised SQLite store in a file of its own."""
    opened = SqliteStore(str(tmp_path / "urpaq.db"))
    opened.initialise()
    yield opened
    opened.close()

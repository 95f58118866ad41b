"""Shared fixtures: a fresh database per test of each kind, and a real PostgreSQL server.

Every test that takes `uow` runs twice: on SQLite and on PostgreSQL — one contract
suite for both adapters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pg_server import TemporaryPostgres
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.bootstrap import open_unit_of_work

TEMPLATE = "urpaq_template"


@pytest.fixture(scope="session")
def postgres() -> Iterator[TemporaryPostgres]:
    """A PostgreSQL server for the whole session, with a template database at the latest
    schema."""
    server = TemporaryPostgres().start()
    try:
        template_url = server.create_database()
        uow = open_unit_of_work(template_url)
        uow.schema.initialise()
        uow.close()
        import psycopg

        with psycopg.connect(server.url(), autocommit=True) as connection:
            name = template_url.rsplit("/", 1)[1]
            connection.execute(f"ALTER DATABASE {name} RENAME TO {TEMPLATE}")
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres: TemporaryPostgres) -> str:
    """The URL of a fresh PostgreSQL database at the latest schema."""
    return postgres.create_database(template=TEMPLATE)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a fresh, initialised database of each kind."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'urpaq.db'}"
        uow = open_unit_of_work(url)
        uow.schema.initialise()
        uow.close()
        return url
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def uow(database_url: str) -> Iterator[SqlUnitOfWork]:
    """A unit of work on a fresh, initialised database, SQLite or PostgreSQL."""
    opened = open_unit_of_work(database_url)
    yield opened
    opened.close()


@pytest.fixture(params=["sqlite", "postgres"])
def new_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[], str]:
    """Makes fresh databases of one kind, for tests that need many (property tests)."""
    if request.param == "sqlite":
        return lambda: f"sqlite:///{tmp_path_factory.mktemp('db') / 'urpaq.db'}"
    server: TemporaryPostgres = request.getfixturevalue("postgres")
    return lambda: server.create_database(template=TEMPLATE)

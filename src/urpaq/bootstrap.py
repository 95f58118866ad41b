"""The one place that picks concrete adapters for the entry points."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path

from urpaq.adapters.calendar import is_working_day, return_due_on
from urpaq.adapters.feed import FeedUnreadable, inspect_feed, read_feed, write_feed
from urpaq.adapters.identity import DevelopmentIdentityProvider
from urpaq.adapters.parameter_file import parse_parameters, read_parameters, shipped_parameters_text
from urpaq.adapters.postgres import connection as postgres
from urpaq.adapters.postgres.connection import MalformedDatabaseUrl, PostgresConnection
from urpaq.adapters.sql.connection import DatabaseUnavailable, DatabaseUnusable
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.adapters.sqlite import connection as sqlite
from urpaq.adapters.sqlite.connection import SqliteConnection
from urpaq.domain.parameters import YearParameters
from urpaq.services.ports.identity import IdentityProvider
from urpaq.services.ports.schema import (
    NotUrpaqDatabase,
    SchemaIncomplete,
    SchemaTooNew,
    UpgradeRefused,
)
from urpaq.services.ports.serving import ServingPort
from urpaq.services.ports.staff import StaffIdentityProvider
from urpaq.services.ports.unit_of_work import UnitOfWork

# Entry points take functions and errors from here, never an adapter's class
# (tests/test_architecture.py holds them to it).
__all__ = [
    "DatabaseUnavailable",
    "DatabaseUnusable",
    "FeedUnreadable",
    "NotUrpaqDatabase",
    "SchemaIncomplete",
    "SchemaTooNew",
    "UnsupportedDatabase",
    "UnsupportedIdentityProvider",
    "UpgradeRefused",
    "database_unreachable",
    "database_url",
    "identity_provider",
    "inspect_feed",
    "is_working_day",
    "open_unit_of_work",
    "read_feed",
    "read_parameters",
    "return_due_on",
    "shipped_parameters",
    "storage_failure",
    "write_feed",
]

DEFAULT_DATABASE_URL = "sqlite:///./urpaq.db"


class UnsupportedDatabase(ValueError):
    """A database URL this build cannot open; the message names it."""


def database_url(option: str | None) -> str:
    """`--db` if given, else `URPAQ_DB`, else the embedded default."""
    return option or os.environ.get("URPAQ_DB") or DEFAULT_DATABASE_URL


def open_unit_of_work(url: str) -> UnitOfWork:
    """A unit of work on the database behind a URL, with its own connection (and, once
    something is served, one more for the serving store)."""
    if url.startswith("sqlite://"):
        path = _sqlite_path(url)
        return SqlUnitOfWork(
            SqliteConnection(path),
            open_serving=lambda: (sqlite.open_serving(path), "", sqlite.serving_writer(path)),
        )
    if url.startswith(("postgresql://", "postgres://")):
        try:
            connection = PostgresConnection(url)
        except MalformedDatabaseUrl as error:
            raise UnsupportedDatabase(str(error)) from None
        return SqlUnitOfWork(
            connection,
            open_serving=lambda: (
                postgres.open_serving(url),
                "serving.",
                postgres.serving_writer(url),
            ),
        )
    raise UnsupportedDatabase(
        f"database URL {postgres.without_password(url)!r} is neither sqlite:/// nor postgresql://"
    )


def storage_failure(error: BaseException) -> str | None:
    """In words, why the storage under a database failed a command or a request (a full
    or read-only disk, an I/O error, the server gone), or None for any other error."""
    if isinstance(error, DatabaseUnavailable):  # the database named, a password masked
        return str(error)
    return sqlite.storage_failure(error) or postgres.storage_failure(error)


def writes_refused(error: BaseException) -> str | None:
    """In words, why the storage under a database refuses writes (the disk full, a file
    or a transaction read-only, an I/O error), or None: not a lock waited on too long, a
    connection lost, a server busy."""
    return sqlite.writes_refused(error) or postgres.writes_refused(error)


def database_unreachable(error: BaseException) -> bool:
    """Whether `error` says the database cannot be reached now (a server down,
    restarting or failing over, a connection lost, a database that cannot be opened
    now): an answer may say "try again shortly" rather than "failed".  A full disk met
    while writing is not: someone must make room first."""
    return isinstance(error, DatabaseUnavailable) or postgres.unreachable(error)


def shown_url(url: str) -> str:
    """`url` as a message may show it: a PostgreSQL URL's password masked."""
    return postgres.without_password(url)


def names_no_database_yet(url: str) -> bool:
    """Whether `url` names an embedded database file that does not exist: a command that
    only uses a database says so rather than create an empty one (and its folders)."""
    if not url.startswith("sqlite://"):
        return False
    try:
        path = _sqlite_path(url)
    except UnsupportedDatabase:
        return False  # opening it says why
    if path == ":memory:":
        return False
    try:
        return not Path(path).exists()
    except OSError:  # a folder on the way this user may not enter: opening it says so
        return False


def _sqlite_path(url: str) -> str:
    path = url.removeprefix("sqlite://")
    if not path.startswith("/"):
        raise UnsupportedDatabase(
            f"database URL {url!r}: write sqlite:///relative.db or sqlite:////absolute.db"
        )
    if path == "/":  # `sqlite:///` alone: a database in memory, lost as the command ends
        raise UnsupportedDatabase(
            f"database URL {url!r} names no file: write sqlite:///urpaq.db, or"
            " sqlite:///:memory: for a database that is not kept"
        )
    if "?" in path:  # a query is no part of a SQLite URL: it would be the file's name
        raise UnsupportedDatabase(
            f"database URL {url!r}: a SQLite URL takes no query"
            f" ({'?' + path.partition('?')[2]!r}); name the file alone"
        )
    if path[1:].lower().startswith("file:"):  # SQLite reads it as a URI, not as a name
        raise UnsupportedDatabase(
            f"database URL {url!r}: a SQLite URL names a file, not a URI (file:…);"
            f" write sqlite:///./{path[1:]} for a file of that name"
        )
    return path[1:]


def identity_provider(
    name: str | None = None, *, serving: Callable[[], ServingPort]
) -> IdentityProvider:
    """The identity provider for sign-in: `URPAQ_IDENTITY` names it — `development` (the
    default, which keeps its challenges in `serving`) or `package.module:Class` for a
    real one (docs/identity.md)."""
    choice = name or os.environ.get("URPAQ_IDENTITY") or "development"
    if choice == "development":
        return DevelopmentIdentityProvider(serving=serving)
    module_name, _, class_name = choice.partition(":")
    if not class_name:
        raise UnsupportedIdentityProvider(
            f"identity provider {choice!r}: write development or package.module:Class"
        )
    try:
        provider_class = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as error:
        raise UnsupportedIdentityProvider(
            f"identity provider {choice!r} cannot be loaded: {error}"
        ) from None
    missing = [
        name for name in _IDENTITY_METHODS if not callable(getattr(provider_class, name, None))
    ]
    if missing:  # refused at start, not at a visitor's first code
        raise UnsupportedIdentityProvider(
            f"identity provider {choice!r} lacks {', '.join(missing)} (docs/identity.md)"
        )
    try:  # its configuration is its own to read (its environment variables, say)
        provider: IdentityProvider = provider_class()
    except Exception as error:
        raise UnsupportedIdentityProvider(
            f"identity provider {choice!r} could not be made:"
            f" {type(error).__name__}: {error} (docs/identity.md)"
        ) from None
    try:
        name = provider.name
    except Exception:  # no such attribute, or one that fails when read
        name = None
    if not isinstance(name, str):
        raise UnsupportedIdentityProvider(
            f"identity provider {choice!r} has no name, the text the audit log and the"
            " server's log call it by (docs/identity.md)"
        )
    return provider


#: What an identity provider must do (services/ports/identity.py).
_IDENTITY_METHODS = ("begin", "complete", "iin_of")


class UnsupportedIdentityProvider(ValueError):
    """`URPAQ_IDENTITY` names no provider that can be loaded."""


def shipped_parameters() -> list[YearParameters]:
    """The National Bank's published inputs that ship with urpaq (2023–2025)."""
    return parse_parameters(shipped_parameters_text(), source="shipped parameters")


def oidc_provider(
    *, issuer: str, client_id: str, client_secret: str, role_claim: str, user_claim: str
) -> StaffIdentityProvider:
    """The back office's relying party at the operator's OpenID provider
    (docs/office.md).  Its libraries load only for a server that signs staff in."""
    from urpaq.adapters.oidc import OidcClient, OidcSettings

    return OidcClient(
        OidcSettings(
            issuer=issuer, client_id=client_id, client_secret=client_secret,
            role_claim=role_claim, user_claim=user_claim,
        )
    )  # fmt: skip

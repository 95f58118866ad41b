"""The schema port: create or upgrade the database's schema."""

from __future__ import annotations

from typing import Protocol


class SchemaTooNew(RuntimeError):
    """The database was written by a newer urpaq than this one."""


class NotUrpaqDatabase(RuntimeError):
    """The database has tables but no urpaq schema: it belongs to something else."""


class SchemaIncomplete(RuntimeError):
    """The database says it is at a schema version but does not hold what that version
    has: it lacks tables or columns (another build of urpaq numbered its migrations
    otherwise), or already holds what a later version makes (a backup restored over a
    newer schema)."""


class UpgradeRefused(RuntimeError):
    """The database's rows refuse an upgrade (two rows that the new version takes for
    one): nothing was changed, and the migration says what to look at."""


class SchemaPort(Protocol):
    def version(self) -> int:
        """The schema version of the database; 0 when it has none yet."""
        ...

    def other_tables(self) -> list[str]:
        """The tables of a database with no urpaq schema (another program's), by name;
        none when it is empty or urpaq's."""
        ...

    def latest_version(self) -> int:
        """The version this urpaq writes."""
        ...

    def initialise(self) -> int:
        """Create the schema, or upgrade it from any earlier version; return the version.
        Raises `SchemaTooNew` for a database written by a newer urpaq, and
        `NotUrpaqDatabase` for one that holds other tables and no urpaq schema (nothing is
        written to it); `SchemaIncomplete` when, at its version, it lacks a table or a
        column that version has."""
        ...

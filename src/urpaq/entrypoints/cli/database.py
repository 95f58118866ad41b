"""The database itself: create its schema, or upgrade it."""

from __future__ import annotations

from urpaq.entrypoints.cli._common import DbOption, err, opened


def init(db: DbOption = None) -> None:
    """Create the database schema, or upgrade it to this version."""
    with opened(db, create=True) as uow:
        # The serving store too (the audit log, sessions, limits), made or brought up to
        # date on opening: here by the owner, for servers whose role may not alter it.
        uow.serving.audit_events(iin=None, since=None, limit=1)
        err.print(
            f"database {uow.description} is at schema version {uow.schema.version()}",
            markup=False, highlight=False, soft_wrap=True,
        )  # fmt: skip

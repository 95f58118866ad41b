"""The unit of work on a SQL database: one connection, every port as an attribute."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Self

from urpaq.adapters.sql.closes import SqlCloses
from urpaq.adapters.sql.connection import SqlConnection, SqlSchema
from urpaq.adapters.sql.edge import SqlEdge
from urpaq.adapters.sql.group_commit import GroupCommit, release_writer
from urpaq.adapters.sql.heirs import SqlHeirs
from urpaq.adapters.sql.ledger import SqlLedger
from urpaq.adapters.sql.office_reads import SqlOfficeReads
from urpaq.adapters.sql.parameters import SqlParameters, SqlProposals
from urpaq.adapters.sql.payouts import SqlOperators, SqlPayouts
from urpaq.adapters.sql.reads import SqlReads
from urpaq.adapters.sql.register import SqlRegister
from urpaq.adapters.sql.serving import SqlServing
from urpaq.adapters.sql.staff import SqlStaff
from urpaq.services.ports.closes import ClosesPort
from urpaq.services.ports.edge import EdgePort
from urpaq.services.ports.heirs import HeirsPort
from urpaq.services.ports.ledger import LedgerPort
from urpaq.services.ports.office import OfficeReadsPort
from urpaq.services.ports.parameters import ParametersPort, ProposalsPort
from urpaq.services.ports.payouts import OperatorsPort, PayoutsPort
from urpaq.services.ports.reads import ReadsPort
from urpaq.services.ports.register import RegisterPort
from urpaq.services.ports.schema import SchemaPort
from urpaq.services.ports.serving import ServingPort
from urpaq.services.ports.staff import StaffPort
from urpaq.services.ports.unit_of_work import TransactionError


class SqlUnitOfWork:
    """The `UnitOfWork` port on one database connection."""

    def __init__(
        self,
        db: SqlConnection,
        *,
        open_serving: Callable[[], tuple[SqlConnection, str, GroupCommit | None]],
    ) -> None:
        """`open_serving` gives the serving store's own connection, schema prefix and
        this process's writer of it; it is opened on first use (a command that serves
        nobody never creates it)."""
        self.db = db
        self._open_serving = open_serving
        self._serving: SqlServing | None = None
        self.description = db.description
        ledger = SqlLedger(db)
        self.schema: SchemaPort = SqlSchema(db)
        self.register: RegisterPort = SqlRegister(db)
        self.parameters: ParametersPort = SqlParameters(db)
        self.proposals: ProposalsPort = SqlProposals(db)
        self.ledger: LedgerPort = ledger
        self.closes: ClosesPort = SqlCloses(db, ledger)
        self.payouts: PayoutsPort = SqlPayouts(db)
        self.heirs: HeirsPort = SqlHeirs(db)
        self.operators: OperatorsPort = SqlOperators(db)
        self.reads: ReadsPort = SqlReads(db)
        self.office: OfficeReadsPort = SqlOfficeReads(db)
        self.edge: EdgePort = SqlEdge(db)

    def __enter__(self) -> Self:
        self.db.begin()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.db.in_transaction:
            self.db.rollback()

    @contextlib.contextmanager
    def shared(self) -> Iterator[Self]:
        self.db.begin(shared=True)
        try:
            yield self
        finally:
            if self.db.in_transaction:
                self.db.rollback()

    def snapshot(self) -> AbstractContextManager[None]:
        return self.db.snapshot(read_only=True)

    def commit(self) -> None:
        self.db.commit()

    def rollback(self) -> None:
        self.db.rollback()

    def discard(self) -> None:
        self.db.discard()

    def require_open(self) -> None:
        if not self.db.in_transaction:
            raise TransactionError(
                f"this step writes inside an open unit of work on {self.description}"
            )

    @property
    def serving(self) -> ServingPort:
        return self._serving_store()

    @property
    def staff(self) -> StaffPort:
        serving = self._serving_store()
        return SqlStaff(serving.db, schema=serving.schema, writer=serving.writer)

    def _serving_store(self) -> SqlServing:
        if self._serving is None:
            connection, schema, writer = self._open_serving()
            self._serving = SqlServing(connection, schema=schema, writer=writer)
        return self._serving

    def close(self) -> None:
        self.db.close()
        if self._serving is not None:
            self._serving.db.release()
            if self._serving.writer is not None:
                release_writer(self._serving.writer)
            self._serving = None

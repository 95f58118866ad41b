"""The unit of work: one database session that hands out the ports and commits or rolls
back explicitly.

    with uow:
        uow.ledger.post(entry, posted_on=today)
        uow.payouts.save(payout, ...)
        uow.commit()

Leaving the block without `commit()` rolls everything back, an exception included.  A
unit of work is never entered twice: a step that must run inside a caller's unit of work
says so by calling `uow.require_open()`, so nesting is always explicit.  Reads outside a
block see the latest committed state, each on its own; reads that must agree with each
other go inside `with uow.snapshot():`, which sees one committed state and never takes
or waits for the writer.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from types import TracebackType
from typing import Protocol, Self

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


class TransactionError(RuntimeError):
    """A unit of work used out of turn: entered twice, or a step run outside one."""


class UnitOfWork(Protocol):
    register: RegisterPort
    parameters: ParametersPort
    proposals: ProposalsPort
    closes: ClosesPort
    ledger: LedgerPort
    payouts: PayoutsPort
    heirs: HeirsPort
    operators: OperatorsPort
    reads: ReadsPort
    office: OfficeReadsPort
    edge: EdgePort
    schema: SchemaPort
    #: Where the data lives, for messages (a URL without its password).
    description: str

    @property
    def serving(self) -> ServingPort:
        """What the server processes share; written at once, outside this unit of work's
        transaction, and never waiting for a writer."""
        ...

    @property
    def staff(self) -> StaffPort:
        """The back office's sessions and pending sign-ins, in the serving store."""
        ...

    def __enter__(self) -> Self:
        """Begin a write transaction; writers take turns.  Raises `TransactionError`
        if one is open already."""
        ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """End the transaction: roll back whatever was not committed."""
        ...

    def shared(self) -> AbstractContextManager[Self]:
        """Like `with uow:`, but beside other shared writers (payouts), each holding the
        rows it changes (`payouts.lock_holder`, `edge.lock_key`); the whole-database
        writers (import, close, settlement) and these exclude each other.  With one
        writer at a time (SQLite) it is the same as `with uow:`."""
        ...

    def snapshot(self) -> AbstractContextManager[None]:
        """A read-only view of one committed state for the reads inside the block, taking
        no writer's lock (a long read never holds a writer up, nor waits for one).
        Raises `TransactionError` if a transaction is open."""
        ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def discard(self) -> None:
        """End the transaction keeping nothing, like `rollback`, after checking now what
        the database would check at commit (every entry balances) and giving back the
        journal entry numbers it took: what a preview writes is checked like a commit
        and leaves no trace."""
        ...

    def close(self) -> None:
        """Let go of the database connection."""
        ...

    def require_open(self) -> None:
        """Raise `TransactionError` unless a transaction is open: for steps that write
        inside their caller's unit of work."""
        ...

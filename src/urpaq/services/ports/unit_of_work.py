"""The unit of work: one database session that hands out the ports and commits or rolls
back explicitly.

    with uow:
        uow.ledger.post(entry, posted_on=today)
        uow.payouts.save(payout, ...)
        uow.commit()

Leaving the block without `commit()` rolls everything back, an exception included.  A
unit of work is never entered twice: a step that must run inside a caller's unit of work
says so by calling `uow.require_open()`, so nesting is always explicit.  Reads outside a
block see the latest committed state.
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from urpaq.services.ports.closes import ClosesPort
from urpaq.services.ports.edge import EdgePort
from urpaq.services.ports.ledger import LedgerPort
from urpaq.services.ports.parameters import ParametersPort
from urpaq.services.ports.payouts import OperatorsPort, PayoutsPort
from urpaq.services.ports.reads import ReadsPort
from urpaq.services.ports.register import RegisterPort
from urpaq.services.ports.schema import SchemaPort


class TransactionError(RuntimeError):
    """A unit of work used out of turn: entered twice, or a step run outside one."""


class UnitOfWork(Protocol):
    register: RegisterPort
    parameters: ParametersPort
    closes: ClosesPort
    ledger: LedgerPort
    payouts: PayoutsPort
    operators: OperatorsPort
    reads: ReadsPort
    edge: EdgePort
    schema: SchemaPort
    #: Where the data lives, for messages (a URL without its password).
    description: str

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

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def close(self) -> None:
        """Let go of the database connection."""
        ...

    def require_open(self) -> None:
        """Raise `TransactionError` unless a transaction is open: for steps that write
        inside their caller's unit of work."""
        ...

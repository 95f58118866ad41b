"""How a service writes: in a unit of work of its own, or explicitly inside its caller's."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from urpaq.services.ports.unit_of_work import UnitOfWork


@contextmanager
def writing(uow: UnitOfWork, *, joined: bool, shared: bool = False) -> Iterator[None]:
    """Write in a unit of work of its own, committed when the block ends cleanly; or,
    with `joined=True`, inside the caller's open one, which the caller commits (for
    example an idempotent request that keeps its answer in the same transaction).
    `shared` writers (payouts) run beside each other, each holding the rows it changes."""
    if joined:
        uow.require_open()
        yield
        return
    with uow.shared() if shared else uow:
        yield
        uow.commit()

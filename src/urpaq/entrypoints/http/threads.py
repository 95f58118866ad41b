"""Work that blocks — the database — done in a worker thread while the event loop answers
others.

Starlette's `run_in_threadpool` (and FastAPI, for a route or dependency written `def`)
goes through anyio's worker threads: a capacity limiter, a cancel scope and a
`queue.Queue` whose lock and condition are Python code, per call.  On the lookups and
the API's reads, two or three such hops per request were a third of the server's time
(`benchmarks/accrual_day.py`, docs/benchmarks.md).  `in_thread` hands the work to the
event loop's own executor instead: a `ThreadPoolExecutor`, whose queue is C code, with as
many threads as `WORKER_THREADS` (each keeps its own database connections).  Every
route of the application is a `DeclaredRoute` (`edge.py`), which runs an endpoint
written `def` this way too.

Work that writes the main database — a payout, a confirmation, a close or a decision of
the back office — runs in threads of its own instead (`writes=True`), at most
`WRITING_THREADS` at once; the rest wait in the event loop, holding no thread.  On
SQLite one writer writes at a time and a national import holds the database for tens of
seconds: payouts waiting in the worker threads would take them all, and every read,
`/healthz` included, would wait with them.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

#: The threads one server process answers with at once (each holds its own database
#: connections; a close run from the back office holds one for its length, and visitors
#: of the statistics wait in theirs while the first one counts).  As many as anyio's pool
#: had: what made the hand-offs cheaper is the executor's queue, not fewer threads.
WORKER_THREADS = 40


#: The threads of one process that write the main database at once: on SQLite one
#: writes and the others wait for it; on PostgreSQL payouts of different people go
#: together.  Fewer than `WORKER_THREADS`, so that writes waiting for a long import or
#: close never take the threads reads answer with.
WRITING_THREADS = 8

_writing: ThreadPoolExecutor | None = None
_writing_made = threading.Lock()


def worker_threads() -> ThreadPoolExecutor:
    """The executor a server's event loop takes as its own (`app.py`'s lifespan)."""
    return ThreadPoolExecutor(max_workers=WORKER_THREADS, thread_name_prefix="urpaq-worker")


def _writing_threads() -> ThreadPoolExecutor:
    """The threads of this process that write the main database (made when first used;
    threads end with the process, as the worker threads' do)."""
    global _writing
    with _writing_made:
        if _writing is None:
            _writing = ThreadPoolExecutor(
                max_workers=WRITING_THREADS, thread_name_prefix="urpaq-writing"
            )
        return _writing


async def in_thread(work: Callable[[], T], *, writes: bool = False) -> T:
    """`work()` in one of the event loop's worker threads (in a copy of the caller's
    context), or if it `writes` the main database in one of the writing threads; the loop
    answers others meanwhile."""
    context = contextvars.copy_context()
    executor = _writing_threads() if writes else None
    return await asyncio.get_running_loop().run_in_executor(executor, context.run, work)


def writing(endpoint: Callable[..., T]) -> Callable[..., T]:
    """Marks an endpoint written `def` that writes the main database: it runs in a
    writing thread."""
    endpoint.writes_database = True  # type: ignore[attr-defined]
    return endpoint


def writes_database(endpoint: Callable[..., Any]) -> bool:
    return bool(getattr(endpoint, "writes_database", False))


def awaitable(endpoint: Callable[..., Any], *, writes: bool = False) -> Callable[..., Any]:
    """A route's endpoint as FastAPI should call it: one written `def` runs through
    `in_thread` (FastAPI reads the parameters of the function it wraps); one written
    `async def` is left as it is."""
    if inspect.iscoroutinefunction(endpoint):
        return endpoint

    @functools.wraps(endpoint)
    async def in_worker(*args: Any, **kwargs: Any) -> Any:
        return await in_thread(lambda: endpoint(*args, **kwargs), writes=writes)

    return in_worker

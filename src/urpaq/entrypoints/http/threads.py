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
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

#: The threads one server process answers with at once (each holds its own database
#: connections; a close run from the back office holds one for its length, and visitors
#: of the statistics wait in theirs while the first one counts).  As many as anyio's pool
#: had: what made the hand-offs cheaper is the executor's queue, not fewer threads.
WORKER_THREADS = 40


def worker_threads() -> ThreadPoolExecutor:
    """The executor a server's event loop takes as its own (`app.py`'s lifespan)."""
    return ThreadPoolExecutor(max_workers=WORKER_THREADS, thread_name_prefix="urpaq-worker")


async def in_thread(work: Callable[[], T]) -> T:
    """`work()` in one of the event loop's worker threads (in a copy of the caller's
    context); the loop answers others meanwhile."""
    context = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(None, context.run, work)


def awaitable(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """A route's endpoint as FastAPI should call it: one written `def` runs through
    `in_thread` (FastAPI reads the parameters of the function it wraps); one written
    `async def` is left as it is."""
    if inspect.iscoroutinefunction(endpoint):
        return endpoint

    @functools.wraps(endpoint)
    async def in_worker(*args: Any, **kwargs: Any) -> Any:
        return await in_thread(lambda: endpoint(*args, **kwargs))

    return in_worker

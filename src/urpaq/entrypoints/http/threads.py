"""Work that blocks — the database — done in a worker thread while the event loop answers
others.

Starlette's `run_in_threadpool` (and FastAPI, for a route or dependency written `def`)
goes through anyio's worker threads: a capacity limiter, a cancel scope and a
`queue.Queue` whose lock and condition are Python code, per call.  On the lookups and
the API's reads, two or three such hops per request were a third of the server's time
(`benchmarks/accrual_day.py`, docs/benchmarks.md).  `in_thread` hands the work to the
event loop's own executor instead: a `ThreadPoolExecutor` (`IdleThreads`), whose queue
is C code, with up to `WORKER_THREADS` threads (each keeps its own database connections
until it has been idle for `IDLE_SECONDS`).  Every route of the application is a
`DeclaredRoute` (`edge.py`), which runs an endpoint written `def` this way too.

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
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

#: The threads one server process answers with at once (each holds its own database
#: connections; a close run from the back office holds one for its length).  As many as
#: anyio's pool had: what made the hand-offs cheaper is the executor's queue, not fewer
#: threads.
WORKER_THREADS = 40


#: The threads of one process that write the main database at once: on SQLite one
#: writes and the others wait for it; on PostgreSQL payouts of different people go
#: together.  Fewer than `WORKER_THREADS`, so that writes waiting for a long import or
#: close never take the threads reads answer with.
WRITING_THREADS = 8

#: How long a thread waits with nothing to do before it ends, closing the database
#: connections it held: on PostgreSQL each is one of the server's `max_connections`,
#: which a burst of requests would otherwise keep taken for the life of the process.
IDLE_SECONDS = 60.0

#: What each thread that ends calls, in that thread (`context.py` closes its units of
#: work).
at_thread_end: list[Callable[[], None]] = []

_Task = tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class IdleThreads(ThreadPoolExecutor):
    """A `ThreadPoolExecutor` (the kind an event loop takes as its default) whose threads
    end after `IDLE_SECONDS` with nothing to do, each calling `at_thread_end` as it
    ends; started again as work comes, up to `max_workers`.  Its queue is C code, as
    `ThreadPoolExecutor`'s.

    Every task put in the queue is promised to a thread: to one waiting (`_waiting`
    counts those no task is promised to), to a thread started for it, or, with every
    thread busy, to the next thread that finishes (`_queued`).  A thread waiting in vain
    ends only while some waiting thread has no task promised to it, and leaves the count
    of threads as it decides to (its connections close just after: for a moment a new
    thread may be at work beside it)."""

    def __init__(self, max_workers: int, name: str, idle_seconds: float | None = None) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix=name)
        self._idle_seconds = IDLE_SECONDS if idle_seconds is None else idle_seconds
        self._tasks: queue.SimpleQueue[_Task | None] = queue.SimpleQueue()
        self._counting = threading.Lock()
        self._threads: set[threading.Thread] = set()
        self._waiting = 0
        self._queued = 0
        self._made = 0
        self._closed = False

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        with self._counting:
            if self._closed:
                raise RuntimeError("cannot schedule new futures after shutdown")
            if self._waiting:
                self._waiting -= 1
            elif len(self._threads) < self._max_workers:
                self._made += 1
                thread = threading.Thread(
                    target=self._work, name=f"{self._thread_name_prefix}_{self._made}", daemon=True
                )
                thread.start()  # a thread that cannot start leaves no task and no thread
                self._threads.add(thread)
            else:
                self._queued += 1
            self._tasks.put((future, fn, args, kwargs))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._counting:
            self._closed = True
            threads = list(self._threads)
        if cancel_futures:
            while True:
                try:
                    task = self._tasks.get_nowait()
                except queue.Empty:
                    break
                if task is not None:
                    task[0].cancel()
        for _ in threads:
            self._tasks.put(None)
        if wait:
            for thread in threads:
                thread.join()

    def _work(self) -> None:
        try:
            task = self._tasks.get()  # the one it was started for
            while task is not None:
                future, fn, args, kwargs = task
                if future.set_running_or_notify_cancel():
                    try:
                        result = fn(*args, **kwargs)
                    except BaseException as error:
                        future.set_exception(error)
                    else:
                        future.set_result(result)
                del task, future, fn, args, kwargs
                task = self._next()
        finally:
            with self._counting:
                self._threads.discard(threading.current_thread())
            for hook in at_thread_end:
                try:
                    hook()
                except Exception:  # the next hooks still run
                    logging.getLogger("urpaq.error").exception("a thread's end failed")

    def _next(self) -> _Task | None:
        """The next task; None to end: shut down, or idle for `idle_seconds` while some
        other waiting thread has no task promised to it."""
        with self._counting:
            queued = self._queued > 0
            if queued:
                self._queued -= 1
            else:
                self._waiting += 1
        if queued:
            return self._tasks.get()
        while True:
            try:
                return self._tasks.get(timeout=self._idle_seconds)
            except queue.Empty:
                with self._counting:
                    if self._waiting:
                        # Counted out with the same lock: a task given meanwhile starts
                        # a thread of its own, not one promised to this one.
                        self._waiting -= 1
                        self._threads.discard(threading.current_thread())
                        return None


_writing: IdleThreads | None = None
_writing_made = threading.Lock()


def worker_threads() -> IdleThreads:
    """The executor a server's event loop takes as its own (`app.py`'s lifespan)."""
    return IdleThreads(WORKER_THREADS, "urpaq-worker")


def _writing_threads() -> IdleThreads:
    """The threads of this process that write the main database (made when first used)."""
    global _writing
    with _writing_made:
        if _writing is None:
            _writing = IdleThreads(WRITING_THREADS, "urpaq-writing")
        return _writing


def end_writing_threads() -> None:
    """Let the writing threads finish their work and end (a server stopping); later
    writes start new ones."""
    global _writing
    with _writing_made:
        ending, _writing = _writing, None
    if ending is not None:
        ending.shutdown(wait=True)


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

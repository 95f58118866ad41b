"""What every request of the server shares: a unit of work per worker thread and the clock.

One `Context` is made per application (`app.py`) and kept on `app.state.context`; the routes
reach it through `deps.py`, the edge is given it when the middleware is installed.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

from urpaq import bootstrap
from urpaq.entrypoints.clock import kazakhstan_date, utc_now
from urpaq.entrypoints.http import threads
from urpaq.services.ports.serving import ServingPort
from urpaq.services.ports.unit_of_work import UnitOfWork


class UnitOfWorkProvider:
    """One unit of work per worker thread: a database connection is not shared by threads.

    Call it in the thread that uses the unit of work: FastAPI may run a route's
    dependencies and the route itself in different threads of its pool.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._by_thread: dict[int, UnitOfWork] = {}
        self._lock = threading.Lock()
        _providers.add(self)

    def __call__(self) -> UnitOfWork:
        thread = threading.get_ident()
        uow = self._by_thread.get(thread)
        if uow is None:
            uow = bootstrap.open_unit_of_work(self.url)
            with self._lock:
                self._by_thread[thread] = uow
        return uow

    def close_this_threads(self) -> None:
        """Close the unit of work of the calling thread, which is ending."""
        with self._lock:
            uow = self._by_thread.pop(threading.get_ident(), None)
        if uow is not None:
            uow.close()

    def close_all(self) -> None:
        """Close every connection; a later call opens new ones (a server can start again)."""
        with self._lock:
            units = list(self._by_thread.values())
            self._by_thread.clear()
        for uow in units:
            uow.close()


_providers: weakref.WeakSet[UnitOfWorkProvider] = weakref.WeakSet()


def _close_this_threads() -> None:
    """A worker thread ending closes its connections (`threads.py: IdleThreads`)."""
    for provider in list(_providers):
        try:
            provider.close_this_threads()
        except Exception as error:  # a connection already broken: nothing left to close
            logging.getLogger("urpaq.error").warning(
                "closing an ending thread's connection failed: %s", type(error).__name__
            )


threads.at_thread_end.append(_close_this_threads)


@dataclass
class Clock:
    """The time at the edge; tests set it."""

    now: Callable[[], dt.datetime] = utc_now

    def today(self) -> dt.date:
        return kazakhstan_date(self.now())


#: For how long after its storage failed a process says it is not ready.
STORAGE_FAILURE_SECONDS = 10.0


@dataclass
class StorageFailures:
    """When the storage under this process's database or serving store last failed a
    request (a disk full, a file read-only) and in what words: for `STORAGE_FAILURE_SECONDS`
    after, `/readyz` says the process is not ready, where it had said `ready` while every
    audited request answered 500 — a load balancer kept sending them.  Its reads reach
    the database still; only a write tells.  Past the window it is tried again."""

    at: float | None = None
    words: str = ""

    def note(self, error: BaseException) -> str | None:
        """Note `error` if the storage refused a write (a full or read-only disk, an I/O
        error; not a lock waited on too long, nor a database out of reach); its words,
        else None."""
        words = bootstrap.writes_refused(error)
        if words is not None:
            self.at, self.words = time.monotonic(), words
        return words

    def recent(self) -> str | None:
        """The words of a failure in the last `STORAGE_FAILURE_SECONDS`, or None."""
        if self.at is not None and time.monotonic() - self.at < STORAGE_FAILURE_SECONDS:
            return self.words
        return None


@dataclass
class Context:
    """What the routes need: a unit of work for the calling thread and the clock; and
    what the edge noted of the storage's failures, which readiness tells."""

    uow: UnitOfWorkProvider
    clock: Clock
    storage: StorageFailures = field(default_factory=StorageFailures)

    def serving(self) -> ServingPort:
        """The serving store of the calling thread's unit of work."""
        return self.uow().serving

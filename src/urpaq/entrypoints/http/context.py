"""What every request of the server shares: a unit of work per worker thread and the clock.

One `Context` is made per application (`app.py`) and kept on `app.state.context`; the routes
reach it through `deps.py`, the edge is given it when the middleware is installed.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass

from urpaq import bootstrap
from urpaq.entrypoints.clock import kazakhstan_date, utc_now
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

    def __call__(self) -> UnitOfWork:
        thread = threading.get_ident()
        uow = self._by_thread.get(thread)
        if uow is None:
            uow = bootstrap.open_unit_of_work(self.url)
            with self._lock:
                self._by_thread[thread] = uow
        return uow

    def close_all(self) -> None:
        """Close every connection; a later call opens new ones (a server can start again)."""
        with self._lock:
            units = list(self._by_thread.values())
            self._by_thread.clear()
        for uow in units:
            uow.close()


@dataclass
class Clock:
    """The time at the edge; tests set it."""

    now: Callable[[], dt.datetime] = utc_now

    def today(self) -> dt.date:
        return kazakhstan_date(self.now())


@dataclass
class Context:
    """What the routes need: a unit of work for the calling thread and the clock."""

    uow: UnitOfWorkProvider
    clock: Clock

    def serving(self) -> ServingPort:
        """The serving store of the calling thread's unit of work."""
        return self.uow().serving

"""The server's threads end when idle, and with them their database connections: a burst
of requests once kept some fifty connections of each process taken for its life (four
processes filled a PostgreSQL server's hundred, and every command was refused)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from api_server import serving
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.domain.operators import Purpose
from urpaq.entrypoints.http import threads
from urpaq.entrypoints.http.app import create_app
from urpaq.entrypoints.http.context import UnitOfWorkProvider
from urpaq.entrypoints.http.threads import IdleThreads
from world import ADULT, add_bank, build_world


def test_idle_threads_end_and_start_again_as_work_comes(monkeypatch: pytest.MonkeyPatch) -> None:
    ended: list[str] = []
    monkeypatch.setattr(threads, "at_thread_end", [lambda: ended.append(_name())])
    executor = IdleThreads(4, "test", idle_seconds=0.2)
    release = threading.Event()
    busy = [executor.submit(lambda: release.wait(10) and _name()) for _ in range(6)]
    time.sleep(0.1)
    assert len(executor._threads) == 4  # no more than asked for, the others queued
    release.set()
    assert sorted({future.result(10) for future in busy}) == sorted(
        thread.name for thread in executor._threads
    )
    _wait_for(lambda: not executor._threads)
    assert len(ended) == 4  # each called the hook as it ended, in itself
    assert executor.submit(lambda: 6 * 7).result(10) == 42  # a new thread
    with pytest.raises(ZeroDivisionError):
        executor.submit(lambda: 1 / 0).result(10)
    executor.shutdown(wait=True)
    assert not executor._threads
    with pytest.raises(RuntimeError):
        executor.submit(print)


def test_work_that_claimed_an_idle_thread_is_done_when_it_times_out() -> None:
    """A task given to the one idle thread just as it gives up waiting is still done."""
    executor = IdleThreads(1, "test", idle_seconds=0.01)
    for round_ in range(300):
        assert executor.submit(lambda n=round_: n).result(10) == round_
        time.sleep(0.01 * (round_ % 3))
    executor.shutdown(wait=True)


class SlowToEnd(IdleThreads):
    """A thread that decided to end is descheduled before it is gone."""

    def _next(self) -> Any:
        task = super()._next()
        if task is None:
            time.sleep(0.3)
        return task


def test_work_given_while_every_thread_is_ending_is_done() -> None:
    """The task waited for the next one to start a thread (a request of a server whose
    threads all ended together after a burst hung until another request came)."""
    executor = SlowToEnd(1, "test", idle_seconds=0.05)
    executor.submit(lambda: None).result(10)
    time.sleep(0.15)  # the thread gave up waiting and is ending

    assert executor.submit(lambda: "done").result(5) == "done"
    executor.shutdown(wait=True)


def test_a_thread_that_cannot_start_leaves_no_task_and_no_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    executor = IdleThreads(2, "test", idle_seconds=0.05)
    ran: list[int] = []
    with monkeypatch.context() as patched:
        patched.setattr(threading.Thread, "start", _cannot_start)
        with pytest.raises(RuntimeError, match="can't start"):
            executor.submit(lambda: ran.append(1))
    assert not executor._threads
    assert executor.submit(lambda: 7).result(5) == 7 and ran == []
    executor.shutdown(wait=True)


def test_a_hook_that_fails_leaves_the_others_to_run(monkeypatch: pytest.MonkeyPatch) -> None:
    ended: list[str] = []
    monkeypatch.setattr(threads, "at_thread_end", [lambda: 1 / 0, lambda: ended.append("x")])
    executor = IdleThreads(1, "test", idle_seconds=0.05)
    executor.submit(lambda: None).result(5)
    _wait_for(lambda: ended == ["x"])
    executor.shutdown(wait=True)


def _cannot_start(self: threading.Thread) -> None:
    raise RuntimeError("can't start new thread")


def test_a_servers_connections_close_once_its_threads_are_idle(
    uow: SqlUnitOfWork, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_world(uow, tmp_path)
    add_bank(uow, name="Bank", purposes=frozenset({Purpose.EDUCATION}), credential="burst")
    monkeypatch.setattr(threads, "IDLE_SECONDS", 0.5)
    app = create_app(database_url=database_url)
    provider = app.state.context.uow
    headers = {"Authorization": "Bearer burst"}
    limits = httpx.Limits(max_connections=40)
    with (
        serving(app) as url,
        httpx.Client(base_url=url, headers=headers, limits=limits) as client,
        ThreadPoolExecutor(max_workers=30) as clients,
    ):
        asked = [clients.submit(client.get, f"/api/v1/savings/{ADULT}") for _ in range(300)]
        assert {future.result().status_code for future in asked} == {200}
        assert len(_holding(provider)) > 1
        _wait_for(lambda: not _holding(provider))
        assert client.get(f"/api/v1/savings/{ADULT}").status_code == 200  # opened again


def _holding(provider: UnitOfWorkProvider) -> list[str]:
    """The worker and writing threads holding a unit of work (the event loop's own thread
    keeps its one for the life of the server)."""
    names = {thread.ident: thread.name for thread in threading.enumerate()}
    return [name for i in provider._by_thread if (name := names.get(i, "")).startswith("urpaq-")]


def _name() -> str:
    return threading.current_thread().name


def _wait_for(condition: object, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.05)

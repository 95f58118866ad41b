"""The audit log searched as auditors search it, on a log of millions of events.

Fills a serving store with generated events (spread over 90 days: banks' reads, public
lookups, a few staff members, one with a Cyrillic name), then times the searches of the
back office's audit viewer (`services/audit.py: audit_events`, 1,000 events at most):
the newest, by a rare and a common actor, by action, from a recent day, of one day, and
by IIN. Prints the median of the rounds of each, in seconds, as JSON.

    .venv/bin/python benchmarks/audit_search.py                        # SQLite, 3 million
    .venv/bin/python benchmarks/audit_search.py --database postgresql
    .venv/bin/python benchmarks/audit_search.py --events 300000 --rounds 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from national_close import PostgresDatabases  # noqa: E402
from urpaq.bootstrap import open_unit_of_work  # noqa: E402
from urpaq.services.audit import audit_events  # noqa: E402

FIRST = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
DAYS = 90
ACTIONS = ("GET /api/v1/savings/{iin}", "POST /lookup", "POST /api/v1/payouts",
           "GET /statement", "POST /office/persons")  # fmt: skip
LIMIT = 1000


def events(count: int) -> Iterator[tuple[str, str, str, str | None, int, str]]:
    """`count` events in the order of their moments, over `DAYS` days."""
    step = DAYS * 86400 / count
    for n in range(count):
        at = (FIRST + dt.timedelta(seconds=n * step)).isoformat()
        if n % 10_000 == 7:  # one in ten thousand
            actor = "staff:alice" if n % 20_000 == 7 else "staff:Иван"
        elif n % 3:
            actor = f"public:10.{n % 250}.{n % 199}.{n % 97}"
        else:
            actor = f"operator:Bank {n % 7}"
        iin = f"{n % 5_000_000:012d}" if n % 4 else None
        yield at, actor, ACTIONS[n % len(ACTIONS)], iin, 200, f"{n:032x}"


def fill(url: str, count: int) -> None:
    uow = open_unit_of_work(url)
    uow.schema.initialise()
    uow.serving.audit_events(iin=None, since=None, limit=1)  # made on first use
    uow.close()
    columns = "at, actor, action, iin, outcome, request_id"
    if url.startswith("sqlite"):
        import sqlite3

        serving = url.removeprefix("sqlite:///").removesuffix(".db") + "-serving.db"
        with sqlite3.connect(serving) as db:
            db.executemany(f"INSERT INTO audit_event ({columns}) VALUES (?, ?, ?, ?, ?, ?)",
                           events(count))  # fmt: skip
        db.close()
        return
    import psycopg

    with psycopg.connect(url) as db, db.cursor() as cursor:
        with cursor.copy(f"COPY serving.audit_event ({columns}) FROM STDIN") as copy:
            for row in events(count):
                copy.write_row(row)
        cursor.execute("ANALYZE serving.audit_event")


def searches() -> dict[str, dict[str, object]]:
    day = (FIRST + dt.timedelta(days=45)).date()
    last_week = (FIRST + dt.timedelta(days=DAYS - 7)).date()
    return {
        "newest": {},
        "rare actor (ASCII)": {"actor": "alice"},
        "rare actor (Cyrillic)": {"actor": "иван"},
        "common actor": {"actor": "bank 3"},
        "action": {"action": "payouts"},
        "rare actor, the last week": {"actor": "alice", "since": last_week},
        "one day": {"since": day, "until": day},
        "rare actor, one day": {"actor": "alice", "since": day, "until": day},
        "one person": {"iin": f"{123_457:012d}"},
    }


def timed(search: Callable[[], list[object]], rounds: int) -> dict[str, object]:
    seconds, found = [], 0
    for _ in range(rounds):
        started = time.perf_counter()
        found = len(search())
        seconds.append(time.perf_counter() - started)
    return {"median_s": round(statistics.median(seconds), 4), "found": found}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--events", type=int, default=3_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=HERE / "out")
    options = parser.parse_args()
    server = None
    if options.database == "sqlite":
        options.workdir.mkdir(parents=True, exist_ok=True)
        for old in options.workdir.glob("audit-search*.db*"):
            old.unlink()
        url = f"sqlite:///{options.workdir / 'audit-search.db'}"
    else:
        server = PostgresDatabases()
        server.create("audit_search")
        url = server.url("audit_search")
    try:
        started = time.perf_counter()
        fill(url, options.events)
        report: dict[str, object] = {
            "database": options.database, "events": options.events,
            "fill_s": round(time.perf_counter() - started, 1),
        }  # fmt: skip
        # The code before `until` was added searches only what it can.
        takes = inspect.signature(audit_events).parameters
        uow = open_unit_of_work(url)
        try:
            for name, filters in searches().items():
                if all(key in takes for key in filters):
                    report[name] = timed(
                        lambda f=filters: audit_events(uow, limit=LIMIT, **f),  # type: ignore[misc]
                        options.rounds,
                    )
        finally:
            uow.close()
        print(json.dumps(report, indent=1, ensure_ascii=False))
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()

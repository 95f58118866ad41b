"""HTTP benchmark of the public lookup: lookups per second with p50/p99 latency, against a
national-scale database.

The database is the one `urpaq demo --scale national` builds (7.5 million register
records, 2023–2025 closed); build it first (about ten minutes):

    .venv/bin/urpaq demo --scale national --db sqlite:///benchmarks/out/national.db \\
        --workdir benchmarks/out
    python benchmarks/lookups_http.py --db sqlite:///benchmarks/out/national.db

It starts `urpaq serve` in its own process twice — once with no minimum answer time (the
work a lookup costs) and once with the deployed minimum of 0.25 s (what a parent sees) —
and each time drives `POST /lookup` from a load generator in a second process: 80 % IINs
of participants drawn from the database, 20 % valid IINs of no participant.  `GET
/healthz` is measured beside them as the HTTP floor.  The per-client rate limit is lifted
for the run (one client sends everything).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from http_load import Request, medians, run_load, wait_for_server  # noqa: E402

URPAQ = [sys.executable, "-m", "urpaq"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def sample_iins(url: str, count: int) -> list[str]:
    """Participants' IINs from the database, and valid IINs of nobody in it."""
    from urpaq import bootstrap
    from urpaq.domain.iin import compose

    uow = bootstrap.open_unit_of_work(url)
    known = [
        str(row[0])
        for row in uow.db.query(
            "SELECT iin FROM person WHERE birth_year BETWEEN 2009 AND 2025"
            f" ORDER BY person_id LIMIT {count * 50}"
        )
    ]
    chosen = random.Random(7).sample(known, min(count * 4 // 5, len(known)))
    strangers: list[str] = []
    generator = random.Random(11)
    while len(strangers) < count - len(chosen):
        birth = dt.date(2010, 1, 1) + dt.timedelta(days=generator.randrange(5000))
        iin = compose(birth_date=birth, is_male=generator.random() < 0.5,
                      serial=9000 + generator.randrange(999))  # fmt: skip
        if iin is not None and uow.register.person_by_iin(iin.value) is None:
            strangers.append(iin.value)
    uow.close()
    mixed = chosen + strangers
    random.Random(3).shuffle(mixed)
    return mixed


def load(port: int, kind: str, count: int, concurrency: int, iins: list[str]) -> dict[str, object]:
    form = {"Content-Type": "application/x-www-form-urlencoded"}

    def make_request(index: int) -> Request:
        if kind == "healthz":
            return "GET", "/healthz", None, {}
        return "POST", "/lookup", urlencode({"iin": iins[index % len(iins)]}), form

    figures = run_load(port, make_request=make_request, count=count, concurrency=concurrency)
    return {"kind": kind, **figures}


def measure(url: str, *, floor: float, concurrency: int, count: int, rounds: int,
            iins: list[str]) -> dict[str, object]:  # fmt: skip
    port = free_port()
    server = subprocess.Popen(
        [*URPAQ, "serve", "--db", url, "--port", str(port), "--lookup-limit", "1000000000",
         "--lookup-refill", "0.001", "--lookup-floor", str(floor)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_server(port)
        # The first lookup after a start reads the closes; the first statistics request
        # would scan the register.  Warm the lookup path once before measuring.
        load(port, "lookup", 50, 4, iins)
        results: dict[str, list[dict[str, object]]] = {"healthz": [], "lookup": []}
        for number in range(rounds):
            for kind in results:
                job = {"port": port, "kind": kind, "count": count, "concurrency": concurrency,
                       "iins": iins}  # fmt: skip
                done = subprocess.run([sys.executable, __file__, "--load", json.dumps(job)],
                                      check=True, capture_output=True, text=True)  # fmt: skip
                figures = json.loads(done.stdout)
                results[kind].append(figures)
                print(f"floor {floor} s, round {number + 1} {kind}: "
                      f"{figures['per_second']:.0f}/s p50 {figures['p50_ms']:.1f} ms "
                      f"p99 {figures['p99_ms']:.1f} ms {figures['statuses']}",
                      file=sys.stderr)  # fmt: skip
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    summary: dict[str, object] = {"lookup_floor_seconds": floor, "concurrency": concurrency}
    summary.update(medians(results))
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite:///benchmarks/out/national.db")
    parser.add_argument("--requests", type=int, default=2000, help="requests per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--load", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.load:
        print(json.dumps(load(**json.loads(options.load))))
        return
    started = time.perf_counter()
    iins = sample_iins(options.db, 5000)
    print(f"{len(iins)} IINs sampled in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    report = {
        "database": options.db,
        "requests_per_round": options.requests,
        "rounds": options.rounds,
        "without_floor": measure(options.db, floor=0.0, concurrency=16, count=options.requests,
                                 rounds=options.rounds, iins=iins),
        "with_floor": measure(options.db, floor=0.25, concurrency=64, count=options.requests,
                              rounds=options.rounds, iins=iins),
    }  # fmt: skip
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

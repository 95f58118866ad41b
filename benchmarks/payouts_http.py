"""HTTP benchmark of the operators' API: payout requests per second, with p50/p99 latency.

Builds the small demo database (1:500 sample; its target savings holders are the ones
paid), registers an operator, starts `urpaq serve` in its own process, and drives it on
loopback from a load generator in a second process (threads with keep-alive connections,
each request with its own `Idempotency-Key`).  Side by side in the same run it measures
`GET /healthz` (the HTTP floor: no database) and `GET /api/v1/savings/{iin}` (a read and
its audit event).  Every payout is 0.01 to a random holder, so no balance runs out.

    python benchmarks/payouts_http.py                          # SQLite
    python benchmarks/payouts_http.py --database postgresql    # a PostgreSQL server of its own

The machine has two cores, shared by the server, the load generator and the database.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from http_load import Request, medians, run_load, wait_for_server  # noqa: E402

URPAQ = [sys.executable, "-m", "urpaq"]


def load(port: int, kind: str, count: int, concurrency: int, credential: str,
         holders: list[str]) -> dict[str, object]:  # fmt: skip
    """Send `count` requests of one kind; each payout with its own Idempotency-Key."""
    auth = {"Authorization": f"Bearer {credential}", "Content-Type": "application/json"}

    def make_request(index: int) -> Request:
        iin = random.choice(holders)
        if kind == "healthz":
            return "GET", "/healthz", None, {}
        if kind == "savings":
            return "GET", f"/api/v1/savings/{iin}", None, auth
        body = json.dumps({
            "iin": iin, "amount": "0.01", "currency": "USD", "purpose": "education",
            "sub_purpose": "tuition_period", "account": "KZ86125KZT5004100100",
        })  # fmt: skip
        return "POST", "/api/v1/payouts", body, {**auth, "Idempotency-Key": uuid.uuid4().hex}

    figures = run_load(port, make_request=make_request, count=count, concurrency=concurrency)
    return {"kind": kind, **figures}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare(url: str, workdir: Path) -> tuple[str, list[str]]:
    """The demo database, an operator's credential and the IINs of savings holders."""
    subprocess.run([*URPAQ, "demo", "--db", url, "--workdir", str(workdir)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    added = subprocess.run(
        [*URPAQ, "operator", "add", "Benchmark Bank", "--purposes", "housing,education",
         "--json", "--db", url],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    credential = json.loads(added.stdout)["credential"]
    from urpaq import bootstrap

    uow = bootstrap.open_unit_of_work(url)
    holders = [
        str(row[0])
        for row in uow.db.query(
            "SELECT person.iin FROM posting JOIN person ON person.person_id = posting.person_id"
            " WHERE posting.account = 'target_savings' GROUP BY person.iin"
            " HAVING SUM(posting.amount_cents) > 100"
        )
    ]
    uow.close()
    return credential, holders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--requests", type=int, default=2000, help="requests per round")
    parser.add_argument("--concurrency", type=int, default=16, help="connections at once")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--load", help=argparse.SUPPRESS)  # the load generator's own run
    options = parser.parse_args()
    if options.load:
        job = json.loads(options.load)
        print(json.dumps(load(**job)))
        return

    workdir = Path(tempfile.mkdtemp(prefix="urpaq-payouts-"))
    postgres = None
    if options.database == "sqlite":
        url = f"sqlite:///{workdir}/bench.db"
    else:
        sys.path.insert(0, str(HERE.parent / "tests"))
        from pg_server import TemporaryPostgres

        postgres = TemporaryPostgres().start(durable=True)
        url = postgres.url()
    server = None
    try:
        credential, holders = prepare(url, workdir)
        print(f"{len(holders)} savings holders in {url}", file=sys.stderr)
        port = free_port()
        log = open(workdir / "serve.log", "w")  # noqa: SIM115 — closed with the server
        server = subprocess.Popen([*URPAQ, "serve", "--db", url, "--port", str(port)],
                                  stderr=log, stdout=log)  # fmt: skip
        wait_for_server(port)
        results: dict[str, list[dict[str, object]]] = {"healthz": [], "savings": [], "payouts": []}
        for round_number in range(options.rounds):
            for kind in results:
                job = {"port": port, "kind": kind, "count": options.requests,
                       "concurrency": options.concurrency, "credential": credential,
                       "holders": holders}  # fmt: skip
                done = subprocess.run(
                    [sys.executable, __file__, "--load", json.dumps(job)],
                    check=True, capture_output=True, text=True,
                )  # fmt: skip
                results[kind].append(json.loads(done.stdout))
                figures = results[kind][-1]
                print(f"round {round_number + 1} {kind}: {figures['per_second']:.0f}/s "
                      f"p50 {figures['p50_ms']:.1f} ms p99 {figures['p99_ms']:.1f} ms "
                      f"{figures['statuses']}", file=sys.stderr)  # fmt: skip
        report = {
            "database": options.database,
            "requests_per_round": options.requests,
            "concurrency": options.concurrency,
            "rounds": options.rounds,
            "cores": os.cpu_count(),
        }
        report.update(medians(results))
        print(json.dumps(report, indent=2))
    finally:
        if server is not None:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
        if postgres is not None:
            postgres.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

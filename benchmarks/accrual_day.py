"""Accrual day: lookups and API reads while the register is imported and the year closed.

Builds a database of the synthetic national register (or a 1:N sample with `--divisor`),
imports it and closes 2023 and 2024; makes a second feed (a `data_updated` record for
every person: the size of the register again) and registers an operator.  Then, for 1
and for 2 server processes (`urpaq serve --workers N`, the lookups' minimum answer time
set to 0 and their allowance lifted), each on a fresh copy of that database, it measures
from a load generator in a process of its own:

1. the floor: `GET /healthz`;
2. idle: `POST /lookup` (participants and strangers), and `GET /api/v1/savings/{iin}`
   (holders of target savings);
3. the same lookups and reads, half and half, while `urpaq register import` takes the
   second feed, and then while `urpaq close 2025` runs — each in a process of its own,
   as the operator runs them;
4. on PostgreSQL, `POST /api/v1/payouts` (0.01 to a random holder each).

It prints, side by side, requests per second, p50, p99 and the slowest answer of each
phase, with the requests that got no answer, and writes the figures as JSON.

    python benchmarks/accrual_day.py                        # national, SQLite (long)
    python benchmarks/accrual_day.py --divisor 20           # a 1:20 sample
    python benchmarks/accrual_day.py --database postgresql --divisor 20

The machine has two cores, shared by the servers, the load generator, the import or the
close, and the database.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from http_load import Request, run_load_until, wait_for_server  # noqa: E402

URPAQ = [sys.executable, "-m", "urpaq"]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def build(url: str, workdir: Path, divisor: int) -> dict[str, object]:
    """The register imported and 2023–2024 closed; the second feed; an operator."""
    from urpaq import bootstrap
    from urpaq.demo import synthetic_register
    from urpaq.demo.demo import scaled_parameters
    from urpaq.services.closing import close_year
    from urpaq.services.parameters import set_parameters

    targets = (
        synthetic_register.NATIONAL if divisor == 1 else synthetic_register.scaled_targets(divisor)
    )
    feed = workdir / "register.csv"
    bootstrap.write_feed(feed, synthetic_register.generate(targets))
    subprocess.run([*URPAQ, "init", "--db", url], check=True, capture_output=True)
    subprocess.run([*URPAQ, "register", "import", str(feed), "--db", url, "--json"],
                   check=True, capture_output=True)  # fmt: skip
    uow = bootstrap.open_unit_of_work(url)
    today = synthetic_register.CLOSE_AS_OF[2023]
    set_parameters(uow, parameters=scaled_parameters(bootstrap.shipped_parameters(), targets),
                   today=today)  # fmt: skip
    for year in (2023, 2024):
        close_year(uow, year=year, as_of=synthetic_register.CLOSE_AS_OF[year])
    people = uow.db.query("SELECT iin, birth_year FROM person ORDER BY person_id")
    holders = [
        str(row[0])
        for row in uow.db.query(
            "SELECT p.iin FROM posting s JOIN person p ON p.person_id = s.person_id"
            " WHERE s.account = 'target_savings' GROUP BY p.iin"
        )
    ]
    uow.close()
    second = workdir / "second.csv"
    second.touch(mode=0o600)
    second.chmod(0o600)  # a register, synthetic or not, is its owner's alone
    with second.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "iin", "kind", "effective_date", "recorded_on", "region"])
        for number, (iin, _) in enumerate(people):
            writer.writerow([f"U{number}", iin, "data_updated", "2026-01-10", "2026-01-12",
                             "KZ-75"])  # fmt: skip
    added = subprocess.run(
        [*URPAQ, "operator", "add", "Benchmark Bank", "--purposes", "housing,education",
         "--json", "--db", url],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    children = [str(iin) for iin, born in people if int(born) >= 2009]
    sample = random.Random(7).sample(children, min(5000, len(children)))
    return {
        "credential": json.loads(added.stdout)["credential"],
        "lookups": sample,
        "holders": holders[:5000],
        "people": len(people),
        "second_feed": str(second),
    }


def load(port: int, kind: str, seconds: float, concurrency: int, stop_file: str,
         fixture_file: str) -> dict[str, object]:  # fmt: skip
    """The load generator's own process: one phase of requests until the time is up or
    the stop file appears."""
    fixture = json.loads(Path(fixture_file).read_text(encoding="utf-8"))
    lookups = list(fixture["lookups"])  # type: ignore[call-overload]
    holders = list(fixture["holders"])  # type: ignore[call-overload]
    bearer = {"Authorization": f"Bearer {fixture['credential']}"}
    pick = random.Random(port)

    def lookup(index: int) -> Request:
        return "POST", "/lookup", urlencode({"iin": lookups[index % len(lookups)]}), FORM

    def read(index: int) -> Request:
        return "GET", f"/api/v1/savings/{holders[index % len(holders)]}", None, bearer

    def payout(index: int) -> Request:
        body = {"iin": pick.choice(holders), "amount": "0.01", "currency": "USD",
                "purpose": "education", "sub_purpose": "tuition_period",
                "account": "KZ1"}  # fmt: skip
        headers = {**bearer, "Idempotency-Key": uuid.uuid4().hex,
                   "Content-Type": "application/json"}  # fmt: skip
        return "POST", "/api/v1/payouts", json.dumps(body), headers

    makers = {
        "healthz": lambda index: ("GET", "/healthz", None, {}),
        "lookups": lookup,
        "api_reads": read,
        "mixed": lambda index: lookup(index) if index % 2 else read(index),
        "payouts": payout,
    }
    deadline = time.monotonic() + seconds
    stop = Path(stop_file)
    return run_load_until(
        port, make_request=makers[kind], concurrency=concurrency,
        stop=lambda: time.monotonic() > deadline or stop.exists(),
    )  # fmt: skip


def phase(port: int, kind: str, *, seconds: float, concurrency: int, fixture: dict[str, object],
          workdir: Path, writer: list[str] | None = None) -> dict[str, object]:  # fmt: skip
    """One phase; with `writer`, the load runs exactly as long as that command does."""
    stop_file = workdir / f"stop-{uuid.uuid4().hex}"
    fixture_file = workdir / "fixture.json"
    if not fixture_file.exists():
        fixture_file.write_text(json.dumps(fixture), encoding="utf-8")
    job = {"port": port, "kind": kind, "seconds": seconds if writer is None else 3600,
           "concurrency": concurrency, "stop_file": str(stop_file),
           "fixture_file": str(fixture_file)}  # fmt: skip
    generator = subprocess.Popen([sys.executable, __file__, "--load", json.dumps(job)],
                                 stdout=subprocess.PIPE, text=True)  # fmt: skip
    writer_seconds = None
    if writer is not None:
        time.sleep(1)  # the load is running before the writer starts
        started = time.perf_counter()
        subprocess.run(writer, check=True, capture_output=True)
        writer_seconds = time.perf_counter() - started
        stop_file.touch()
    out, _ = generator.communicate(timeout=7200)
    figures: dict[str, object] = json.loads(out)
    figures["writer_seconds"] = writer_seconds
    return figures


def copy_database(url: str, prepared: str, workdir: Path, name: str) -> str:
    if prepared.startswith("sqlite"):
        source = Path(prepared.removeprefix("sqlite:///"))
        target = workdir / f"{name}.db"
        shutil.copy(source, target)
        return f"sqlite:///{target}"
    import psycopg

    base = prepared.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name} TEMPLATE {prepared.rsplit('/', 1)[1]}")
    return f"{base}/{name}"


def measure(url: str, *, workers: int, options: argparse.Namespace, fixture: dict[str, object],
            workdir: Path) -> dict[str, object]:  # fmt: skip
    port = free_port()
    log = open(workdir / f"serve-{workers}.log", "w")  # noqa: SIM115 — closed below
    server = subprocess.Popen(
        [*URPAQ, "serve", "--db", url, "--port", str(port), "--workers", str(workers),
         "--lookup-floor", "0", "--lookup-limit", "1000000000", "--lookup-refill", "0.001"],
        stdout=log, stderr=log,
    )  # fmt: skip
    figures: dict[str, object] = {}
    try:
        wait_for_server(port)
        common = {"seconds": options.seconds, "concurrency": options.concurrency,
                  "fixture": fixture, "workdir": workdir}  # fmt: skip
        phase(port, "mixed", **{**common, "seconds": 3})  # warm every worker
        for kind in ("healthz", "lookups", "api_reads"):
            figures[kind] = phase(port, kind, **common)
            report_line(workers, kind, figures[kind])
        figures["during_import"] = phase(
            port, "mixed", **common,
            writer=[*URPAQ, "register", "import", str(fixture["second_feed"]), "--db", url,
                    "--json"],
        )  # fmt: skip
        report_line(workers, "during_import", figures["during_import"])
        figures["during_close"] = phase(
            port, "mixed", **common,
            writer=[*URPAQ, "close", "2025", "--as-of", "2026-01-30", "--db", url, "--json"],
        )  # fmt: skip
        report_line(workers, "during_close", figures["during_close"])
        if url.startswith("postgresql"):
            figures["payouts"] = phase(port, "payouts", **common)
            report_line(workers, "payouts", figures["payouts"])
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
        log.close()
    return figures


def report_line(workers: int, kind: str, figures: dict[str, object]) -> None:
    print(f"{workers} process(es) {kind}: {figures['per_second']:.0f}/s p50 "
          f"{figures['p50_ms']:.1f} ms p99 {figures['p99_ms']:.1f} ms max "
          f"{figures['max_ms']:.0f} ms {figures['statuses']} no answer {figures['no_answer']}"
          + (f" (writer {figures['writer_seconds']:.1f} s)" if figures["writer_seconds"] else ""),
          file=sys.stderr)  # fmt: skip


def table(results: dict[int, dict[str, dict[str, object]]]) -> str:
    lines = [
        "processes  phase          req/s   share   p50 ms   p99 ms   max ms  no answer  writer s"
    ]
    for workers, phases in results.items():
        floor = float(str(phases["healthz"]["per_second"]))
        for kind, f in phases.items():
            writer = f.get("writer_seconds")
            lines.append(
                f"{workers:>9}  {kind:<13} {float(str(f['per_second'])):>6.0f}"
                f"  {float(str(f['per_second'])) / floor:>6.2f}  {float(str(f['p50_ms'])):>7.1f}"
                f"  {float(str(f['p99_ms'])):>7.1f}  {float(str(f['max_ms'])):>7.0f}"
                f"  {f['no_answer']!s:>9}  {'' if writer is None else f'{writer:.1f}':>8}"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--divisor", type=int, default=1, help="1: national; N: a 1:N sample")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--workers", default="1,2", help="server processes to measure")
    parser.add_argument("--seconds", type=float, default=10, help="length of an idle phase")
    parser.add_argument("--concurrency", type=int, default=8, help="connections at once")
    parser.add_argument("--load", help=argparse.SUPPRESS)  # the load generator's own run
    options = parser.parse_args()
    if options.load:
        print(json.dumps(load(**json.loads(options.load))))
        return
    workdir = Path(tempfile.mkdtemp(prefix="urpaq-accrual-day-"))
    postgres = None
    try:
        if options.database == "sqlite":
            prepared = f"sqlite:///{workdir}/prepared.db"
        else:
            sys.path.insert(0, str(HERE.parent / "tests"))
            from pg_server import TemporaryPostgres

            postgres = TemporaryPostgres().start(durable=True)
            prepared = postgres.create_database()
        started = time.perf_counter()
        fixture = build(prepared, workdir, options.divisor)
        print(f"built {fixture['people']:,} people in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)  # fmt: skip
        results = {}
        for workers in (int(n) for n in options.workers.split(",")):
            url = copy_database(prepared, prepared, workdir, f"run_{workers}")
            results[workers] = measure(url, workers=workers, options=options,
                                       fixture=fixture, workdir=workdir)  # fmt: skip
        print(table(results))
        report = {"database": options.database, "divisor": options.divisor,
                  "people": fixture["people"], "concurrency": options.concurrency,
                  "cores": os.cpu_count(), "date": dt.date.today().isoformat(),
                  "results": results}  # fmt: skip
        out = HERE / "out"
        out.mkdir(exist_ok=True)
        path = out / f"accrual-day-{options.database}-1-{options.divisor}.json"
        path.write_text(json.dumps(report, indent=2), encoding="utf-8")
        print(f"figures written to {path}", file=sys.stderr)
    finally:
        if postgres is not None:
            postgres.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

"""The register import against the floor of its database, measured side by side.

Generates the national synthetic register as a CSV feed (the demo's generator; a 1:N
sample with `--divisor N`) and a daily feed of 10,000 records (9,000 children born in
2026, 1,000 moves of people in the register).  Then, on each database, in turns:

- the floor: on SQLite, Python's `csv` reading the feed into a plain table of its six
  columns, in one transaction, without an index, on a connection with the store's own
  settings; on PostgreSQL, `COPY` of the same file into such a table;
- the import of the feed into an empty database, as `urpaq register import` runs it
  (inspection, reading, checks, writing), with the time it held the writer;
- the daily feed into an empty database and into the database holding the feed;
- the register sent again: the feed and the daily feed in one file, into a copy of the
  database holding the feed (every record but the day's is unchanged).

Every step runs in a process of its own, so each peak memory (maximum resident set size)
is that step's alone (on PostgreSQL the client's, not the server's).  Prints medians and
writes a JSON report to the work folder.

    python benchmarks/import.py --divisor 4                 # both databases, 1:4
    python benchmarks/import.py --database sqlite --divisor 20 --repeats 1
    python benchmarks/import.py --divisor 1 --repeats 1     # the national register

With PostgreSQL the script starts a server of its own, durable (fsync on), with the
settings of docs/operations.md, as `benchmarks/national_close.py` does.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from national_close import PostgresDatabases, SqliteFiles  # noqa: E402

DAILY_BIRTHS = 9_000
DAILY_MOVES = 1_000
TODAY = dt.date(2026, 11, 25)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step_import(url: str, feed_path: str) -> dict[str, object]:
    """Create the schema, then import the feed as the command does, timed whole."""
    from urpaq import bootstrap
    from urpaq.services.register_import import import_records

    uow = bootstrap.open_unit_of_work(url)
    uow.schema.initialise()
    path = Path(feed_path)
    marks: dict[str, float] = {}
    started = time.perf_counter()
    feed = bootstrap.inspect_feed(path)
    summary = import_records(
        uow,
        rows=bootstrap.read_feed(feed),
        source=path.name,
        sha256=feed.sha256,
        today=TODAY,
        on_step=lambda name: marks.setdefault(name, time.perf_counter()),
    )
    ended = time.perf_counter()
    uow.close()
    return {
        "seconds": ended - started,
        "staging_seconds": marks["checking"] - started,
        "checking_seconds": marks["applying"] - marks["checking"],
        "writer_seconds": ended - marks["applying"],
        "accepted": summary.accepted,
        "rejected": summary.rejected,
    }


def step_floor(url: str, feed_path: str) -> dict[str, object]:
    """Python's csv into a plain table of six columns, one transaction, no index."""
    from urpaq.adapters.sqlite.connection import connect

    columns = "record_id, iin, kind, effective_date, recorded_on, region"
    connection = connect(url.removeprefix("sqlite:///"))
    connection.execute(f"CREATE TABLE plain ({columns.replace(',', ' TEXT,')} TEXT)")
    started = time.perf_counter()
    with open(feed_path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(f"INSERT INTO plain ({columns}) VALUES (?, ?, ?, ?, ?, ?)", reader)
        connection.execute("COMMIT")
    seconds = time.perf_counter() - started
    connection.close()
    return {"seconds": seconds}


def step_copy(url: str, feed_path: str) -> dict[str, object]:
    """PostgreSQL's COPY of the feed file into a plain table of six columns."""
    import psycopg

    columns = "record_id, iin, kind, effective_date, recorded_on, region"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"CREATE TABLE plain ({columns.replace(',', ' TEXT,')} TEXT)")
        started = time.perf_counter()
        with (
            connection.transaction(),
            connection.cursor() as cursor,
            cursor.copy(f"COPY plain ({columns}) FROM STDIN (FORMAT csv, HEADER true)") as copy,
            open(feed_path, "rb") as handle,
        ):
            while block := handle.read(1 << 20):
                copy.write(block)
        seconds = time.perf_counter() - started
    return {"seconds": seconds}


STEPS = {"import": step_import, "floor": step_floor, "copy": step_copy}


def run_step(name: str, *args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "_step", name, *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"step {name} {args} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def write_daily_feed(path: Path, big_feed: Path) -> None:
    """9,000 children born in 2026 and 1,000 moves of people in the big feed."""
    from urpaq.adapters.feed import write_feed
    from urpaq.demo.synthetic_register import Generator

    generator = Generator(seed=2026)
    rows: list[dict[str, str]] = []
    for number in range(1, DAILY_BIRTHS + 1):
        birth = generator.birth_date(2026, month=1 + number % 10)
        iin = generator.iin(birth)
        rows.append(
            {
                "record_id": f"D{number:09d}",
                "iin": iin.value,
                "kind": "born_citizen",
                "effective_date": birth.isoformat(),
                "recorded_on": generator.on_time(birth).isoformat(),
                "region": generator.region(),
            }
        )
    with big_feed.open(encoding="utf-8", newline="") as handle:
        born = (r for r in csv.DictReader(handle) if r["kind"] == "born_citizen")
        for number, row in zip(range(1, DAILY_MOVES + 1), born, strict=False):
            rows.append(
                {
                    "record_id": f"M{number:09d}",
                    "iin": row["iin"],
                    "kind": "data_updated",
                    "effective_date": "2026-09-01",
                    "recorded_on": "2026-09-02",
                    "region": generator.region(),
                }
            )
    write_feed(path, iter(rows))


def write_sent_again(path: Path, feed: Path, daily: Path) -> None:
    """The whole feed again, followed by the daily feed's records (without its header)."""
    path.touch(mode=0o600)
    path.chmod(0o600)  # a register, synthetic or not, is its owner's alone
    with path.open("wb") as out:
        with feed.open("rb") as whole:
            while block := whole.read(1 << 20):
                out.write(block)
        with daily.open("rb") as day:
            day.readline()
            out.write(day.read())


def median(runs: list[dict[str, object]], key: str = "seconds") -> float:
    return statistics.median(float(run[key]) for run in runs)  # type: ignore[arg-type]


def peak(runs: list[dict[str, object]]) -> float:
    return max(float(run["peak_mib"]) for run in runs)  # type: ignore[arg-type]


def measure(
    database: str, feed: Path, daily: Path, again: Path, repeats: int, workdir: Path
) -> dict:
    databases = SqliteFiles(workdir) if database == "sqlite" else PostgresDatabases()
    fresh = databases.drop if database == "sqlite" else _recreate(databases)
    runs: dict[str, list[dict[str, object]]] = {
        "floor": [],
        "import": [],
        "daily_empty": [],
        "daily_big": [],
        "sent_again": [],
    }
    try:
        for repeat in range(repeats):
            fresh("floor")
            floor = "floor" if database == "sqlite" else "copy"
            runs["floor"].append(run_step(floor, databases.url("floor"), str(feed)))
            fresh("big")
            runs["import"].append(run_step("import", databases.url("big"), str(feed)))
            fresh("empty")
            runs["daily_empty"].append(run_step("import", databases.url("empty"), str(daily)))
            databases.copy("big", "trial")
            runs["daily_big"].append(run_step("import", databases.url("trial"), str(daily)))
            databases.copy("big", "trial")
            runs["sent_again"].append(run_step("import", databases.url("trial"), str(again)))
            print(f"{database} round {repeat + 1}: " + json.dumps(
                {name: round(float(r[-1]["seconds"]), 2) for name, r in runs.items() if r}
            ), file=sys.stderr)  # fmt: skip
    finally:
        databases.stop()
    return {name: steps for name, steps in runs.items() if steps}


def _recreate(databases: PostgresDatabases):  # type: ignore[no-untyped-def]
    def fresh(name: str) -> None:
        databases.drop(name)
        databases.create(name)
        # The step before (the floor's `COPY`: a gigabyte of write-ahead log) is written
        # out before this one is measured, as a copy of a database is.
        databases.checkpoint()

    return fresh


def report_rows(database: str, runs: dict, records: int) -> list[tuple[str, ...]]:
    floor = median(runs["floor"])
    how = "Python csv into a plain table" if database == "sqlite" else "COPY of the file"
    rows = [(database, f"floor: {how}", _runs(runs["floor"]), f"{floor:.2f}", "1",
             f"{peak(runs['floor']):.0f}", "")]  # fmt: skip
    for name, label in (
        ("import", f"import, {records:,} records, empty database"),
        ("daily_empty", "daily feed, 10,000 records, empty database"),
        ("daily_big", "daily feed, 10,000 records, the database above"),
        ("sent_again", "the feed sent again with the daily feed, the database above"),
    ):
        rows.append((database, label, _runs(runs[name]), f"{median(runs[name]):.2f}",
                     f"{median(runs[name]) / floor:.2f}", f"{peak(runs[name]):.0f}",
                     f"{median(runs[name], 'writer_seconds'):.2f}"))  # fmt: skip
    return rows


def _runs(steps: list[dict[str, object]]) -> str:
    return ", ".join(f"{float(s['seconds']):.2f}" for s in steps)  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--divisor", type=int, default=1, help="1: national; N: a 1:N sample")
    parser.add_argument("--repeats", type=int, default=3, help="rounds of every step")
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--workdir", type=Path, default=HERE / "out")
    parser.add_argument("--reuse", action="store_true", help="reuse the generated feeds")
    options = parser.parse_args()

    from urpaq.adapters.feed import write_feed
    from urpaq.demo import synthetic_register

    workdir: Path = options.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    targets = (
        synthetic_register.NATIONAL
        if options.divisor == 1
        else synthetic_register.scaled_targets(options.divisor)
    )
    feed = workdir / f"register-1-{options.divisor}.csv"
    daily = workdir / f"daily-1-{options.divisor}.csv"
    if not (options.reuse and feed.exists()):
        started = time.perf_counter()
        write_feed(feed, synthetic_register.generate(targets))
        print(f"generated {feed} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    if not (options.reuse and daily.exists()):
        write_daily_feed(daily, feed)
    again = workdir / f"again-1-{options.divisor}.csv"
    if not (options.reuse and again.exists()):
        write_sent_again(again, feed, daily)
    records = sum(1 for _ in feed.open("rb")) - 1
    databases = ["sqlite", "postgresql"] if options.database == "both" else [options.database]
    report: dict[str, object] = {"divisor": options.divisor, "records": records}
    rows: list[tuple[str, ...]] = []
    for database in databases:
        runs = measure(database, feed, daily, again, options.repeats, workdir)
        report[database] = runs
        rows.extend(report_rows(database, runs, records))
    name = f"import-{options.database}-1-{options.divisor}.json"
    (workdir / name).write_text(json.dumps(report, indent=2))

    print(f"\nregister import benchmark (divisor {options.divisor}, {options.repeats} rounds)")
    header = ("database", "step", "runs (s)", "median (s)", "÷ floor", "peak MiB", "writer (s)")
    print(" | ".join(header))
    for row in rows:
        print(" | ".join(row))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "_step":
        outcome = STEPS[sys.argv[2]](*sys.argv[3:])
        outcome["peak_mib"] = _peak_mib()
        print(json.dumps(outcome))
    else:
        main()

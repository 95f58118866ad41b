"""National-scale benchmark: import and each annual close, against the SQLite floor.

Builds the national synthetic register (6,919,131 participants in 2023, 6,918,656 in
2025), imports it, then closes 2023, 2024 and 2025, each several times from the same
starting database.  Side by side in the same run it measures the floor: the time SQLite
takes to bulk-insert one row per participant of that year.  Every step runs in its own
process, so peak memory is that step's own.  Prints medians and writes a JSON report.

    python benchmarks/national_close.py                 # the whole run
    python benchmarks/national_close.py --divisor 20    # a 1:20 sample, for a quick look
    python benchmarks/national_close.py --reuse         # keep the generated feed and import
    python benchmarks/national_close.py --database postgresql   # on a PostgreSQL server

With `--database postgresql` the script starts a PostgreSQL server of its own (the Debian
package's binaries, fsync on) in a temporary folder, and the floor is COPY of one row per
participant.  Peak memory is the client process's; the server's is not counted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step_import(url: str, feed_path: str, divisor: str) -> dict[str, object]:
    from urpaq import bootstrap
    from urpaq.demo import synthetic_register
    from urpaq.demo.demo import scaled_parameters
    from urpaq.services.parameters import set_parameters
    from urpaq.services.register_import import import_records

    uow = bootstrap.open_unit_of_work(url)
    uow.schema.initialise()
    feed = bootstrap.inspect_feed(Path(feed_path))
    started = time.perf_counter()
    summary = import_records(
        uow,
        rows=bootstrap.read_feed(feed),
        source=Path(feed_path).name,
        sha256=feed.sha256,
        today=dt.date.today(),
    )
    seconds = time.perf_counter() - started
    targets = (
        synthetic_register.NATIONAL
        if divisor == "1"
        else synthetic_register.scaled_targets(int(divisor))
    )
    parameters = scaled_parameters(bootstrap.shipped_parameters(), targets)
    set_parameters(uow, parameters=parameters, today=dt.date.today())
    uow.close()
    return {"seconds": seconds, "records": summary.accepted, "rejected": summary.rejected}


def step_close(url: str, year: str, as_of: str) -> dict[str, object]:
    from urpaq import bootstrap
    from urpaq.services.closing import close_year

    uow = bootstrap.open_unit_of_work(url)
    started = time.perf_counter()
    result = close_year(uow, year=int(year), as_of=dt.date.fromisoformat(as_of))
    seconds = time.perf_counter() - started
    uow.close()
    return {"seconds": seconds, "result": result.as_json()}


def step_floor(url: str, rows: str) -> dict[str, object]:
    """Bulk-load one row per participant, in one transaction, as urpaq connects."""
    count = int(rows)
    if url.startswith("sqlite"):
        from urpaq.adapters.sqlite.connection import connect

        connection = connect(url.removeprefix("sqlite:///"))
        connection.execute(
            "CREATE TABLE credit (person_id INTEGER NOT NULL, amount_cents INTEGER NOT NULL)"
        )
        started = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(
            "INSERT INTO credit (person_id, amount_cents) VALUES (?, ?)",
            ((person_id, 13071) for person_id in range(1, count + 1)),
        )
        connection.execute("COMMIT")
        seconds = time.perf_counter() - started
        connection.close()
        return {"seconds": seconds}
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS credit")
        connection.execute(
            "CREATE TABLE credit (person_id BIGINT NOT NULL, amount_cents BIGINT NOT NULL)"
        )
        started = time.perf_counter()
        with (
            connection.transaction(),
            connection.cursor() as cursor,
            cursor.copy("COPY credit (person_id, amount_cents) FROM STDIN") as copy,
        ):
            for person_id in range(1, count + 1):
                copy.write_row((person_id, 13071))
        seconds = time.perf_counter() - started
    return {"seconds": seconds}


STEPS = {"import": step_import, "close": step_close, "floor": step_floor}


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


class SqliteFiles:
    """Databases as files in the work folder."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir

    def url(self, name: str) -> str:
        return f"sqlite:///{self.workdir / name}.db"

    def exists(self, name: str) -> bool:
        return (self.workdir / f"{name}.db").exists()

    def drop(self, name: str) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.workdir / name}.db{suffix}").unlink(missing_ok=True)

    def copy(self, source: str, target: str) -> None:
        self.drop(target)
        shutil.copyfile(self.workdir / f"{source}.db", self.workdir / f"{target}.db")

    def stop(self) -> None:
        return None


class PostgresDatabases:
    """Databases on a PostgreSQL server of the benchmark's own; copies are templates."""

    def __init__(self) -> None:
        sys.path.insert(0, str(HERE.parent / "tests"))
        from pg_server import TemporaryPostgres

        self.server = TemporaryPostgres().start(durable=True)

    def url(self, name: str) -> str:
        return self.server.url(name)

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.server.url(), autocommit=True) as connection:
            connection.execute(sql)

    def exists(self, name: str) -> bool:
        return False  # a fresh server each run

    def drop(self, name: str) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {name}")

    def create(self, name: str) -> None:
        self._admin(f"CREATE DATABASE {name}")

    def copy(self, source: str, target: str) -> None:
        self.drop(target)
        self._admin(f"CREATE DATABASE {target} TEMPLATE {source}")
        # The copy goes through the write-ahead log (gigabytes for the national register).
        self.checkpoint()

    def checkpoint(self) -> None:
        """What was written so far written out now, not while the next step is measured."""
        self._admin("CHECKPOINT")

    def stop(self) -> None:
        self.server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--divisor", type=int, default=1, help="1: national; N: a 1:N sample")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each close and floor")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--workdir", type=Path, default=HERE / "out")
    parser.add_argument("--reuse", action="store_true", help="reuse the feed and imported database")
    options = parser.parse_args()

    from urpaq.bootstrap import write_feed
    from urpaq.demo import synthetic_register

    workdir: Path = options.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    targets = (
        synthetic_register.NATIONAL
        if options.divisor == 1
        else synthetic_register.scaled_targets(options.divisor)
    )
    feed = workdir / f"register-1-{options.divisor}.csv"
    databases = SqliteFiles(workdir) if options.database == "sqlite" else PostgresDatabases()
    imported = f"imported_1_{options.divisor}"
    report: dict[str, object] = {
        "database": options.database,
        "divisor": options.divisor,
        "repeats": options.repeats,
    }
    try:
        if not (options.reuse and feed.exists()):
            started = time.perf_counter()
            write_feed(feed, synthetic_register.generate(targets))
            report["generate_seconds"] = time.perf_counter() - started
            print(f"generated {feed} in {report['generate_seconds']:.1f} s", file=sys.stderr)
        if not (options.reuse and databases.exists(imported)):
            databases.drop(imported)
            if isinstance(databases, PostgresDatabases):
                databases.create(imported)
            report["import"] = run_step(
                "import", databases.url(imported), str(feed), str(options.divisor)
            )
            print(f"imported: {report['import']}", file=sys.stderr)

        current = imported
        closes = []
        for year, as_of in synthetic_register.CLOSE_AS_OF.items():
            trials, floors = [], []
            for _ in range(options.repeats):
                databases.copy(current, "trial")
                trials.append(
                    run_step("close", databases.url("trial"), str(year), as_of.isoformat())
                )
                participants = int(trials[-1]["result"]["participants"])  # type: ignore[index]
                databases.drop("floor")
                if isinstance(databases, PostgresDatabases):
                    databases.create("floor")
                floors.append(run_step("floor", databases.url("floor"), str(participants)))
            close_median = statistics.median(float(t["seconds"]) for t in trials)  # type: ignore[arg-type]
            floor_median = statistics.median(float(f["seconds"]) for f in floors)  # type: ignore[arg-type]
            entry = {
                "year": year,
                "participants": participants,
                "close_seconds": [t["seconds"] for t in trials],
                "close_median_seconds": close_median,
                "close_peak_mib": max(float(t["peak_mib"]) for t in trials),  # type: ignore[arg-type]
                "floor_seconds": [f["seconds"] for f in floors],
                "floor_median_seconds": floor_median,
                "floor_peak_mib": max(float(f["peak_mib"]) for f in floors),  # type: ignore[arg-type]
                "ratio": close_median / floor_median,
                "per_child": trials[-1]["result"]["per_child"],  # type: ignore[index]
            }
            closes.append(entry)
            print(
                f"close {year}: median {close_median:.2f} s, floor {floor_median:.2f} s, "
                f"ratio {entry['ratio']:.2f}",
                file=sys.stderr,
            )
            current = f"closed_{year}"
            databases.copy("trial", current)
        report["closes"] = closes
    finally:
        databases.stop()
    name = f"results-{options.database}-1-{options.divisor}.json"
    (workdir / name).write_text(json.dumps(report, indent=2))

    print(
        f"\nnational close benchmark on {options.database} "
        f"(divisor {options.divisor}, {options.repeats} runs each)"
    )
    if "import" in report:
        imp = report["import"]
        print(
            f"import: {imp['records']:,} records in {imp['seconds']:.1f} s, "  # type: ignore[index]
            f"peak {imp['peak_mib']:.0f} MiB"  # type: ignore[index]
        )
    columns = ("year", "participants", "per child", "close s", "floor s", "ratio", "peak MiB")
    widths = (6, 13, 10, 9, 9, 6, 9)
    print(" ".join(f"{name:>{width}}" for name, width in zip(columns, widths, strict=True)))
    for c in closes:
        print(
            f"{c['year']:>6} {c['participants']:>13,} {c['per_child']:>10} "
            f"{c['close_median_seconds']:>9.2f} {c['floor_median_seconds']:>9.2f} "
            f"{c['ratio']:>6.2f} {c['close_peak_mib']:>9.0f}"
        )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "_step":
        outcome = STEPS[sys.argv[2]](*sys.argv[3:])
        outcome["peak_mib"] = _peak_mib()
        print(json.dumps(outcome))
    else:
        main()

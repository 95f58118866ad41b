"""National-scale benchmark: import and each annual close, against the SQLite floor.

Builds the national synthetic register (6,919,131 participants in 2023, 6,918,656 in
2025), imports it, then closes 2023, 2024 and 2025, each several times from the same
starting database.  Side by side in the same run it measures the floor: the time SQLite
takes to bulk-insert one row per participant of that year.  Every step runs in its own
process, so peak memory is that step's own.  Prints medians and writes a JSON report.

    python benchmarks/national_close.py                 # the whole run
    python benchmarks/national_close.py --divisor 20    # a 1:20 sample, for a quick look
    python benchmarks/national_close.py --reuse         # keep the generated feed and import
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


def step_import(db: str, feed_path: str, divisor: str) -> dict[str, object]:
    from urpaq import bootstrap
    from urpaq.services import synthetic_register
    from urpaq.services.demo import scaled_parameters
    from urpaq.services.parameters import set_parameters
    from urpaq.services.register_import import import_records

    store = bootstrap.SqliteStore(db)
    store.initialise()
    feed = bootstrap.inspect_feed(Path(feed_path))
    started = time.perf_counter()
    summary = import_records(
        store,
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
    set_parameters(store, parameters=parameters, today=dt.date.today())
    store.close()
    return {"seconds": seconds, "records": summary.accepted, "rejected": summary.rejected}


def step_close(db: str, year: str, as_of: str) -> dict[str, object]:
    from urpaq import bootstrap
    from urpaq.services.closing import close_year

    store = bootstrap.SqliteStore(db)
    started = time.perf_counter()
    result = close_year(store, year=int(year), as_of=dt.date.fromisoformat(as_of))
    seconds = time.perf_counter() - started
    store.close()
    return {"seconds": seconds, "result": result.as_json()}


def step_floor(db: str, rows: str) -> dict[str, object]:
    """Bulk-insert one row per participant, in one transaction, as the store connects."""
    from urpaq.adapters.sqlite.store import connect

    connection = connect(db)
    connection.execute(
        "CREATE TABLE credit (person_id INTEGER NOT NULL, amount_cents INTEGER NOT NULL)"
    )
    started = time.perf_counter()
    connection.execute("BEGIN IMMEDIATE")
    connection.executemany(
        "INSERT INTO credit (person_id, amount_cents) VALUES (?, ?)",
        ((person_id, 13071) for person_id in range(1, int(rows) + 1)),
    )
    connection.execute("COMMIT")
    seconds = time.perf_counter() - started
    connection.close()
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


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def copy_database(source: Path, target: Path) -> None:
    remove_database(target)
    shutil.copyfile(source, target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--divisor", type=int, default=1, help="1: national; N: a 1:N sample")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each close and floor")
    parser.add_argument("--workdir", type=Path, default=HERE / "out")
    parser.add_argument("--reuse", action="store_true", help="reuse the feed and imported database")
    options = parser.parse_args()

    from urpaq.bootstrap import write_feed
    from urpaq.services import synthetic_register

    workdir: Path = options.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    targets = (
        synthetic_register.NATIONAL
        if options.divisor == 1
        else synthetic_register.scaled_targets(options.divisor)
    )
    feed = workdir / f"register-1-{options.divisor}.csv"
    imported = workdir / f"imported-1-{options.divisor}.db"
    report: dict[str, object] = {"divisor": options.divisor, "repeats": options.repeats}

    if not (options.reuse and feed.exists()):
        started = time.perf_counter()
        write_feed(feed, synthetic_register.generate(targets))
        report["generate_seconds"] = time.perf_counter() - started
        print(f"generated {feed} in {report['generate_seconds']:.1f} s", file=sys.stderr)
    if not (options.reuse and imported.exists()):
        remove_database(imported)
        report["import"] = run_step("import", str(imported), str(feed), str(options.divisor))
        print(f"imported: {report['import']}", file=sys.stderr)

    current = imported
    closes = []
    for year, as_of in synthetic_register.CLOSE_AS_OF.items():
        trials, floors = [], []
        trial_db = workdir / f"trial-{year}.db"
        floor_db = workdir / "floor.db"
        for _ in range(options.repeats):
            copy_database(current, trial_db)
            trials.append(run_step("close", str(trial_db), str(year), as_of.isoformat()))
            participants = int(trials[-1]["result"]["participants"])  # type: ignore[index]
            remove_database(floor_db)
            floors.append(run_step("floor", str(floor_db), str(participants)))
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
        current = workdir / f"closed-{year}.db"
        copy_database(trial_db, current)
    report["closes"] = closes
    (workdir / f"results-1-{options.divisor}.json").write_text(json.dumps(report, indent=2))

    print(f"\nnational close benchmark (divisor {options.divisor}, {options.repeats} runs each)")
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

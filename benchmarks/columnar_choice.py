"""The figures behind docs/decisions/0010: reading and checking a feed three ways.

On the same generated CSV feed, side by side, each in a process of its own:

- `python`: the per-row pass the import had — `csv` and `domain/register.py:
  parse_record` for every row (`services/register_import.py: staged_rows`);
- `pyarrow`: what the import does now — `adapters/feed.py: FeedReader.checked_batches`;
- `polars`: the same reading and checks written with polars expressions (a prototype
  kept here; skipped when polars is not installed — it is no dependency of urpaq).

Each also turns its checked rows into what the databases take: Python rows for SQLite's
`executemany`, CSV text for PostgreSQL's COPY.  Prints the median seconds and peak
memory of each.

    python benchmarks/columnar_choice.py --divisor 4 --repeats 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TODAY = dt.date(2026, 11, 25)
NAMES = ("record_id", "iin", "kind", "effective_date", "recorded_on", "region")


def run_python(path: Path) -> dict[str, float]:
    from urpaq.adapters.feed import inspect_feed, read_feed
    from urpaq.services.register_import import staged_rows

    started = time.perf_counter()
    rows = 0
    for _ in staged_rows(read_feed(inspect_feed(path)), today=TODAY):
        rows += 1
    return {"read_and_check": time.perf_counter() - started, "rows": rows}


def run_pyarrow(path: Path) -> dict[str, float]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from urpaq.adapters.feed import inspect_feed, read_feed

    started = time.perf_counter()
    tables = [b.table for b in read_feed(inspect_feed(path)).checked_batches(today=TODAY)]
    checked = time.perf_counter()
    rows = sum(len(list(zip(*(c.to_pylist() for c in t.columns), strict=True))) for t in tables)
    as_rows = time.perf_counter()
    for table in tables:
        sink = pa.BufferOutputStream()
        pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=False))
    return {
        "read_and_check": checked - started,
        "to_python_rows": as_rows - checked,
        "to_csv": time.perf_counter() - as_rows,
        "rows": rows,
    }


def _polars_checks(frame, today: dt.date):  # type: ignore[no-untyped-def]
    import polars as pl

    from urpaq.domain.regions import REGIONS
    from urpaq.domain.register import RecordKind

    def calendar(year, month, day):  # type: ignore[no-untyped-def]
        leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
        days = (
            pl.when(month.is_in([4, 6, 9, 11])).then(30)
            .when(month == 2).then(pl.when(leap).then(29).otherwise(28)).otherwise(31)
        )  # fmt: skip
        return (month >= 1) & (month <= 12) & (day >= 1) & (day <= days) & (year >= 1)

    text = {name: pl.col(name).str.strip_chars(" ") for name in NAMES}
    plain = pl.all_horizontal(
        [pl.col(n).fill_null("").str.contains(r"^[ -~]*$") for n in NAMES]
    )  # fmt: skip
    frame = frame.with_columns(plain.alias("plain"), *[text[n].alias(n) for n in NAMES])
    shaped = pl.col("iin").str.contains(r"^[0-9]{12}$")
    number = pl.when(shaped).then(pl.col("iin")).otherwise(pl.lit("000000100000"))
    frame = frame.with_columns(shaped.alias("shaped"), number.str.to_integer().alias("n"))
    digit = [(pl.col("n") // 10 ** (11 - k)) % 10 for k in range(12)]
    first = sum((digit[k] * (k + 1) for k in range(11)), pl.lit(0)) % 11
    weights = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
    second = sum((digit[k] * weights[k] for k in range(11)), pl.lit(0)) % 11
    check = pl.when(first == 10).then(second).otherwise(first)
    century = pl.when(digit[6] <= 2).then(1800).when(digit[6] <= 4).then(1900).otherwise(2000)
    year = century + digit[0] * 10 + digit[1]
    month, day = digit[2] * 10 + digit[3], digit[4] * 10 + digit[5]
    frame = frame.with_columns(
        (pl.col("shaped") & (digit[6] >= 1) & (digit[6] <= 6) & calendar(year, month, day)
         & (check != 10) & (check == digit[11])).alias("iin_ok"),
        (year * 10000 + month * 100 + day).alias("birth"),
    )  # fmt: skip
    for name in ("effective_date", "recorded_on"):
        shaped_date = pl.col(name).str.contains(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
        value = pl.when(shaped_date).then(pl.col(name)).otherwise(pl.lit("2000-01-01"))
        value = value.str.replace_all("-", "").str.to_integer()
        frame = frame.with_columns(value.alias(f"{name}_n"), shaped_date.alias(f"{name}_ok"))
    effective, recorded = pl.col("effective_date_n"), pl.col("recorded_on_n")
    region = pl.when(pl.col("region").fill_null("") == "").then(None).otherwise(pl.col("region"))
    upper = region.str.to_uppercase()
    by_name = {name.casefold(): code for code, name in REGIONS.items()}
    code = (
        pl.when(upper.is_in(list(REGIONS))).then(upper)
        .when(("KZ-" + upper).is_in(list(REGIONS))).then("KZ-" + upper)
        .otherwise(region.str.to_lowercase().replace_strict(by_name, default=None))
    )  # fmt: skip
    ymd = today.year * 10000 + today.month * 100 + today.day
    valid = (
        pl.col("plain") & pl.col("record_id").str.len_chars().is_between(1, 64) & pl.col("iin_ok")
        & pl.col("kind").is_in([k.value for k in RecordKind])
        & pl.col("effective_date_ok") & pl.col("recorded_on_ok")
        & calendar(effective // 10000, effective // 100 % 100, effective % 100)
        & calendar(recorded // 10000, recorded // 100 % 100, recorded % 100)
        & (recorded >= effective) & (recorded <= ymd) & (effective >= pl.col("birth"))
        & ((pl.col("kind") != "born_citizen") | (effective == pl.col("birth")))
        & (region.is_null() | code.is_not_null())
    )  # fmt: skip
    return frame.with_columns(code.alias("region"), valid.alias("valid"))


def run_polars(path: Path) -> dict[str, float]:
    import polars as pl

    started = time.perf_counter()
    frames = []
    with path.open("rb") as handle:
        handle.readline()
        while block := handle.read(8 << 20):
            block += handle.readline()
            lines = pl.Series("line", [block.decode().rstrip("\n")]).str.split("\n").explode()
            fields = pl.DataFrame({"f": lines.str.split(",")})
            fields = fields.filter(pl.col("f").list.len() == len(NAMES))
            frame = fields.select([pl.col("f").list.get(i).alias(n) for i, n in enumerate(NAMES)])
            frames.append(_polars_checks(frame, TODAY).select([*NAMES, "valid"]))
    checked = time.perf_counter()
    rows = sum(len(frame.rows()) for frame in frames)
    as_rows = time.perf_counter()
    for frame in frames:
        frame.write_csv(include_header=False)
    return {
        "read_and_check": checked - started,
        "to_python_rows": as_rows - checked,
        "to_csv": time.perf_counter() - as_rows,
        "rows": rows,
    }


WAYS = {"python": run_python, "pyarrow": run_pyarrow, "polars": run_polars}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--divisor", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=HERE / "out")
    options = parser.parse_args()
    feed = options.workdir / f"register-1-{options.divisor}.csv"
    if not feed.exists():
        from urpaq.adapters.feed import write_feed
        from urpaq.demo import synthetic_register

        write_feed(
            feed, synthetic_register.generate(synthetic_register.scaled_targets(options.divisor))
        )
    runs: dict[str, list[dict[str, float]]] = {way: [] for way in WAYS}
    for _ in range(options.repeats):
        for way in WAYS:
            done = subprocess.run(
                [sys.executable, __file__, "_way", way, str(feed)],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            if done.returncode == 0:
                runs[way].append(json.loads(done.stdout.strip().splitlines()[-1]))
            else:
                print(f"{way}: {done.stderr.strip().splitlines()[-1]}", file=sys.stderr)
    print(f"reading and checking {feed.name} ({options.repeats} runs, medians)")
    print("way | read and check (s) | to Python rows (s) | to CSV (s) | peak MiB")
    for way, results in runs.items():
        if not results:
            print(f"{way} | not installed |  |  |")
            continue
        cells = [
            f"{statistics.median(r[key] for r in results):.2f}" if key in results[0] else "—"
            for key in ("read_and_check", "to_python_rows", "to_csv")
        ]
        peak = max(r["peak_mib"] for r in results)
        print(f"{way} | {' | '.join(cells)} | {peak:.0f}")


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[1] == "_way":
        outcome = WAYS[sys.argv[2]](Path(sys.argv[3]))
        outcome["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(outcome))
    else:
        main()

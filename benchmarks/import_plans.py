"""Does an import read the whole register?  The query plan of each statement, checked.

Runs an import of FEED into the database at URL as `urpaq register import` does, but
asks the database for the plan of every statement first, and prints each statement with
the steps of its plan that read a register table (`person`, `register_record`) whole: on
SQLite a SCAN of one of them, on PostgreSQL a scan estimated at more than 50,000 rows.
The import is rolled back at the end: the database is left as it was.

    python benchmarks/import_plans.py --db sqlite:///benchmarks/out/big.db --feed daily.csv

Meant for a large database and a small feed (`benchmarks/import.py` makes both): a
daily feed must cost what the feed holds, not what the register holds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path
from typing import Any

from urpaq import bootstrap

ROWS_MAX = 50_000


def whole_reads(plan: list[str], *, postgres: bool) -> list[str]:
    """The steps of a plan that read a register table whole."""
    if postgres:  # a scan right under a Limit (MAX, EXISTS) stops at its first rows
        return [
            step
            for above, step in zip(["", *plan], plan, strict=False)
            if (found := re.search(r"Scan.* on (register_record|person)\b.*rows=(\d+)", step))
            and int(found.group(2)) > ROWS_MAX
            and "Limit" not in above
        ]
    return [
        step
        for step in plan
        if re.search(r"\bSCAN (register_record|person|r|p)\b", step) and "CONSTANT" not in step
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="the database URL")
    parser.add_argument("--feed", type=Path, required=True, help="the feed to import")
    options = parser.parse_args()
    uow = bootstrap.open_unit_of_work(options.db)
    db: Any = uow.db  # type: ignore[attr-defined]
    postgres = options.db.startswith("postgres")
    execute = db.execute
    found = 0

    def explained(sql: str, params: Any = None) -> Any:
        nonlocal found
        text = sql.strip()
        body = re.sub(r"^CREATE TEMP TABLE \w+ AS", "", text)
        if re.match(r"\s*(UPDATE|INSERT|SELECT)", body):
            query = ("EXPLAIN " if postgres else "EXPLAIN QUERY PLAN ") + body
            plan = [str(row[-1]) for row in execute(query, params).fetchall()]
            reads = whole_reads(plan, postgres=postgres)
            found += bool(reads)
            print(("WHOLE " if reads else "ok    ") + " ".join(text.split())[:100])
            for step in reads:
                print("        " + step.strip())
        return execute(sql, params)

    db.execute = explained
    feed = bootstrap.inspect_feed(options.feed)
    today = dt.date.today()
    for batch in bootstrap.read_feed(feed).checked_batches(today=today):
        uow.register.stage(batch)
    uow.register.check_staged()
    with uow:
        uow.register.apply_staged(
            source=options.feed.name, sha256="plan " + feed.sha256, today=today
        )
        uow.rollback()
    uow.register.discard_staged()
    uow.close()
    print(f"\n{found} statement(s) whose plan reads a register table whole")


if __name__ == "__main__":
    main()

"""A seeded simulation of three programme years with faults injected.

The same register is run twice: once cleanly, once with crashes inside imports and
closes (an exception at a random point of the transaction), files delivered twice, a
close attempted out of order and a file that is not a feed.  Each failed operation is
retried.  The faulty run must end exactly where the clean run ends, with every identity
holding — on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from urpaq.adapters.feed import FeedUnreadable, inspect_feed, read_feed, write_feed
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.bootstrap import open_unit_of_work, shipped_parameters
from urpaq.demo import synthetic_register
from urpaq.demo.demo import scaled_parameters
from urpaq.domain.close import CloseRefused
from urpaq.services.closing import close_year
from urpaq.services.parameters import set_parameters
from urpaq.services.reconciliation import reconcile
from urpaq.services.register_import import import_records

TODAY = dt.date(2026, 11, 22)
DIVISOR = 2000


class Crash(Exception):
    """A fault injected inside a transaction."""


def split_by_close(folder: Path) -> list[Path]:
    """The synthetic register as three deliveries: what each close's as-of date had seen."""
    targets = synthetic_register.scaled_targets(DIVISOR)
    deadlines = list(synthetic_register.CLOSE_AS_OF.values())
    parts: list[list[dict[str, str]]] = [[], [], [], []]
    for row in synthetic_register.generate(targets, seed=7):
        recorded = dt.date.fromisoformat(row["recorded_on"])
        parts[sum(recorded > deadline for deadline in deadlines)].append(row)
    paths = []
    for index, rows in enumerate(parts):
        path = folder / f"delivery-{index}.csv"
        write_feed(path, iter(rows))
        paths.append(path)
    return paths


def deliver(uow: SqlUnitOfWork, path: Path, *, crash_after_chunks: int | None = None) -> None:
    feed = inspect_feed(path)
    seen = 0

    def on_chunk(count: int) -> None:
        nonlocal seen
        seen += 1
        if crash_after_chunks is not None and seen > crash_after_chunks:
            raise Crash(f"import of {path.name} crashed after chunk {seen}")

    import_records(
        uow, rows=read_feed(feed), source=path.name, sha256=feed.sha256, today=TODAY,
        on_chunk=on_chunk,
    )  # fmt: skip


def run_programme(
    uow: SqlUnitOfWork, deliveries: list[Path], faults: random.Random | None
) -> Iterator[str]:
    """Deliver, close, repeat; with `faults`, crash and retry on the way. Yields what happened."""
    set_parameters(
        uow,
        parameters=scaled_parameters(
            shipped_parameters(), synthetic_register.scaled_targets(DIVISOR)
        ),
        today=TODAY,
    )
    for index, (year, as_of) in enumerate(synthetic_register.CLOSE_AS_OF.items()):
        path = deliveries[index]
        if faults is not None:
            with pytest.raises(Crash):
                deliver(uow, path, crash_after_chunks=0)
            yield f"import of {path.name} crashed and was rolled back"
            bogus = path.with_suffix(".broken.csv")
            bogus.write_text("this is not a register feed\n", encoding="utf-8")
            with pytest.raises(FeedUnreadable):
                deliver(uow, bogus)
            yield f"{bogus.name} refused whole"
            with pytest.raises(CloseRefused, match="cannot be closed before"):
                close_year(uow, year=year + 1, as_of=as_of)
            yield f"close {year + 1} refused before {year}"
        deliver(uow, path)
        if faults is not None:
            deliver(uow, path)  # delivered twice: a no-op
            step = faults.choice(
                ["counting participants", "computing amounts", "writing the ledger", "committing"]
            )

            def crash_at(name: str, step: str = step, year: int = year) -> None:
                if name == step:
                    raise Crash(f"close {year} crashed at {step}")

            with pytest.raises(Crash):
                close_year(uow, year=year, as_of=as_of, progress=crash_at)
            yield f"close {year} crashed at {step!r} and was rolled back"
        close_year(uow, year=year, as_of=as_of)
    deliver(uow, deliveries[3])  # what arrived after the last close waits for the next


def outcome(uow: SqlUnitOfWork) -> list[dict[str, object]]:
    return [record.result.as_json() for record in uow.closes.closed_years()]


@pytest.mark.parametrize("seed", [1, 2])
def test_faulty_years_end_where_clean_years_end(
    seed: int, new_database: Callable[[], str], tmp_path: Path
) -> None:
    """Crashes, repeats and refusals along three years change nothing in the end."""
    deliveries = split_by_close(tmp_path)
    clean = open_unit_of_work(new_database())
    clean.schema.initialise()
    list(run_programme(clean, deliveries, faults=None))
    faulty = open_unit_of_work(new_database())
    faulty.schema.initialise()
    events = list(run_programme(faulty, deliveries, faults=random.Random(seed)))

    assert len(events) == 12
    assert outcome(faulty) == outcome(clean)
    assert [r["per_child"] for r in outcome(faulty)] == ["100.52", "129.38", "130.71"]
    tables = ("register_record", "person", "rejected_record", "posting", "journal_entry")
    for table in tables:
        assert faulty.db.scalar(f"SELECT COUNT(*) FROM {table}") == clean.db.scalar(
            f"SELECT COUNT(*) FROM {table}"
        )
    assert all(check.holds for check in reconcile(faulty))
    clean.close()
    faulty.close()


def test_a_year_published_after_the_demos_register_is_left_out_of_its_inputs() -> None:
    """The shipped file gains a year each January: the demo closes 2023–2025 and has no
    participants of a later year to scale its total by (once a `KeyError` that ended
    `make demo` in a traceback)."""
    from urpaq.domain.money import Money
    from urpaq.domain.parameters import YearParameters

    later = YearParameters(2026, Money(91_234_567_800), Decimal("0.0301"), "a later decree")
    targets = synthetic_register.scaled_targets(DIVISOR)
    scaled = scaled_parameters([*shipped_parameters(), later], targets)
    assert [item.year for item in scaled] == sorted(synthetic_register.CLOSE_AS_OF)
    national = scaled_parameters([*shipped_parameters(), later], synthetic_register.NATIONAL)
    assert national == [p for p in shipped_parameters() if p.year in synthetic_register.CLOSE_AS_OF]

"""The demonstration: a synthetic register, imported and closed for 2023–2025."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from urpaq.demo import synthetic_register
from urpaq.domain.close import CloseResult
from urpaq.domain.money import Money
from urpaq.domain.parameters import YearParameters
from urpaq.services.closing import close_year
from urpaq.services.parameters import set_parameters
from urpaq.services.ports.unit_of_work import UnitOfWork
from urpaq.services.reconciliation import reconcile

SMALL_DIVISOR = 500


class Scale(enum.StrEnum):
    SMALL = "small"
    NATIONAL = "national"


@dataclass(frozen=True, slots=True)
class DemoReport:
    scale: Scale
    records: int
    results: list[CloseResult]
    reconciled: bool
    notes: list[str]

    def as_json(self) -> dict[str, object]:
        return {
            "scale": self.scale.value,
            "records": self.records,
            "closes": [r.as_json() for r in self.results],
            "reconciled": self.reconciled,
        }


def targets_for(scale: Scale) -> synthetic_register.Targets:
    if scale is Scale.NATIONAL:
        return synthetic_register.NATIONAL
    return synthetic_register.scaled_targets(SMALL_DIVISOR)


def scaled_parameters(
    published: Sequence[YearParameters], targets: synthetic_register.Targets
) -> list[YearParameters]:
    """The published inputs, with each TR total scaled to the register's participants.

    At national scale this is the published total itself; on a sample it is the total
    that gives each child of the sample what the published total gives each child.
    """
    national = synthetic_register.NATIONAL.participants
    scaled = []
    for item in published:
        count = targets.participants[item.year]
        if count == national[item.year]:
            scaled.append(item)
            continue
        exact = Decimal(item.tr_total.cents) * count / national[item.year]
        total = Money(int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)))
        reference = f"{item.reference}; scaled to a sample of {count:,} participants"
        scaled.append(YearParameters(item.year, total, item.ii_rate, reference))
    return scaled


def run_demo(
    uow: UnitOfWork,
    *,
    scale: Scale,
    published: Sequence[YearParameters],
    feed_path: Path,
    write_feed: Callable[[Path, Iterator[dict[str, str]]], None],
    import_feed: Callable[[Path], int],
    progress: Callable[[str], None],
) -> DemoReport:
    """Generate, import, set parameters, close 2023–2025 each as of its real day, reconcile."""
    targets = targets_for(scale)
    progress(f"generating the register into {feed_path}")
    write_feed(feed_path, synthetic_register.generate(targets))
    progress("importing the register")
    records = import_feed(feed_path)
    parameters = scaled_parameters(published, targets)
    set_parameters(uow, parameters=parameters, today=synthetic_register.CLOSE_AS_OF[2023])
    results = []
    for year, as_of in synthetic_register.CLOSE_AS_OF.items():
        progress(f"closing {year} as of {as_of}")
        results.append(close_year(uow, year=year, as_of=as_of))
    progress("reconciling")
    checks = reconcile(uow)
    reconciled = all(c.holds for c in checks)
    notes = [
        f"register: {records:,} records in {feed_path}",
        f"reconcile: {sum(c.holds for c in checks)} of {len(checks)} identities hold",
    ]
    if scale is Scale.SMALL:
        notes.append(
            f"TR totals scaled to this sample (1:{SMALL_DIVISOR} of the nation); "
            "`--scale national` uses the published totals"
        )
    return DemoReport(scale, records, results, reconciled, notes)

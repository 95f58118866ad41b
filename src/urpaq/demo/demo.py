"""The demonstration: a synthetic register, imported and closed for 2023–2025."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from urpaq.demo import synthetic_register
from urpaq.demo.residence import PUBLISHED_CLOSE, RegionTarget
from urpaq.domain.close import CloseResult
from urpaq.domain.money import Money
from urpaq.domain.parameters import YearParameters
from urpaq.domain.regions import REGIONS
from urpaq.services.closing import close_year
from urpaq.services.parameters import set_parameters
from urpaq.services.ports.unit_of_work import UnitOfWork
from urpaq.services.reconciliation import reconcile
from urpaq.services.statistics import region_statistics

SMALL_DIVISOR = 500


class Scale(enum.StrEnum):
    SMALL = "small"
    NATIONAL = "national"


@dataclass(frozen=True, slots=True)
class RegionCheck:
    """One region's figures of the 2023 close against its target (at national scale the
    published figures)."""

    region: str
    participants: int
    turning_18: int
    accrued: Money
    target: RegionTarget
    per_child: Money

    @property
    def holds(self) -> bool:
        return (self.participants, self.turning_18, self.accrued) == (
            self.target.participants,
            self.target.maturing,
            self.per_child.times(self.target.participants),
        )

    def as_json(self) -> dict[str, object]:
        return {
            "region": self.region,
            "participants": self.participants,
            "turning_18": self.turning_18,
            "accrued": str(self.accrued),
            "as_targeted": self.holds,
        }

    def note(self, scale: Scale) -> str:
        name = f"{REGIONS[self.region]} ({self.region})"
        figures = (
            f"{self.participants:,} participants, {self.turning_18:,} turning 18,"
            f" {self.accrued.grouped()} USD accrued"
        )
        if not self.holds:
            return f"2023 close, {name}: {figures}, NOT the target {self.target}"
        if scale is Scale.NATIONAL:
            return f"2023 close, {name}: {figures} (as published)"
        return f"2023 close, {name}: {figures} (the published figures scaled to the sample)"


@dataclass(frozen=True, slots=True)
class DemoReport:
    scale: Scale
    records: int
    results: list[CloseResult]
    reconciled: bool
    notes: list[str]
    regions: list[RegionCheck] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "scale": self.scale.value,
            "records": self.records,
            "closes": [r.as_json() for r in self.results],
            "reconciled": self.reconciled,
            "regions_2023": [r.as_json() for r in self.regions],
        }


def targets_for(scale: Scale) -> synthetic_register.Targets:
    if scale is Scale.NATIONAL:
        return synthetic_register.NATIONAL
    return synthetic_register.scaled_targets(SMALL_DIVISOR)


def scaled_parameters(
    published: Sequence[YearParameters], targets: synthetic_register.Targets
) -> list[YearParameters]:
    """The published inputs of the years the register is closed for, with each TR total
    scaled to the register's participants.

    At national scale this is the published total itself; on a sample it is the total
    that gives each child of the sample what the published total gives each child.  A
    year published later (the shipped file grows each year) is not the demo's: it has no
    participants to scale by, and is left out.
    """
    national = synthetic_register.NATIONAL.participants
    scaled = []
    for item in published:
        if item.year not in targets.participants:
            continue
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
    progress("counting the 2023 close by region")
    regions = region_checks(uow, targets)
    notes = [
        f"register: {records:,} records in {feed_path}",
        f"reconcile: {sum(c.holds for c in checks)} of {len(checks)} identities hold",
        *(region.note(scale) for region in regions),
    ]
    if scale is Scale.SMALL:
        notes.append(
            f"TR totals scaled to this sample (1:{SMALL_DIVISOR} of the nation); "
            "`--scale national` uses the published totals"
        )
    return DemoReport(scale, records, results, reconciled, notes, regions)


def region_checks(uow: UnitOfWork, targets: synthetic_register.Targets) -> list[RegionCheck]:
    """The 2023 close's figures of each region with a target (every figure shown)."""
    found = region_statistics(uow, year=PUBLISHED_CLOSE, hide_small_cells=False)
    rows = {record["region"]: record for record in found.table.records()}
    checks = []
    for region, target in targets.regions.items():
        row = rows.get(region, {})
        participants, turning, accrued = (
            row.get("participants", 0),
            row.get("turning_18", 0),
            row.get("accrued", Money(0)),
        )
        assert isinstance(participants, int) and isinstance(turning, int)
        assert isinstance(accrued, Money)
        checks.append(RegionCheck(region, participants, turning, accrued, target, found.per_child))
    return checks

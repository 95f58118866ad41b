"""A realistic synthetic population register for demonstrations and benchmarks.

Birth cohorts from 2006 on in Kazakhstan's proportions, the regions with published
figures at those figures and the others in proportion to their populations, sexes as the
IIN encodes them, and the events that make the rules
matter: children recorded years late, citizenship acquired after birth, lost, renounced
and re-acquired, deaths, court declarations of death, annulled records and moves between
regions.

The counts are designed, not sampled: the people with events are placed first, and then
as many ordinary children per birth year are added as make the participant counts of
2023–2025 equal the targets — at national scale the published counts.  The events come
in balanced pairs (a child recorded late for every participant who leaves, in the same
entry-year class), so what returns to each pot equals what is paid from it and the
published per-child amounts are reproduced exactly.  The ordinary children's regions are
allotted so that the regions with a target have their published counts at the 2023 close
(`residence.py`).

A sample (`scaled_targets`) divides every national count by the same number and rounds
it: the sample meets its own targets exactly, and the published figures are met exactly
only at national scale.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from urpaq.demo.residence import (
    PUBLISHED_2023,
    PUBLISHED_CLOSE,
    RegionDraw,
    RegionTarget,
    region_quotas,
)
from urpaq.domain.iin import Iin, compose
from urpaq.domain.participation import Fact, View, is_maturing, participation_in
from urpaq.domain.regions import REGIONS
from urpaq.domain.register import RecordKind

#: Live births in Kazakhstan by year, in thousands (Bureau of National Statistics,
#: rounded); the weights of the ordinary cohorts.
BIRTHS_THOUSANDS = {
    2006: 301.8,
    2007: 321.9,
    2008: 356.6,
    2009: 357.5,
    2010: 367.8,
    2011: 372.5,
    2012: 381.2,
    2013: 387.2,
    2014: 399.4,
    2015: 402.0,
    2016: 400.7,
    2017: 390.3,
    2018: 397.8,
    2019: 403.1,
    2020: 426.8,
    2021: 446.9,
    2022: 403.7,
    2023: 388.3,
    2024: 364.4,
    2025: 350.0,
}

#: Population by region in thousands (2024, rounded): the weights of residence.
POPULATION_THOUSANDS = {
    "KZ-10": 603,
    "KZ-11": 786,
    "KZ-15": 927,
    "KZ-19": 1527,
    "KZ-23": 700,
    "KZ-27": 693,
    "KZ-31": 1215,
    "KZ-33": 697,
    "KZ-35": 1134,
    "KZ-39": 826,
    "KZ-43": 839,
    "KZ-47": 791,
    "KZ-55": 751,
    "KZ-59": 528,
    "KZ-61": 2134,
    "KZ-62": 221,
    "KZ-63": 727,
    "KZ-71": 1423,
    "KZ-75": 2291,
    "KZ-79": 1239,
}
assert set(POPULATION_THOUSANDS) == set(REGIONS)

#: The day each close was run, seeing what the register had recorded by then.
CLOSE_AS_OF = {
    2023: dt.date(2024, 1, 31),
    2024: dt.date(2025, 1, 31),
    2025: dt.date(2026, 1, 30),
}


@dataclass(frozen=True, slots=True)
class Targets:
    """Participant counts the register must produce at the closes of 2023–2025."""

    participants: dict[int, int]
    maturing: dict[int, int]  # participants of the year born 17 years before it
    pairs: int  # how many people per kind of event
    #: Per region, the participants of the 2023 close living there and those maturing.
    regions: dict[str, RegionTarget] = field(default_factory=dict)


NATIONAL = Targets(
    participants={2023: 6_919_131, 2024: 6_869_686, 2025: 6_918_656},
    maturing={2023: 304_815, 2025: 356_613},
    pairs=300,
    regions=PUBLISHED_2023,
)


def scaled_targets(divisor: int) -> Targets:
    """The national targets divided by `divisor` (a sample of the nation), each rounded."""
    return Targets(
        participants={y: round(n / divisor) for y, n in NATIONAL.participants.items()},
        maturing={y: round(n / divisor) for y, n in NATIONAL.maturing.items()},
        pairs=2,
        regions={
            region: RegionTarget(round(t.participants / divisor), round(t.maturing / divisor))
            for region, t in NATIONAL.regions.items()
        },
    )


@dataclass(frozen=True, slots=True)
class Event:
    kind: RecordKind
    effective: dt.date
    recorded: dt.date
    region: str | None = None


@dataclass(slots=True)
class Person:
    birth_date: dt.date
    events: list[Event] = field(default_factory=list)


# Each scenario: birth year, then events as (kind, effective, recorded) with dates given
# as (year, month) — the day is drawn.  "birth" stands for the birth date, "on time" for
# a few days after the effective date.
DateSpec = str | tuple[int, int]
SCENARIOS: dict[str, tuple[int | tuple[int, int], list[tuple[RecordKind, DateSpec, DateSpec]]]] = {
    # Pot of 2024: six ways to leave class 2023 …
    "died_2024": (
        2016,
        [(RecordKind.BORN_CITIZEN, "birth", "on time"), (RecordKind.DIED, (2024, 3), "on time")],
    ),
    "declared_dead_2024": (
        2013,
        [
            (RecordKind.BORN_CITIZEN, "birth", "on time"),
            (RecordKind.DECLARED_DEAD, (2024, 5), "on time"),
        ],
    ),
    "lost_2024": (
        2011,
        [
            (RecordKind.BORN_CITIZEN, "birth", "on time"),
            (RecordKind.CITIZENSHIP_LOST, (2024, 4), "on time"),
        ],
    ),
    "renounced_2024": (
        2014,
        [
            (RecordKind.BORN_CITIZEN, "birth", "on time"),
            (RecordKind.CITIZENSHIP_RENOUNCED, (2024, 7), "on time"),
        ],
    ),
    "annulled_2024": (
        2017,
        [
            (RecordKind.BORN_CITIZEN, "birth", "on time"),
            (RecordKind.RECORD_ANNULLED, (2024, 2), "on time"),
        ],
    ),
    "lost_2024_reacquired_2025": (
        2012,
        [
            (RecordKind.BORN_CITIZEN, "birth", "on time"),
            (RecordKind.CITIZENSHIP_LOST, (2024, 4), "on time"),
            (RecordKind.CITIZENSHIP_ACQUIRED, (2025, 2), "on time"),
        ],
    ),
    # … and as many children of class 2023 recorded late, paid back in full in 2024.
    "recorded_late_2024": (2015, [(RecordKind.BORN_CITIZEN, "birth", (2024, 6))]),
    # Pot of 2025: three ways to leave class 2023, one to leave class 2024 …
    "died_2025": (
        2017,
        [(RecordKind.BORN_CITIZEN, "birth", "on time"), (RecordKind.DIED, (2025, 3), "on time")],
    ),
    "lost_2025": (
        2010,
        [
            (RecordKind.BORN_CITIZEN, "birth", "on time"),
            (RecordKind.CITIZENSHIP_LOST, (2025, 6), "on time"),
        ],
    ),
    "annulled_2025": (
        2016,
        [
            (RecordKind.BORN_CITIZEN, "birth", "on time"),
            (RecordKind.RECORD_ANNULLED, (2025, 5), "on time"),
        ],
    ),
    "born_2024_died_2025": (
        (2024, 2),
        [(RecordKind.BORN_CITIZEN, "birth", "on time"), (RecordKind.DIED, (2025, 6), "on time")],
    ),
    # … and as many of each class recorded late, paid back in 2025.
    "recorded_late_2025": (2018, [(RecordKind.BORN_CITIZEN, "birth", (2025, 4))]),
    "born_2024_recorded_late_2025": ((2024, 3), [(RecordKind.BORN_CITIZEN, "birth", (2025, 3))]),
    # Citizenship acquired after birth: new classes, nothing owed for earlier years.
    "acquired_2024": (2012, [(RecordKind.CITIZENSHIP_ACQUIRED, (2024, 5), "on time")]),
    "acquired_2025": (2010, [(RecordKind.CITIZENSHIP_ACQUIRED, (2025, 7), "on time")]),
    # Events that change nothing owed: a child who died before any close, a move.
    "born_2025_died_2025": (
        (2025, 1),
        [(RecordKind.BORN_CITIZEN, "birth", "on time"), (RecordKind.DIED, (2025, 5), "on time")],
    ),
    "moved_2024": (
        2019,
        [
            (RecordKind.BORN_CITIZEN, "birth", "on time"),
            (RecordKind.DATA_UPDATED, (2024, 9), "on time"),
        ],
    ),
}

#: How many people per scenario, in units of `Targets.pairs`: every return to a pot is
#: matched by a back-accrual of the same class.
MULTIPLES = {
    "died_2024": 1,
    "declared_dead_2024": 1,
    "lost_2024": 1,
    "renounced_2024": 1,
    "annulled_2024": 1,
    "lost_2024_reacquired_2025": 1,
    "recorded_late_2024": 6,
    "died_2025": 1,
    "lost_2025": 1,
    "annulled_2025": 1,
    "recorded_late_2025": 3,
    "born_2024_died_2025": 1,
    "born_2024_recorded_late_2025": 1,
    "acquired_2024": 2,
    "acquired_2025": 2,
    "born_2025_died_2025": 1,
    "moved_2024": 3,
}


class Generator:
    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.serials: dict[tuple[dt.date, bool], int] = {}
        self.regions = list(POPULATION_THOUSANDS)
        self.region_weights = list(POPULATION_THOUSANDS.values())
        self.record_number = 0

    def birth_date(self, year: int, month: int | None = None) -> dt.date:
        if month is None:
            start = dt.date(year, 1, 1)
            return start + dt.timedelta(
                days=self.random.randrange((dt.date(year, 12, 31) - start).days + 1)
            )
        return dt.date(year, month, self.random.randint(1, 28))

    def iin(self, birth_date: dt.date) -> Iin:
        is_male = self.random.random() < 0.513
        key = (birth_date, is_male)
        while True:
            serial = self.serials.get(key, 0) + 1
            self.serials[key] = serial
            assert serial <= 9999, f"no serial left for {birth_date}"
            iin = compose(birth_date=birth_date, is_male=is_male, serial=serial)
            if iin is not None:
                return iin

    def day_in(self, year: int, month: int) -> dt.date:
        return dt.date(year, month, self.random.randint(1, 28))

    def region(self) -> str:
        return self.random.choices(self.regions, self.region_weights)[0]

    def on_time(self, effective: dt.date) -> dt.date:
        return effective + dt.timedelta(days=self.random.randint(1, 20))

    def scenario_person(self, name: str) -> Person:
        born, steps = SCENARIOS[name]
        birth = self.birth_date(*born) if isinstance(born, tuple) else self.birth_date(born)
        person = Person(birth)
        for kind, effective_spec, recorded_spec in steps:
            if isinstance(effective_spec, tuple):
                effective = self.day_in(*effective_spec)
            else:
                assert effective_spec == "birth"
                effective = birth
            if isinstance(recorded_spec, tuple):
                recorded = self.day_in(*recorded_spec)
            else:
                assert recorded_spec == "on time"
                recorded = self.on_time(effective)
            region = (
                self.region()
                if kind
                in (
                    RecordKind.BORN_CITIZEN,
                    RecordKind.CITIZENSHIP_ACQUIRED,
                    RecordKind.DATA_UPDATED,
                )
                else None
            )
            person.events.append(Event(kind, effective, recorded, region))
        return person

    def rows(self, person: Person) -> Iterator[dict[str, str]]:
        iin = self.iin(person.birth_date)
        for event in person.events:
            self.record_number += 1
            yield {
                "record_id": f"R{self.record_number:09d}",
                "iin": iin.value,
                "kind": event.kind.value,
                "effective_date": event.effective.isoformat(),
                "recorded_on": event.recorded.isoformat(),
                "region": event.region or "",
            }


def _counts(person: Person) -> tuple[dict[int, int], dict[int, int]]:
    """In which closes the person participates, and in which they mature."""
    facts = [Fact(e.kind, e.effective, e.recorded, 1) for e in person.events]
    participates: dict[int, int] = {}
    matures: dict[int, int] = {}
    for year, as_of in CLOSE_AS_OF.items():
        standing = participation_in(
            year, birth_date=person.birth_date, facts=facts, view=View(as_of, watermark=1)
        )
        if standing.is_participant:
            participates[year] = 1
            if is_maturing(person.birth_date.year, year=year):
                matures[year] = 1
    return participates, matures


def ordinary_cohorts(targets: Targets, special: list[Person]) -> dict[int, int]:
    """How many ordinary children per birth year make the participant counts the targets."""
    extra = {year: 0 for year in CLOSE_AS_OF}
    extra_maturing = {year: 0 for year in CLOSE_AS_OF}
    for person in special:
        participates, matures = _counts(person)
        for year in participates:
            extra[year] += 1
        for year in matures:
            extra_maturing[year] += 1
    cohorts = {
        2006: targets.maturing[2023] - extra_maturing[2023],
        2008: targets.maturing[2025] - extra_maturing[2025],
    }
    # The 2023 participants other than the two fixed cohorts, spread by births.
    free_years = [2007, *range(2009, 2024)]
    remaining = targets.participants[2023] - extra[2023] - cohorts[2006] - cohorts[2008]
    weight_total = sum(BIRTHS_THOUSANDS[y] for y in free_years)
    shares = {y: remaining * BIRTHS_THOUSANDS[y] / weight_total for y in free_years}
    for year in free_years:
        cohorts[year] = int(shares[year])
    by_remainder = sorted(free_years, key=lambda y: shares[y] - int(shares[y]), reverse=True)
    for year in by_remainder[: remaining - sum(cohorts[y] for y in free_years)]:
        cohorts[year] += 1
    cohorts[2024] = (
        targets.participants[2024] - extra[2024] - sum(cohorts[y] for y in range(2007, 2024))
    )
    cohorts[2025] = (
        targets.participants[2025] - extra[2025] - sum(cohorts[y] for y in range(2008, 2025))
    )
    assert all(n > 0 for n in cohorts.values()), f"targets give an empty cohort: {cohorts}"
    return dict(sorted(cohorts.items()))


def region_seen(person: Person, *, as_of: dt.date) -> str | None:
    """The region a close's view on `as_of` saw for a person: the one on their latest
    record recorded by then that names a region (by effective date, then the order of the
    records), as the statistics count it (`adapters/sql/standing.py: region_seen_sql`).  A
    move recorded after the close is not where the close saw them."""
    named = [
        (e.effective, order, e.region)
        for order, e in enumerate(person.events)
        if e.region and e.recorded <= as_of
    ]
    return max(named)[2] if named else None


def residents(special: list[Person]) -> tuple[Counter[str | None], Counter[str | None]]:
    """Per region, the people with events who participate in the published close, and
    those of them who mature at it, where the close saw them."""
    participating: Counter[str | None] = Counter()
    maturing: Counter[str | None] = Counter()
    as_of = CLOSE_AS_OF[PUBLISHED_CLOSE]
    for person in special:
        participates, matures = _counts(person)
        if PUBLISHED_CLOSE in participates:
            participating[region_seen(person, as_of=as_of)] += 1
        if PUBLISHED_CLOSE in matures:
            maturing[region_seen(person, as_of=as_of)] += 1
    return participating, maturing


def generate(targets: Targets, *, seed: int = 2023) -> Iterator[dict[str, str]]:
    """The register feed rows, people with events first, then the ordinary children."""
    generator = Generator(seed)
    special = [
        generator.scenario_person(name)
        for name, multiple in MULTIPLES.items()
        for _ in range(multiple * targets.pairs)
    ]
    cohorts = ordinary_cohorts(targets, special)
    participating, maturing = residents(special)
    quotas = region_quotas(
        targets.regions, cohorts, residents=participating, maturing_residents=maturing
    )
    others = {r: n for r, n in POPULATION_THOUSANDS.items() if r not in targets.regions}
    for person in special:
        yield from generator.rows(person)
    for year, count in cohorts.items():
        regions = RegionDraw(generator.random, size=count, quota=quotas[year], others=others)
        for _ in range(count):
            birth = generator.birth_date(year)
            recorded = generator.on_time(birth)
            event = Event(RecordKind.BORN_CITIZEN, birth, recorded, regions.draw())
            yield from generator.rows(Person(birth, [event]))

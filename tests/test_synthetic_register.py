"""The synthetic register reproduces the published regional figures of the 2023 close:
exactly at national scale, and each sample its own rounded share of them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections import Counter

import pytest

from urpaq.demo import synthetic_register
from urpaq.demo.residence import MATURING_COHORT, PUBLISHED_2023, PUBLISHED_CLOSE, region_quotas
from urpaq.domain.iin import Iin
from urpaq.domain.participation import Fact, View, is_maturing, participation_in
from urpaq.domain.register import RecordKind


def regional_counts(targets: synthetic_register.Targets) -> tuple[Counter[str], Counter[str]]:
    """Per region (where the close saw them: the latest record recorded by its day that
    names one), the participants of the 2023 close in the generated register and those
    turning 18 in 2024, by the domain's own rule."""
    view = View(synthetic_register.CLOSE_AS_OF[PUBLISHED_CLOSE], watermark=1)
    participants: Counter[str] = Counter()
    maturing: Counter[str] = Counter()
    for iin, grouped in itertools.groupby(synthetic_register.generate(targets), lambda r: r["iin"]):
        rows = list(grouped)
        born = Iin.parse(iin).birth_date
        facts = [
            Fact(RecordKind(row["kind"]), dt.date.fromisoformat(row["effective_date"]),
                 dt.date.fromisoformat(row["recorded_on"]), 1)
            for row in rows
        ]  # fmt: skip
        if participation_in(
            PUBLISHED_CLOSE, birth_date=born, facts=facts, view=view
        ).is_participant:
            named = [(row["effective_date"], order, row["region"])
                     for order, row in enumerate(rows)
                     if row["region"] and dt.date.fromisoformat(row["recorded_on"]) <= view.as_of
                     ]  # fmt: skip
            region = max(named)[2]
            participants[region] += 1
            maturing[region] += is_maturing(born.year, year=PUBLISHED_CLOSE)
    return participants, maturing


@pytest.mark.parametrize("divisor", [500, 2000])
def test_a_sample_has_its_share_of_the_published_regional_figures_exactly(divisor: int) -> None:
    """At 1:500 and 1:2000 each region with a published figure has that figure divided
    and rounded — exactly; rounding is why the published figures themselves are exact
    only at national scale.  The national participant counts stay as they were."""
    targets = synthetic_register.scaled_targets(divisor)
    participants, maturing = regional_counts(targets)
    for region, published in PUBLISHED_2023.items():
        assert participants[region] == round(published.participants / divisor), region
        assert maturing[region] == round(published.maturing / divisor), region
    assert sum(participants.values()) == targets.participants[PUBLISHED_CLOSE]
    assert sum(maturing.values()) == targets.maturing[PUBLISHED_CLOSE]


def test_the_national_register_is_allotted_the_published_regional_figures() -> None:
    """At national scale, the ordinary children allotted to each region and the people
    with events living there add up to the published participants of the 2023 close and
    the cohort turning 18 in 2024 (the allotment alone: generating 7.5 million records is
    the national demo's job)."""
    targets = synthetic_register.NATIONAL
    generator = synthetic_register.Generator(2023)
    special = [
        generator.scenario_person(name)
        for name, multiple in synthetic_register.MULTIPLES.items()
        for _ in range(multiple * targets.pairs)
    ]
    cohorts = synthetic_register.ordinary_cohorts(targets, special)
    living, maturing = synthetic_register.residents(special)
    quotas = region_quotas(targets.regions, cohorts, residents=living, maturing_residents=maturing)
    counted = range(MATURING_COHORT, PUBLISHED_CLOSE + 1)
    assert targets.regions == PUBLISHED_2023
    for region, published in PUBLISHED_2023.items():
        ordinary = sum(quotas[year][region] for year in counted)
        assert ordinary + living[region] == published.participants, region
        assert quotas[MATURING_COHORT][region] + maturing[region] == published.maturing, region
    assert all(sum(quotas[year].values()) <= cohorts[year] for year in cohorts)


def test_people_who_moved_after_the_close_count_where_the_close_saw_them() -> None:
    """As many people with events as at national scale (among them 900 who move in
    2024, after the 2023 close's day) on a 1:50 sample: the regions with a published figure
    still have their share, counted where the close saw each person (the national demo
    was 21 participants off in Almaty city when the allotment used the region after the
    move)."""
    targets = dataclasses.replace(
        synthetic_register.scaled_targets(50), pairs=synthetic_register.NATIONAL.pairs
    )
    participants, maturing = regional_counts(targets)
    for region, published in PUBLISHED_2023.items():
        assert participants[region] == round(published.participants / 50), region
        assert maturing[region] == round(published.maturing / 50), region

"""Where the synthetic register's children live.

The regional figures published for the 2023 close (programme.md, "Published figures by
region") are reproduced exactly.  For each region with a target, the ordinary children
(those with a birth record only) are allotted to it by cohort: with the people with
events who live there (where the 2023 close saw them: the region on their latest record
recorded by its day that names one, a later move aside), as many participate in the
2023 close and as many of them were born in 2006 — the cohort turning 18 in 2024 — as
the targets say.  The 2006 cohort takes the maturing target; the rest is spread over the
cohorts born 2007–2023 in proportion to their sizes, and the cohorts born later (who are
not participants of 2023) follow the same shares.  Every other child lives in one of the
regions without a target, drawn in proportion to its population.  Which children of a
cohort are allotted is random, so the regions are mixed through the register as they
would be.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping
from dataclasses import dataclass

from urpaq.domain.participation import AGE_SPAN_YEARS

#: The close whose regional figures are published, and the cohort that matures at it.
PUBLISHED_CLOSE = 2023
MATURING_COHORT = PUBLISHED_CLOSE - AGE_SPAN_YEARS


@dataclass(frozen=True, slots=True)
class RegionTarget:
    """The participants of the 2023 close who live in one region, and how many of them
    were born in 2006 (turning 18 in 2024)."""

    participants: int
    maturing: int


#: UAPF's published figures of the 2023 close (programme.md).
PUBLISHED_2023 = {
    "KZ-61": RegionTarget(participants=922_841, maturing=41_968),  # Turkestan region
    "KZ-75": RegionTarget(participants=666_443, maturing=26_621),  # Almaty city
    "KZ-19": RegionTarget(participants=608_711, maturing=26_802),  # Almaty region
}


def region_quotas(
    targets: Mapping[str, RegionTarget],
    cohorts: Mapping[int, int],
    *,
    residents: Mapping[str | None, int],
    maturing_residents: Mapping[str | None, int],
) -> dict[int, dict[str, int]]:
    """For each birth year of the ordinary children, how many of them live in each region
    with a target.  `residents` are the people with events who participate in the 2023
    close, per region; `maturing_residents` those of them born in 2006."""
    spread_years = [year for year in cohorts if MATURING_COHORT < year <= PUBLISHED_CLOSE]
    spread_total = sum(cohorts[year] for year in spread_years)
    quotas: dict[int, dict[str, int]] = {year: {} for year in cohorts}
    for region, target in targets.items():
        maturing = target.maturing - maturing_residents.get(region, 0)
        others = target.participants - residents.get(region, 0) - maturing
        assert maturing >= 0 and others >= 0, f"the targets of {region} are below its residents"
        quotas[MATURING_COHORT][region] = maturing
        spread = _largest_remainder(others, {year: cohorts[year] for year in spread_years})
        for year in cohorts:
            if year in spread:
                quotas[year][region] = spread[year]
            elif year > PUBLISHED_CLOSE:  # not counted in 2023: the same share
                quotas[year][region] = cohorts[year] * others // spread_total
    for year, quota in quotas.items():
        assert sum(quota.values()) <= cohorts[year], f"the regions' targets exceed cohort {year}"
    return quotas


def _largest_remainder(total: int, weights: Mapping[int, int]) -> dict[int, int]:
    """`total` split in proportion to `weights`, in whole numbers that add up to it."""
    weight_total = sum(weights.values())
    shares = {key: total * weight // weight_total for key, weight in weights.items()}
    by_remainder = sorted(weights, key=lambda key: (-(total * weights[key] % weight_total), key))
    for key in by_remainder[: total - sum(shares.values())]:
        shares[key] += 1
    return shares


class RegionDraw:
    """The regions of one cohort's ordinary children, one child at a time: exactly
    `quota` of each region with a target, in random order, and the rest among `others`
    in proportion to their `weights`."""

    def __init__(
        self,
        rng: random.Random,
        *,
        size: int,
        quota: Mapping[str, int],
        others: Mapping[str, int],
    ) -> None:
        self.random = rng
        self.remaining = size
        self.left = dict(quota)
        self.others = list(others)
        self.cumulative = list(itertools.accumulate(others.values()))

    def draw(self) -> str:
        assert self.remaining > 0, "more children drawn than the cohort has"
        pick = self.random.randrange(self.remaining)
        self.remaining -= 1
        for region, left in self.left.items():
            if pick < left:
                self.left[region] = left - 1
                return region
            pick -= left
        return self.random.choices(self.others, cum_weights=self.cumulative)[0]

"""Read a parameters file: the National Bank's inputs per reporting year, in TOML.

[[year]]
year = 2025
tr_total = "904372119.04"     # USD, at most two decimals
ii_rate = "0.0297000"         # decimal fraction, or "2.97%"
reference = "National Bank letter …"
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from urpaq.domain.money import InvalidAmount, Money
from urpaq.domain.parameters import (
    InvalidParameters,
    YearParameters,
    check_reference_length,
    parse_rate,
)


def shipped_parameters_text() -> str:
    """The parameters file that ships with urpaq: the published values for 2023–2025."""
    return resources.files("urpaq.data").joinpath("parameters.toml").read_text(encoding="utf-8")


def read_parameters(path: Path) -> list[YearParameters]:
    if not path.is_file():
        raise InvalidParameters(f"parameters file {str(path)!r} does not exist")
    # A byte-order mark, which some editors write, is read past, as in a register feed.
    return parse_parameters(path.read_text(encoding="utf-8-sig"), source=path.name)


def parse_parameters(text: str, *, source: str) -> list[YearParameters]:
    """Every year of a parameters file; raise `InvalidParameters` naming the bad value."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidParameters(f"{source}: not valid TOML: {error}") from None
    entries = data.get("year")
    if not isinstance(entries, list) or not entries:
        raise InvalidParameters(f"{source}: no [[year]] tables")
    years: list[YearParameters] = []
    for index, entry in enumerate(entries, 1):
        where = f"{source} [[year]] #{index}"
        for name in ("year", "tr_total", "ii_rate", "reference"):
            if name not in entry:
                raise InvalidParameters(f"{where}: missing {name}")
        if not isinstance(entry["year"], int):
            raise InvalidParameters(f"{where}: year {entry['year']!r} is not a whole number")
        for name in ("tr_total", "ii_rate"):
            if not isinstance(entry[name], str):
                raise InvalidParameters(
                    f"{where}: {name} {entry[name]!r} must be quoted text, so that no "
                    "binary fraction creeps in"
                )
        try:
            tr_total = Money.parse(entry["tr_total"])
        except InvalidAmount as error:
            raise InvalidParameters(f"{where}: {error}") from None
        try:
            check_reference_length(str(entry["reference"]))
        except InvalidParameters as error:
            raise InvalidParameters(f"{where}: {error}") from None
        years.append(
            YearParameters(
                year=entry["year"],
                tr_total=tr_total,
                ii_rate=parse_rate(entry["ii_rate"]),
                reference=str(entry["reference"]),
            )
        )
    seen = [p.year for p in years]
    if len(set(seen)) != len(seen):
        raise InvalidParameters(f"{source}: a year appears twice: {seen}")
    return years

"""Read a parameters file: the National Bank's inputs per reporting year, in TOML.

[[year]]
year = 2025
tr_total = "904372119.04"     # USD, at most two decimals
ii_rate = "0.0297000"         # decimal fraction, or "2.97%"
reference = "National Bank letter …"
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from decimal import Decimal
from importlib import resources
from pathlib import Path

from urpaq.domain.money import InvalidAmount, Money
from urpaq.domain.parameters import (
    InvalidParameters,
    YearParameters,
    check_reference_length,
    parse_rate,
    year_problems,
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
    problems: list[str] = []  # each refused item, where it is and why
    for index, entry in enumerate(entries, 1):
        where = f"{source} [[year]] #{index}"
        parameters, found = _year(entry, where=where)
        problems += found
        if parameters is not None:
            years.append(parameters)
    seen = [e.get("year") for e in entries if isinstance(e, dict) and type(e.get("year")) is int]
    if len(set(seen)) != len(seen):
        problems.append(f"{source}: a year appears twice: {seen}")
    if problems:
        raise InvalidParameters("; ".join(problems))
    return years


def _year(entry: object, *, where: str) -> tuple[YearParameters | None, list[str]]:
    """One `[[year]]` table's inputs, or every field of it refused, each named."""
    if not isinstance(entry, dict):
        return None, [f"{where}: is not a table"]
    problems: list[str] = []
    missing = [name for name in ("year", "tr_total", "ii_rate", "reference") if name not in entry]
    if missing:
        problems.append(f"{where}: missing {', '.join(missing)}")
    year = entry.get("year")
    if "year" in entry and (not isinstance(year, int) or isinstance(year, bool)):
        problems.append(f"{where}: year {year!r} is not a whole number")
        year = None
    read: dict[str, object] = {}
    readers: tuple[tuple[str, Callable[[str], object]], ...] = (
        ("tr_total", Money.parse), ("ii_rate", parse_rate), ("reference", _reference),
    )  # fmt: skip
    for name, reader in readers:
        value = entry.get(name)
        if name in entry and not isinstance(value, str):
            problems.append(
                f"{where}: {name} {value!r} must be quoted text"
                + (", so that no binary fraction creeps in" if name != "reference" else "")
            )
        elif isinstance(value, str):
            try:
                read[name] = reader(value)
            except (InvalidAmount, InvalidParameters) as error:
                problems.append(f"{where}: {error}")
    tr_total, ii_rate, reference = (read.get(n) for n in ("tr_total", "ii_rate", "reference"))
    assert tr_total is None or isinstance(tr_total, Money)
    assert ii_rate is None or isinstance(ii_rate, Decimal)
    assert reference is None or isinstance(reference, str)
    problems += [
        f"{where}: {problem}"
        for problem in year_problems(
            year=year, tr_total=tr_total, ii_rate=ii_rate, reference=reference
        )
    ]
    if problems or year is None or tr_total is None or ii_rate is None or reference is None:
        return None, problems
    return YearParameters(year=year, tr_total=tr_total, ii_rate=ii_rate, reference=reference), []


def _reference(text: str) -> str:
    check_reference_length(text)
    return text

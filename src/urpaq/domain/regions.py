"""The 17 regions and 3 cities of republican significance, by ISO 3166-2:KZ code.

A feed may name a region by its code (``KZ-75`` or ``75``) or by its English name.
"""

from __future__ import annotations

REGIONS: dict[str, str] = {
    "KZ-10": "Abai Region",
    "KZ-11": "Akmola Region",
    "KZ-15": "Aktobe Region",
    "KZ-19": "Almaty Region",
    "KZ-23": "Atyrau Region",
    "KZ-27": "West Kazakhstan Region",
    "KZ-31": "Jambyl Region",
    "KZ-33": "Jetisu Region",
    "KZ-35": "Karaganda Region",
    "KZ-39": "Kostanay Region",
    "KZ-43": "Kyzylorda Region",
    "KZ-47": "Mangystau Region",
    "KZ-55": "Pavlodar Region",
    "KZ-59": "North Kazakhstan Region",
    "KZ-61": "Turkestan Region",
    "KZ-62": "Ulytau Region",
    "KZ-63": "East Kazakhstan Region",
    "KZ-71": "Astana",
    "KZ-75": "Almaty",
    "KZ-79": "Shymkent",
}

_BY_NAME = {name.casefold(): code for code, name in REGIONS.items()}


class UnknownRegion(ValueError):
    """A region that is neither a known code nor a known name."""


def region_code(text: str) -> str:
    """The ISO code of a region given by code or English name; raise `UnknownRegion`."""
    cleaned = text.strip()
    upper = cleaned.upper()
    if upper in REGIONS:
        return upper
    if f"KZ-{upper}" in REGIONS:
        return f"KZ-{upper}"
    code = _BY_NAME.get(cleaned.casefold())
    if code is None:
        raise UnknownRegion(f"region {text!r} is not one of the 20 region codes (KZ-10 … KZ-79)")
    return code

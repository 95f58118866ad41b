"""One register record on its own: every refusal, walked in one table."""

from __future__ import annotations

import datetime as dt

import pytest

from urpaq.domain.register import InvalidRecord, RecordKind, parse_record

TODAY = dt.date(2026, 11, 22)
GOOD = {
    "record_id": "R1",
    "iin": "080315601232",
    "kind": "born_citizen",
    "effective_date": "2008-03-15",
    "recorded_on": "2008-03-20",
    "region": "KZ-75",
}


def test_a_good_record_is_read() -> None:
    """A valid row becomes a record with its IIN, kind, dates and region."""
    record = parse_record(GOOD, today=TODAY)
    assert record.kind is RecordKind.BORN_CITIZEN
    assert record.effective_date == dt.date(2008, 3, 15)
    assert record.region == "KZ-75"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"record_id": ""}, "missing required field(s): record_id"),
        ({"iin": "", "kind": ""}, "missing required field(s): iin, kind"),
        ({"record_id": "x" * 65}, "longer than 64"),
        ({"iin": "080315601233"}, "check digit"),
        ({"kind": "adopted"}, "kind 'adopted' is not one of"),
        ({"effective_date": "2008-02-30"}, "effective_date '2008-02-30' is not a date"),
        ({"recorded_on": "20.03.2008"}, "recorded_on '20.03.2008' is not a date"),
        ({"recorded_on": "2008-03-14"}, "is before effective_date"),
        ({"recorded_on": "2027-01-01"}, "is in the future"),
        ({"effective_date": "2008-03-16"}, "disagrees with the birth date"),
        (
            {"kind": "died", "effective_date": "2008-03-01", "recorded_on": "2008-03-20"},
            "before the birth date",
        ),
        ({"region": "Atlantis"}, "region 'Atlantis'"),
    ],
)
def test_each_invalid_record_is_refused_naming_the_value(
    changes: dict[str, str], reason: str
) -> None:
    """Every way a record can be wrong on its own is refused with a reason naming the value."""
    with pytest.raises(InvalidRecord) as caught:
        parse_record({**GOOD, **changes}, today=TODAY)
    assert reason in str(caught.value)


@pytest.mark.parametrize(
    ("text", "code"), [("75", "KZ-75"), ("kz-71", "KZ-71"), ("Shymkent", "KZ-79")]
)
def test_regions_are_read_by_code_or_name(text: str, code: str) -> None:
    """A region may be given by ISO code, its number or its English name."""
    assert parse_record({**GOOD, "region": text}, today=TODAY).region == code

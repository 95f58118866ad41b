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
        (
            {"kind": "born_\u0441itizen"},  # a Cyrillic с, which reads as the Latin c
            "kind 'born_\u0441itizen' (it holds U+0441 CYRILLIC SMALL LETTER ES, which is not"
            " ASCII) is not one of",
        ),
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
        (
            {"record_id": "R\x001"},
            "record_id 'R\\x001' holds U+0000, which is not a printable character",
        ),
        ({"record_id": " \ufeffR1 "}, "record_id '\\ufeffR1' holds U+FEFF"),
        ({"record_id": "R\u200b1"}, "record_id 'R\\u200b1' holds U+200B"),
        ({"record_id": "R\x9b1"}, "record_id 'R\\x9b1' holds U+009B"),
        (
            {"kind": "record_retracted", "retracts": "R0\x1b"},
            "retracts 'R0\\x1b' holds U+001B, which is not a printable character",
        ),
        ({"region": "K" * 100_000}, f"region {'K' * 40!r}… (100000 characters) is not one"),
        ({"kind": "k" * 1000}, f"kind {'k' * 40!r}… (1000 characters) is not one of"),
        ({"iin": "1" * 1000}, f"IIN {'1' * 40!r}… (1000 characters): must be exactly 12"),
        ({"recorded_on": "2" * 50}, f"recorded_on {'2' * 40!r}… (50 characters) is not a date"),
    ],
)
def test_each_invalid_record_is_refused_naming_the_value(
    changes: dict[str, str], reason: str
) -> None:
    """Every way a record can be wrong on its own is refused with a reason naming the value."""
    with pytest.raises(InvalidRecord) as caught:
        parse_record({**GOOD, **changes}, today=TODAY)
    assert reason in str(caught.value)


def test_a_record_id_of_printable_characters_other_than_ascii_is_taken() -> None:
    """Letters of any script and the space inside are printable: only control and
    invisible characters are refused."""
    for record_id in ("Р-35 ё", "記録7", "R 1"):
        assert parse_record({**GOOD, "record_id": record_id}, today=TODAY).record_id == record_id


@pytest.mark.parametrize(
    ("text", "code"), [("75", "KZ-75"), ("kz-71", "KZ-71"), ("Shymkent", "KZ-79")]
)
def test_regions_are_read_by_code_or_name(text: str, code: str) -> None:
    """A region may be given by ISO code, its number or its English name."""
    assert parse_record({**GOOD, "region": text}, today=TODAY).region == code

"""The checks a register record must pass on its own, column-wise.

`domain/register.py: parse_record` defines them; this module applies them to a batch of
feed rows at once, with pyarrow's compute functions.  It only decides which rows are
surely valid, and computes their stored values (trimmed text, region code, birth date and
sex from the IIN).  Every other row is handed to `parse_record` itself, which accepts it
or says why not: a reason is always the domain's own words, and a row the vectorised
checks cannot vouch for — a value that is not plain printable ASCII (so any control or
invisible character a record_id may not hold), a date written in another form, a blank —
is judged by the domain alone.  A refused row keeps its record_id only if that is one
(`register.refused_record_id`): nothing staged holds a control character.
`tests/test_record_checks.py` proves on generated rows that the two agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from urpaq.domain.regions import REGIONS
from urpaq.domain.register import (
    FIELDS,
    RECORD_ID_LENGTH_MAX,
    InvalidRecord,
    RecordKind,
    RegisterRecord,
    parse_record,
    refused_record_id,
)

#: A checked row as it is staged: its stored values, or the reason it was refused.
STAGED_SCHEMA = pa.schema(
    [
        ("line", pa.int64()),
        ("record_id", pa.string()),
        ("iin", pa.string()),
        ("kind", pa.string()),
        ("effective_date", pa.string()),
        ("recorded_on", pa.string()),
        ("region", pa.string()),
        ("birth_date", pa.string()),
        ("is_male", pa.int64()),
        ("retracts", pa.string()),
        ("reason", pa.string()),
    ]
)

_KINDS = pa.array([kind.value for kind in RecordKind])
_CODES = pa.array(list(REGIONS))
_NAMES = pa.array([name.casefold() for name in REGIONS.values()])
_CENTURY = pa.array([0, 1800, 1800, 1900, 1900, 2000, 2000, 0, 0, 0], pa.int64())
_DAYS_IN_MONTH = pa.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], pa.int64())
_FIRST_WEIGHTS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_NOT_PLAIN = r"[^ -~]"  # anything but printable ASCII and the space
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_YEAR_ONE = (dt.date(1, 1, 1) - dt.date(1970, 1, 1)).days  # date32 of 0001-01-01


@dataclass(frozen=True, slots=True)
class RawRows:
    """Feed rows as read: their line numbers, the six fields as text (null: absent) and,
    for a row that could not be read at all, why."""

    lines: pa.Array
    fields: dict[str, pa.Array]
    problems: pa.Array | None = None
    #: The reader knows every value is printable ASCII (a CSV block with no other byte).
    plain: bool = False

    def __len__(self) -> int:
        return len(self.lines)


def raw_rows(rows: Sequence[tuple[int, dict[str, str], str | None]]) -> RawRows:
    """Rows read one at a time (JSON Lines, quoted CSV) as columns."""
    return RawRows(
        lines=pa.array([line for line, _, _ in rows], pa.int64()),
        fields={name: pa.array([f.get(name) for _, f, _ in rows], pa.string()) for name in FIELDS},
        problems=pa.array([problem for _, _, problem in rows], pa.string()),
    )


def check_rows(rows: RawRows, *, today: dt.date) -> pa.Table:
    """Each row as a checked record (`STAGED_SCHEMA`), or with the reason it is refused."""
    unreadable = (
        pc.is_valid(rows.problems)
        if rows.problems is not None
        else pa.array([False] * len(rows), pa.bool_())
    )
    readable = pc.invert(unreadable)
    fields = {name: pc.filter(rows.fields[name], readable) for name in FIELDS}
    lines = pc.filter(rows.lines, readable)
    valid, values = _surely_valid(fields, today=today, plain=rows.plain)
    parts = [pa.table({"line": pc.filter(lines, valid), **_filtered(values, valid)}, STAGED_SCHEMA)]
    doubtful = pc.invert(valid)
    if pc.any(doubtful).as_py():
        parts.append(_judged_by_domain(lines, fields, doubtful, today=today))
    if pc.any(unreadable).as_py():
        parts.append(_unreadable(rows, unreadable))
    parts = [part for part in parts if part.num_rows] or parts[:1]
    return pa.concat_tables(parts) if len(parts) > 1 else parts[0]


def _filtered(values: dict[str, pa.Array], mask: pa.Array) -> dict[str, pa.Array]:
    return {name: pc.filter(column, mask) for name, column in values.items()}


def _surely_valid(
    fields: dict[str, pa.Array], *, today: dt.date, plain: bool
) -> tuple[pa.Array, dict[str, pa.Array]]:
    """Which rows pass every check of `parse_record` for sure, and their stored values
    (meaningful only where valid)."""
    ok = _all_plain(fields) if not plain else None
    # On printable ASCII, Python's str.strip() removes exactly the spaces.
    text = {name: pc.utf8_trim(fields[name], " ") for name in FIELDS}
    record_id_length = pc.binary_length(text["record_id"])
    ok = _and(
        ok,
        pc.greater_equal(record_id_length, 1),
        pc.less_equal(record_id_length, RECORD_ID_LENGTH_MAX),
    )
    iin_ok, birth_days, is_male = _iin(text["iin"])
    effective_ok, effective = _date(text["effective_date"])
    recorded_ok, recorded = _date(text["recorded_on"])
    born = pc.equal(text["kind"], RecordKind.BORN_CITIZEN.value)
    retraction = pc.equal(text["kind"], RecordKind.RECORD_RETRACTED.value)
    retracts_length = pc.binary_length(pc.fill_null(text["retracts"], ""))
    retracts_given = pc.greater(retracts_length, 0)
    region_given = pc.greater(pc.binary_length(pc.fill_null(text["region"], "")), 0)
    region = _region_code(pc.if_else(region_given, text["region"], pa.scalar(None, pa.string())))
    today_days = (today - dt.date(1970, 1, 1)).days
    ok = _and(
        ok,
        iin_ok,
        pc.is_in(text["kind"], value_set=_KINDS),
        effective_ok,
        recorded_ok,
        pc.greater_equal(recorded, effective),
        pc.less_equal(recorded, today_days),
        pc.or_(pc.invert(born), pc.equal(effective, birth_days)),
        pc.greater_equal(effective, birth_days),
        pc.or_(pc.invert(region_given), pc.is_valid(region)),
        # Only a withdrawal names a record, never its own, in at most 64 characters.
        pc.equal(retraction, retracts_given),
        pc.less_equal(retracts_length, RECORD_ID_LENGTH_MAX),
        pc.invert(pc.fill_null(pc.equal(text["retracts"], text["record_id"]), False)),
    )
    values = {
        "record_id": text["record_id"],
        "iin": text["iin"],
        "kind": text["kind"],
        # Where valid, the text is exactly the date's ISO form.
        "effective_date": text["effective_date"],
        "recorded_on": text["recorded_on"],
        "region": region,
        "birth_date": pc.cast(pc.cast(pc.cast(birth_days, pa.int32()), pa.date32()), pa.string()),
        "is_male": pc.cast(is_male, pa.int64()),
        "retracts": pc.if_else(retracts_given, text["retracts"], pa.scalar(None, pa.string())),
        "reason": pa.nulls(len(ok), pa.string()),
    }
    return pc.fill_null(ok, False), values


def _and(first: pa.Array | None, *masks: pa.Array) -> pa.Array:
    result = first
    for mask in masks:
        result = mask if result is None else pc.and_kleene(result, mask)
    assert result is not None
    return result


def _all_plain(fields: dict[str, pa.Array]) -> pa.Array:
    """Rows whose every field is printable ASCII (or absent)."""
    masks = [
        pc.invert(pc.fill_null(pc.match_substring_regex(fields[name], _NOT_PLAIN), False))
        for name in FIELDS
    ]
    return _and(None, *masks)


def _iin(text: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Whether each text is a valid IIN (`domain/iin.py`), its birth date (days since
    1970) and whether it is a man's."""
    shaped = pc.and_kleene(pc.equal(pc.binary_length(text), 12), pc.ascii_is_decimal(text))
    shaped = pc.fill_null(shaped, False)
    number = pc.cast(pc.if_else(shaped, text, "000000100000"), pa.int64())
    digit = [_mod(pc.divide(number, 10 ** (11 - k)), 10) for k in range(12)]
    first = _weighted(digit, _FIRST_WEIGHTS)
    second = _weighted(digit, _SECOND_WEIGHTS)
    check = pc.if_else(pc.equal(first, 10), second, first)
    century_digit = digit[6]
    century = pc.take(_CENTURY, century_digit)
    year = pc.add(century, pc.add(pc.multiply(digit[0], 10), digit[1]))
    month = pc.add(pc.multiply(digit[2], 10), digit[3])
    day = pc.add(pc.multiply(digit[4], 10), digit[5])
    valid = _and(
        shaped,
        pc.greater(century, 0),
        _calendar_date(year, month, day),
        pc.not_equal(check, 10),
        pc.equal(check, digit[11]),
    )
    is_male = pc.equal(_mod(century_digit, 2), 1)
    return valid, _days_since_1970(year, month, day), is_male


def _mod(number: pa.Array, divisor: int) -> pa.Array:
    """The remainder of non-negative integers (integer division truncates)."""
    return pc.subtract(number, pc.multiply(pc.divide(number, divisor), divisor))


def _weighted(digit: list[pa.Array], weights: Sequence[int]) -> pa.Array:
    total = pc.multiply(digit[0], weights[0])
    for position in range(1, 11):
        total = pc.add(total, pc.multiply(digit[position], weights[position]))
    return _mod(total, 11)


def _calendar_date(year: pa.Array, month: pa.Array, day: pa.Array) -> pa.Array:
    """Whether year, month and day make a date between 0001-01-01 and 9999-12-31."""
    month_ok = pc.and_(pc.greater_equal(month, 1), pc.less_equal(month, 12))
    leap = pc.and_(
        pc.equal(_mod(year, 4), 0),
        pc.or_(pc.not_equal(_mod(year, 100), 0), pc.equal(_mod(year, 400), 0)),
    )
    days = pc.take(_DAYS_IN_MONTH, pc.if_else(month_ok, month, 1))
    days = pc.add(days, pc.cast(pc.and_(leap, pc.equal(month, 2)), pa.int64()))
    return _and(
        month_ok,
        pc.greater_equal(year, 1),
        pc.less_equal(year, 9999),
        pc.greater_equal(day, 1),
        pc.less_equal(day, days),
    )


def _days_since_1970(year: pa.Array, month: pa.Array, day: pa.Array) -> pa.Array:
    """The proleptic Gregorian day number (0 = 1970-01-01) of a valid positive date."""
    march = pc.less_equal(month, 2)
    year = pc.subtract(year, pc.cast(march, pa.int64()))
    era = pc.divide(year, 400)
    year_of_era = pc.subtract(year, pc.multiply(era, 400))
    shifted = pc.if_else(march, pc.add(month, 9), pc.subtract(month, 3))
    day_of_year = pc.add(pc.divide(pc.add(pc.multiply(shifted, 153), 2), 5), pc.subtract(day, 1))
    day_of_era = pc.add(
        pc.add(pc.multiply(year_of_era, 365), pc.divide(year_of_era, 4)),
        pc.subtract(day_of_year, pc.divide(year_of_era, 100)),
    )
    return pc.subtract(pc.add(pc.multiply(era, 146097), day_of_era), 719468)


def _date(text: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Whether each text is a date written YYYY-MM-DD, and the date (days since 1970)."""
    ten = pc.fill_null(pc.equal(pc.binary_length(text), 10), False)
    candidate = pc.if_else(ten, text, "2000-01-01")
    try:
        days = pc.cast(candidate, pa.date32())
    except pa.ArrowInvalid:  # some are no dates: find them, the slow way
        shaped = pc.fill_null(pc.match_substring_regex(candidate, _ISO_DATE), False)
        safe = pc.if_else(shaped, candidate, "2000-01-01")
        parts = [
            pc.cast(pc.utf8_slice_codeunits(safe, start, stop), pa.int64())
            for start, stop in ((0, 4), (5, 7), (8, 10))
        ]
        ten = _and(ten, shaped, _calendar_date(*parts))
        days = pc.cast(pc.if_else(ten, safe, "2000-01-01"), pa.date32())
    number = pc.cast(pc.cast(days, pa.int32()), pa.int64())
    return pc.and_(ten, pc.greater_equal(number, _YEAR_ONE)), number


def _region_code(text: pa.Array) -> pa.Array:
    """The code of each region given by code, number or English name; null if none."""
    upper = pc.ascii_upper(text)
    by_code = pc.index_in(upper, value_set=_CODES)
    by_number = pc.index_in(pc.binary_join_element_wise("KZ-", upper, ""), value_set=_CODES)
    by_name = pc.index_in(pc.ascii_lower(text), value_set=_NAMES)
    return pc.take(_CODES, pc.coalesce(by_code, by_number, by_name))


def _judged_by_domain(
    lines: pa.Array, fields: dict[str, pa.Array], mask: pa.Array, *, today: dt.date
) -> pa.Table:
    """The rows the vectorised checks could not vouch for, as `parse_record` judges them."""
    numbers = pc.filter(lines, mask).to_pylist()
    columns = {name: pc.filter(fields[name], mask).to_pylist() for name in FIELDS}
    out: list[tuple[object, ...]] = []
    for index, line in enumerate(numbers):
        row = {name: value for name in FIELDS if (value := columns[name][index]) is not None}
        out.append(_judged(line, row, today=today))
    return staged_table(out)


def _judged(line: int, fields: dict[str, str], *, today: dt.date) -> tuple[object, ...]:
    try:
        record = parse_record(fields, today=today)
    except InvalidRecord as error:
        return staged_row(line, None, record_id=fields.get("record_id"), reason=str(error))
    return staged_row(line, record)


def staged_row(
    line: int,
    record: RegisterRecord | None,
    *,
    record_id: str | None = None,
    reason: str | None = None,
) -> tuple[object, ...]:
    """One row of `STAGED_SCHEMA`: a checked record's stored values, or, for a refused
    one (`record` None), its line, the record id it gave and why."""
    if record is None:
        return (line, refused_record_id(record_id), *([None] * 8), reason)
    return (
        line,
        record.record_id,
        record.iin.value,
        record.kind.value,
        record.effective_date.isoformat(),
        record.recorded_on.isoformat(),
        record.region,
        record.iin.birth_date.isoformat(),
        int(record.iin.is_male),
        record.retracts,
        None,
    )


def _unreadable(rows: RawRows, mask: pa.Array) -> pa.Table:
    assert rows.problems is not None
    record_ids = pc.filter(rows.fields["record_id"], mask).to_pylist()
    out = [
        staged_row(line, None, record_id=record_id, reason=problem)
        for line, record_id, problem in zip(
            pc.filter(rows.lines, mask).to_pylist(),
            record_ids,
            pc.filter(rows.problems, mask).to_pylist(),
            strict=True,
        )
    ]
    return staged_table(out)


def staged_table(rows: Sequence[tuple[object, ...]]) -> pa.Table:
    """Rows of `STAGED_SCHEMA` (`staged_row`) as a checked batch's columns."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in STAGED_SCHEMA]
    return pa.table(
        [
            pa.array(column, field.type)
            for column, field in zip(columns, STAGED_SCHEMA, strict=True)
        ],
        STAGED_SCHEMA,
    )

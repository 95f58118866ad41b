"""Records of the population register, and the checks one record must pass on its own.

A record states one fact about a person (citizenship by birth, acquired, lost or
renounced; death; a court declaring death; the annulment of the person's record; an
update of personal data), with the date it takes effect and the date the register
recorded it.  Checks that need the person's other records (a second birth record, a fact
after death, a loss without citizenship) run set-based in the database when an import
finishes; `docs/register-feed.md` lists them in their order.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

from urpaq.domain.iin import Iin, InvalidIin
from urpaq.domain.refusals import not_ascii, quoted
from urpaq.domain.regions import UnknownRegion, region_code


class RecordKind(enum.StrEnum):
    """What a register record states about a person."""

    BORN_CITIZEN = "born_citizen"
    CITIZENSHIP_ACQUIRED = "citizenship_acquired"
    CITIZENSHIP_LOST = "citizenship_lost"
    CITIZENSHIP_RENOUNCED = "citizenship_renounced"
    DIED = "died"
    DECLARED_DEAD = "declared_dead"
    RECORD_ANNULLED = "record_annulled"
    DATA_UPDATED = "data_updated"
    RECORD_RETRACTED = "record_retracted"


GAINS = frozenset({RecordKind.BORN_CITIZEN, RecordKind.CITIZENSHIP_ACQUIRED})
LOSSES = frozenset({RecordKind.CITIZENSHIP_LOST, RecordKind.CITIZENSHIP_RENOUNCED})
DEATHS = frozenset({RecordKind.DIED, RecordKind.DECLARED_DEAD})

#: The kinds that state nothing about citizenship or life: a person holding only these
#: has no record that bears on taking part.
NOT_BEARING = frozenset({RecordKind.DATA_UPDATED, RecordKind.RECORD_RETRACTED})

#: The columns of a feed as written by default; `retracts` only where a feed withdraws.
BASE_FIELDS = ("record_id", "iin", "kind", "effective_date", "recorded_on", "region")
FIELDS = (*BASE_FIELDS, "retracts")
REQUIRED_FIELDS = ("record_id", "iin", "kind", "effective_date", "recorded_on")
RECORD_ID_LENGTH_MAX = 64


class InvalidRecord(ValueError):
    """A register record that cannot be accepted; the message names the value and why."""


@dataclass(frozen=True, slots=True)
class RegisterRecord:
    """One fact of the population register about one person."""

    record_id: str
    iin: Iin
    kind: RecordKind
    effective_date: dt.date
    recorded_on: dt.date
    region: str | None = None
    #: For a withdrawal: the `record_id` of the record it withdraws.
    retracts: str | None = None


#: A date as the feed (and every command's option) writes it.
DAY_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(text: str) -> dt.date:
    """A day written exactly YYYY-MM-DD; `ValueError` for anything else (`fromisoformat`
    alone also takes 20150701 and other ISO 8601 spellings, such as the week date
    2015-W27-2)."""
    if not DAY_PATTERN.fullmatch(text):
        raise ValueError(f"{text!r} is not YYYY-MM-DD")
    return dt.date.fromisoformat(text)


def _parse_date(name: str, text: str) -> dt.date:
    try:
        return parse_day(text)
    except ValueError:
        raise InvalidRecord(f"{name} {quoted(text)} is not a date YYYY-MM-DD") from None


def unprintable(text: str) -> str | None:
    """The first character of `text` that a record_id may not hold, or None.

    A record_id (and the `retracts` that names one) is printable text: no control
    character (C0, DEL, C1), no format character (a byte-order mark, a zero-width space,
    a direction mark), no separator but the space, no surrogate, private-use or
    unassigned code point — exactly the characters of `str.isprintable`.  So an id is
    the same id on every screen, and stored on every database (PostgreSQL takes no NUL).
    """
    if text.isprintable():
        return None
    return next(character for character in text if not character.isprintable())


def _check_printable(name: str, text: str) -> None:
    character = unprintable(text)
    if character is not None:
        raise InvalidRecord(
            f"{name} {quoted(text, limit=RECORD_ID_LENGTH_MAX)} holds U+{ord(character):04X}, "
            "which is not a printable character"
        )


def refused_record_id(text: str | None) -> str | None:
    """The record_id a refused row is kept and reported with: its own, trimmed, if that is
    a record_id at all (1 to 64 printable characters); else none, the reason naming it."""
    record_id = (text or "").strip()
    if not record_id or len(record_id) > RECORD_ID_LENGTH_MAX or not record_id.isprintable():
        return None
    return record_id


def parse_record(fields: dict[str, str], *, today: dt.date) -> RegisterRecord:
    """Check one feed row on its own and build the record; raise `InvalidRecord`.

    `today` is the day of the import: the register cannot have recorded a fact later.
    A value a reason names is quoted, and cut when long (`refusals.quoted`).
    """
    missing = [name for name in REQUIRED_FIELDS if not (fields.get(name) or "").strip()]
    if missing:
        raise InvalidRecord(f"missing required field(s): {', '.join(missing)}")
    record_id = fields["record_id"].strip()
    if len(record_id) > RECORD_ID_LENGTH_MAX:
        raise InvalidRecord(f"record_id {record_id[:20]!r}… is longer than 64 characters")
    _check_printable("record_id", record_id)
    try:
        iin = Iin.parse(fields["iin"])
    except InvalidIin as error:
        raise InvalidRecord(f"IIN {quoted(error.value)}: {error.reason}") from None
    kind_text = fields["kind"].strip()
    try:
        kind = RecordKind(kind_text)
    except ValueError:
        raise InvalidRecord(
            f"kind {quoted(kind_text)}{not_ascii(kind_text)} is not one of "
            f"{', '.join(k.value for k in RecordKind)}"
        ) from None
    effective = _parse_date("effective_date", fields["effective_date"].strip())
    recorded = _parse_date("recorded_on", fields["recorded_on"].strip())
    if recorded < effective:
        raise InvalidRecord(f"recorded_on {recorded} is before effective_date {effective}")
    if recorded > today:
        raise InvalidRecord(f"recorded_on {recorded} is in the future (today is {today})")
    if kind is RecordKind.BORN_CITIZEN and effective != iin.birth_date:
        raise InvalidRecord(
            f"born_citizen effective_date {effective} disagrees with the birth date "
            f"{iin.birth_date} in IIN {iin}"
        )
    if effective < iin.birth_date:
        raise InvalidRecord(
            f"{kind} effective_date {effective} is before the birth date {iin.birth_date} "
            f"in IIN {iin}"
        )
    region_text = (fields.get("region") or "").strip()
    try:
        region = region_code(region_text) if region_text else None
    except UnknownRegion:
        raise InvalidRecord(
            f"region {quoted(region_text)} is not one of the 20 region codes (KZ-10 … KZ-79)"
        ) from None
    return RegisterRecord(
        record_id=record_id,
        iin=iin,
        kind=kind,
        effective_date=effective,
        recorded_on=recorded,
        region=region,
        retracts=_retracts(fields, kind=kind, record_id=record_id),
    )


def _retracts(fields: dict[str, str], *, kind: RecordKind, record_id: str) -> str | None:
    """The record a withdrawal names; only a withdrawal names one."""
    retracts = (fields.get("retracts") or "").strip()
    if kind is not RecordKind.RECORD_RETRACTED:
        if retracts:
            raise InvalidRecord(
                f"retracts {retracts[:20]!r} is given on a {kind} record: only a "
                "record_retracted withdraws a record"
            )
        return None
    if not retracts:
        raise InvalidRecord("record_retracted without retracts: name the withdrawn record_id")
    if len(retracts) > RECORD_ID_LENGTH_MAX:
        raise InvalidRecord(f"retracts {retracts[:20]!r}… is longer than 64 characters")
    _check_printable("retracts", retracts)
    if retracts == record_id:
        raise InvalidRecord(f"record_retracted {record_id!r} names itself in retracts")
    return retracts

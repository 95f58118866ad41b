"""Why an import rejected a row, as a code a member of staff can filter by.

The reason stored with each rejected row is the message of the check that refused it
(docs/register-feed.md lists them all).  Each message has a fixed shape, so its code is
read from the message: the patterns below, tried in order.  A test feeds one row that
fails each check through a real import and expects its code, so that a new check cannot
go unclassified unnoticed.
"""

from __future__ import annotations

import re

#: (code, pattern of the whole message), in the order they are tried.  Each pattern is
#: its message's fixed words at both ends, around the values it quotes: a value (a
#: record_id is any text) cannot make one message look like another's.
REASON_PATTERNS: tuple[tuple[str, str], ...] = (
    ("unreadable", r"(has \d+ fields, the header has \d+|is not valid JSON: .*"
                   r"|is not a JSON object|field \w+ must be a string, got .*"
                   r"|field \w+ is not text: .* holds a lone surrogate)"),
    ("missing_field", r"missing required field\(s\): [\w, ]+"),
    ("record_id_too_long", r"record_id .*… is longer than 64 characters"),
    ("record_id_not_printable", r"(record_id|retracts) .* holds U\+[0-9A-F]{4,6},"
                                r" which is not a printable character"),
    ("invalid_iin", r"IIN .*: (must be exactly 12 digits"
                    r"|7th digit \d is not a century-and-sex code 1-6"
                    r"|\d{6} is not a valid birth date YYMMDD"
                    r"|no IIN is issued with these first 11 digits"
                    r"|check digit is \d, expected \d+)"),
    ("unknown_kind", r"kind .* is not one of [\w, ]+"),
    ("invalid_date", r"(effective_date|recorded_on) .* is not a date YYYY-MM-DD"),
    ("recorded_before_effective", r"recorded_on \S+ is before effective_date \S+"),
    ("recorded_in_future", r"recorded_on \S+ is in the future \(today is \S+\)"),
    ("birth_date_mismatch", r"born_citizen effective_date \S+ disagrees with the birth date"
                            r" \S+ in IIN \d+"),
    ("before_birth", r"\w+ effective_date \S+ is before the birth date \S+ in IIN \d+"),
    ("unknown_region", r"region .* is not one of the 20 region codes \(KZ-10 … KZ-79\)"),
    ("retracts_misplaced", r"(retracts .* is given on a \w+ record: only a record_retracted"
                           r" withdraws a record"
                           r"|record_retracted without retracts: name the withdrawn record_id"
                           r"|retracts .*… is longer than 64 characters"
                           r"|record_retracted .* names itself in retracts)"),
    ("record_id_repeated", r"record_id .* appears again \(first on line \d+\)"),
    ("record_changed", r"record_id .* was imported before with different content"),
    ("second_birth_record", r"IIN \d+ already has a born_citizen record"),
    ("after_death", r"\w+ on \S+ is after the death of IIN \d+ on \S+"),
    ("loss_without_citizenship", r"\w+ on \S+ but IIN \d+ was not a citizen by then"),
    ("person_unknown", r"\w+ for IIN \d+ which has no citizenship or death record"),
    ("retracts_unknown", r"retracts .* names no record of the register or accepted earlier"
                         r" in this file"),
    ("retracts_other_person", r"retracts .* names a record of another person, not of IIN \d+"),
    ("retracts_withdrawal", r"retracts .* names a withdrawal, which cannot itself be withdrawn"),
    ("retracts_later_record", r"retracts .* recorded on \S+, after this withdrawal recorded"
                              r" on \S+"),
    ("already_retracted", r"record .* is already withdrawn by .*"),
)  # fmt: skip

OTHER = "other"
REASON_CODES: tuple[str, ...] = (*(code for code, _ in REASON_PATTERNS), OTHER)

_COMPILED = tuple((code, re.compile(pattern, re.S)) for code, pattern in REASON_PATTERNS)


def reason_code(reason: str) -> str:
    """The code of a rejection's reason (`other` for a message of no known shape)."""
    return next((code for code, pattern in _COMPILED if pattern.fullmatch(reason)), OTHER)

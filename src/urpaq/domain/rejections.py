"""Why an import rejected a row, as a code a member of staff can filter by.

The reason stored with each rejected row is the message of the check that refused it
(docs/register-feed.md lists them all).  Each message has a fixed shape, so its code is
read from the message: the patterns below, tried in order.  A test feeds one row that
fails each check through a real import and expects its code, so that a new check cannot
go unclassified unnoticed.
"""

from __future__ import annotations

import re

#: (code, pattern of the message), in the order they are tried.
REASON_PATTERNS: tuple[tuple[str, str], ...] = (
    ("unreadable", r"^(has \d+ fields, the header has|is not valid JSON|is not a JSON object"
                   r"|field \w+ must be a string)"),
    ("missing_field", r"^missing required field"),
    ("record_id_too_long", r"^record_id .* is longer than 64 characters"),
    ("invalid_iin", r"^IIN '.*': "),
    ("unknown_kind", r"^kind .* is not one of"),
    ("invalid_date", r"^(effective_date|recorded_on) .* is not a date"),
    ("recorded_before_effective", r"^recorded_on \S+ is before effective_date"),
    ("recorded_in_future", r"^recorded_on \S+ is in the future"),
    ("birth_date_mismatch", r"^born_citizen effective_date .* disagrees with the birth date"),
    ("before_birth", r"^\w+ effective_date \S+ is before the birth date"),
    ("unknown_region", r"^region .* is not one of the 20 region codes"),
    ("retracts_misplaced", r"^(retracts .* is given on a|record_retracted without retracts"
                           r"|retracts .* is longer than|record_retracted .* names itself)"),
    ("record_id_repeated", r"^record_id .* appears again"),
    ("record_changed", r"^record_id .* was imported before with different content"),
    ("second_birth_record", r"^IIN \d+ already has a born_citizen record"),
    ("after_death", r" is after the death of IIN "),
    ("loss_without_citizenship", r" but IIN \d+ was not a citizen by then"),
    ("person_unknown", r" which has no citizenship or death record$"),
    ("retracts_unknown", r"^retracts .* names no record of the register"),
    ("retracts_other_person", r"^retracts .* names a record of another person"),
    ("retracts_withdrawal", r"^retracts .* names a withdrawal"),
    ("retracts_later_record", r"^retracts .* after this withdrawal recorded on"),
    ("already_retracted", r"^record .* is already withdrawn by"),
)  # fmt: skip

OTHER = "other"
REASON_CODES: tuple[str, ...] = (*(code for code, _ in REASON_PATTERNS), OTHER)

_COMPILED = tuple((code, re.compile(pattern, re.S)) for code, pattern in REASON_PATTERNS)


def reason_code(reason: str) -> str:
    """The code of a rejection's reason (`other` for a message of no known shape)."""
    return next((code for code, pattern in _COMPILED if pattern.search(reason)), OTHER)

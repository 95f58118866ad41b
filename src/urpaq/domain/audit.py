"""The audit log: who did what to whose personal data, and when.

Every request to the API and to the pages that touch a person is one event.  The log is
append-only; it is itself personal data, read by auditors, never by the API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

#: After the action of an audit search's event about a person whose events it showed.
SHOWN = " (shown)"


@dataclass(frozen=True, slots=True)
class AuditEvent:
    at: dt.datetime  # when the request was answered, UTC
    # `operator:NAME`, `unauthenticated`, `public:ADDRESS`, `person:IIN`, `staff:USER` or
    # `cli:USER` (events recorded by earlier versions may say `public` alone)
    actor: str
    # method and route, e.g. `GET /api/v1/savings/{iin}`: never a raw path, but for the back
    # office's routes whose path names no person (`POST /office/parameters/2026/approve`)
    action: str
    iin: str | None  # the person whose data the request touched, if any
    outcome: int  # the HTTP status of the answer
    request_id: str

    def as_json(self) -> dict[str, object]:
        return {
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "iin": self.iin,
            "outcome": self.outcome,
            "request_id": self.request_id,
        }


def people_shown(events: Iterable[AuditEvent]) -> tuple[str, ...]:
    """The people whose events an answer shows, each once: those events are about them.
    An event that records an earlier search's showing of someone (`(shown)`) tells only
    that: it is not counted again, or every search of the log would add as many events
    as it shows."""
    return tuple(dict.fromkeys(e.iin for e in events if e.iin and not e.action.endswith(SHOWN)))

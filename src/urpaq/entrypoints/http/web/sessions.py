"""Signed-in people: a random token in an HttpOnly cookie names a session in memory."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from dataclasses import dataclass, field

from urpaq.domain.iin import Iin

SESSION_COOKIE = "urpaq_session"
CHALLENGE_COOKIE = "urpaq_challenge"
SESSION_LASTS = dt.timedelta(minutes=15)


@dataclass
class Sessions:
    """Signed-in people, by a random token in an HttpOnly cookie; kept in memory, so a
    restart signs everyone out."""

    lasts: dt.timedelta = SESSION_LASTS
    _by_token: dict[str, tuple[Iin, dt.datetime]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def open(self, iin: Iin, *, now: dt.datetime) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._by_token = {k: v for k, v in self._by_token.items() if v[1] > now}
            self._by_token[token] = (iin, now + self.lasts)
        return token

    def holder(self, token: str | None, *, now: dt.datetime) -> Iin | None:
        if not token:
            return None
        with self._lock:
            found = self._by_token.get(token)
        if found is None or found[1] <= now:
            return None
        return found[0]

    def close(self, token: str | None) -> None:
        with self._lock:
            self._by_token.pop(token or "", None)

"""Identity providers.  `DevelopmentIdentityProvider` stands in for the government's
identity service: it writes a one-time code to the server log, where a developer or a
test reads it.  Never run it in production (`urpaq serve` says so at start)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
import threading
from dataclasses import dataclass

from urpaq.domain.iin import Iin
from urpaq.services.ports.identity import Challenge

log = logging.getLogger("urpaq.identity")

CODE_DIGITS = 6
CODE_VALID_FOR = dt.timedelta(minutes=5)
ATTEMPTS_MAX = 5


@dataclass
class _Pending:
    iin: Iin
    code_digest: str
    expires_at: dt.datetime
    attempts_left: int


class DevelopmentIdentityProvider:
    """One-time codes, written to the log `urpaq.identity` instead of sent to a phone."""

    name = "development"

    def __init__(self) -> None:
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()

    def begin(self, *, iin: Iin, now: dt.datetime) -> Challenge:
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        challenge = Challenge(secrets.token_urlsafe(24), now + CODE_VALID_FOR)
        with self._lock:
            self._forget_expired(now)
            self._pending[challenge.challenge_id] = _Pending(
                iin, _digest(code), challenge.expires_at, ATTEMPTS_MAX
            )
        # The log line names the challenge, never the IIN.
        log.warning(
            "development sign-in: one-time code %s for challenge %s (valid 5 minutes)",
            code, challenge.challenge_id[:8],
        )  # fmt: skip
        return challenge

    def complete(self, *, challenge_id: str, response: str, now: dt.datetime) -> Iin | None:
        with self._lock:
            pending = self._pending.get(challenge_id)
            if pending is None or pending.expires_at <= now:
                self._pending.pop(challenge_id, None)
                return None
            pending.attempts_left -= 1
            if hmac.compare_digest(pending.code_digest, _digest(response.strip())):
                del self._pending[challenge_id]  # a code works once
                return pending.iin
            if pending.attempts_left <= 0:
                del self._pending[challenge_id]
            return None

    def iin_of(self, *, challenge_id: str, now: dt.datetime) -> Iin | None:
        with self._lock:
            pending = self._pending.get(challenge_id)
        if pending is None or pending.expires_at <= now:
            return None
        return pending.iin

    def _forget_expired(self, now: dt.datetime) -> None:
        for key in [key for key, p in self._pending.items() if p.expires_at <= now]:
            del self._pending[key]


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()

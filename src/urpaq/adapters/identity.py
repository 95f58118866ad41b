"""Identity providers.  `DevelopmentIdentityProvider` stands in for the government's
identity service: it writes a one-time code to the server log, where a developer or a
test reads it.  Never run it in production (`urpaq serve` says so at start)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable

from urpaq.domain.iin import Iin
from urpaq.services.ports.identity import Challenge
from urpaq.services.ports.serving import ServingPort

log = logging.getLogger("urpaq.identity")

CODE_DIGITS = 6
CODE_VALID_FOR = dt.timedelta(minutes=5)
ATTEMPTS_MAX = 5


class DevelopmentIdentityProvider:
    """One-time codes, written to the log `urpaq.identity` instead of sent to a phone.

    The challenges — whose they are, the code's digest, the guesses left — are kept in
    the serving store, so a code sent by one server process is taken by any other. The
    store holds neither the challenge's id (the browser's cookie) nor anything a code can
    be tried against without it: the row is found by the id's digest, and the code's
    digest is keyed with the id, so a copy of the store completes no sign-in."""

    name = "development"

    def __init__(self, *, serving: Callable[[], ServingPort]) -> None:
        self.serving = serving

    def begin(self, *, iin: Iin, now: dt.datetime) -> Challenge:
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        challenge = Challenge(secrets.token_urlsafe(24), now + CODE_VALID_FOR)
        self.serving().save_challenge(
            challenge_id=_row(challenge.challenge_id),
            iin=iin.value,
            code_digest=_code_digest(challenge.challenge_id, code),
            expires_at=challenge.expires_at,
            attempts=ATTEMPTS_MAX,
        )
        # The log line names the challenge, never the IIN.
        log.warning(
            "development sign-in: one-time code %s for challenge %s (valid 5 minutes)",
            code, _row(challenge.challenge_id)[:8],
        )  # fmt: skip
        return challenge

    def complete(self, *, challenge_id: str, response: str, now: dt.datetime) -> Iin | None:
        store = self.serving()
        row = _row(challenge_id)
        pending = store.attempt_challenge(challenge_id=row, now=now)  # counts a try
        if pending is None:
            return None
        if hmac.compare_digest(pending.code_digest, _code_digest(challenge_id, response.strip())):
            # A code works once: of the requests that sent it at the same time (through
            # one server or several), only the one that ends the challenge signs in.
            if store.forget_challenge(challenge_id=row):
                return Iin.parse(pending.iin)
            return None
        # Out of guesses, it is kept until it expires, taking no more: later guesses are
        # still recorded with the person they were aimed at (`iin_of`).
        return None

    def waits_for_code(self, *, challenge_id: str, now: dt.datetime) -> bool:
        """Whether the sign-in still takes a code: not expired, not used, guesses left."""
        pending = self.serving().challenge_of(challenge_id=_row(challenge_id), now=now)
        return pending is not None and pending.attempts_left > 0

    def iin_of(self, *, challenge_id: str, now: dt.datetime) -> Iin | None:
        # Also when its guesses are used up: every guess is recorded with the person.
        pending = self.serving().challenge_of(challenge_id=_row(challenge_id), now=now)
        return None if pending is None else Iin.parse(pending.iin)


def _row(challenge_id: str) -> str:
    """The key of a challenge's row: a digest of its id, which only the browser holds."""
    return hashlib.sha256(f"urpaq challenge:{challenge_id}".encode()).hexdigest()


def _code_digest(challenge_id: str, code: str) -> str:
    """A code's digest keyed with its challenge's id: six digits are tried in a moment,
    but not without the id."""
    return hmac.new(challenge_id.encode(), code.encode(), hashlib.sha256).hexdigest()

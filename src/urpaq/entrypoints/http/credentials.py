"""The operators' credentials a server process has just found active, believed for a
moment without asking the database again — for reads only (docs/decisions/0024).

A bank reads savings many times a second with one credential; asking the database each
time took a worker thread and a query per read, about a fifth of an API read's time.  A
request that changes something (a payout, a confirmation, a return) always asks, and what
it finds replaces what was kept: money moves only on a credential found active at that
moment.  A revocation or rotation made in the back office of this process is seen at
once (`forget_all`); one made elsewhere (another process, `urpaq operator revoke`) stops
this process's reads within `CREDENTIAL_BELIEVED_SECONDS`.

Only credentials found active are kept, by their digest (the process keeps no
credential), at most `CREDENTIALS_KEPT_MAX` of them: a client sending made-up
credentials fills nothing and is asked about every time.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from urpaq.domain.operators import AuthorisedOperator

#: How long a credential found active is believed by the reads of one server process.
CREDENTIAL_BELIEVED_SECONDS = 1.0

#: How many credentials one process keeps at most (the authorised banks': a handful);
#: the one used longest ago goes first.
CREDENTIALS_KEPT_MAX = 256


class BelievedCredentials:
    """Credential digest → the active operator found with it, and when."""

    def __init__(
        self,
        *,
        believed_seconds: float = CREDENTIAL_BELIEVED_SECONDS,
        kept_max: int = CREDENTIALS_KEPT_MAX,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        assert believed_seconds >= 0 and kept_max > 0
        self.believed_seconds = believed_seconds
        self.kept_max = kept_max
        self.clock = clock
        self._found: OrderedDict[str, tuple[float, AuthorisedOperator]] = OrderedDict()
        #: How many times everything was forgotten: an answer the database gave before
        #: the last time is not kept (it may predate the revocation that caused it).
        self.generation = 0

    def believed(self, digest: str) -> AuthorisedOperator | None:
        """The operator found with this credential less than `believed_seconds` ago."""
        kept = self._found.get(digest)
        if kept is None:
            return None
        found_at, operator = kept
        if self.clock() - found_at >= self.believed_seconds:
            del self._found[digest]
            return None
        self._found.move_to_end(digest)
        return operator

    def found(self, digest: str, operator: AuthorisedOperator | None, *, asked_in: int) -> None:
        """What the database said of a credential when asked in `generation` `asked_in`:
        kept if active and nothing was forgotten since, forgotten if not active."""
        if operator is None or not operator.active:
            self._found.pop(digest, None)
            return
        if asked_in != self.generation:
            return
        self._found[digest] = (self.clock(), operator)
        self._found.move_to_end(digest)
        while len(self._found) > self.kept_max:
            self._found.popitem(last=False)

    def forget_all(self) -> None:
        """An operator was revoked or its credential rotated here: ask again."""
        self._found.clear()
        self.generation += 1

    def __len__(self) -> int:
        return len(self._found)

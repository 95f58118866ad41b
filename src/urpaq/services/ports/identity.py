"""The identity port: who is signing in.

In production the identity provider is the government's identity service (eGov), which
this system cannot reach from here; `adapters/identity.py` has a development provider
that writes a one-time code to the server log (docs/identity.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from urpaq.domain.iin import Iin


@dataclass(frozen=True, slots=True)
class Challenge:
    """A sign-in under way: the provider has asked the person to prove who they are."""

    challenge_id: str
    expires_at: dt.datetime


class IdentityUnavailable(RuntimeError):
    """The provider cannot answer now (its service or gateway down, a timeout): what a
    provider raises then, as it may any `OSError`; the sign-in page says so, and to try
    again later, where it answered 500."""


class IdentityProvider(Protocol):
    name: str

    def begin(self, *, iin: Iin, now: dt.datetime) -> Challenge:
        """Start proving that the person at the keyboard holds `iin`.  The answer must
        not depend on whether the register knows the IIN."""
        ...

    def complete(self, *, challenge_id: str, response: str, now: dt.datetime) -> Iin | None:
        """The proven IIN, or None (wrong, expired, used, or too many tries)."""
        ...

    def iin_of(self, *, challenge_id: str, now: dt.datetime) -> Iin | None:
        """The IIN a sign-in not yet expired is for, also when its tries are used up, or
        None (no such challenge, expired, or used).  Asking is not a try and proves
        nothing: the pages use it to limit and to audit the code guesses aimed at one
        person, the guesses past its tries too."""
        ...

"""Allowances: a token bucket per client address, for lookups, sign-ins and one-time
code guesses; and one per IIN, for sign-ins and code guesses, whoever makes them.  The
buckets live in the serving store, so every server process counts against the same
allowance."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from urpaq.entrypoints.http.web.settings import WebSettings
from urpaq.services.ports.serving import ServingPort


@dataclass(frozen=True)
class RateLimiter:
    """A token bucket per client: `capacity` at once, one more every `refill_seconds`."""

    name: str
    capacity: int
    refill_seconds: float
    serving: Callable[[], ServingPort]

    async def take(self, client: str, *, now: float) -> float:
        """0 if the client may go on; otherwise the seconds until it may.  `now` is in
        seconds since the epoch, the same clock in every process.  The event loop waits
        for the store's writer without a worker thread."""
        # The bucket is named by a digest: the store keeps no address and no IIN.
        bucket = hashlib.sha256(f"{self.name}:{client}".encode()).hexdigest()[:32]
        taken = self.serving().take_token_later(
            bucket=bucket,
            capacity=self.capacity,
            refill_seconds=self.refill_seconds,
            now=now,
        )
        return await asyncio.wrap_future(taken)


@dataclass(frozen=True)
class RateLimits:
    """The pages' allowances, one set per server: per client, and per IIN (keyed on the
    IIN, so that no number of addresses buys more tries at one person's sign-in)."""

    lookups: RateLimiter
    sign_ins: RateLimiter
    codes: RateLimiter
    sign_ins_per_iin: RateLimiter
    codes_per_iin: RateLimiter

    @classmethod
    def from_settings(
        cls, settings: WebSettings, *, serving: Callable[[], ServingPort]
    ) -> RateLimits:
        return cls(
            lookups=RateLimiter(
                "lookup", settings.lookups_per_client, settings.lookup_refill_seconds, serving
            ),
            sign_ins=RateLimiter(
                "sign-in", settings.sign_ins_per_client, settings.sign_in_refill_seconds, serving
            ),
            # Code guesses are limited per client like sign-ins (and per challenge by the
            # provider).
            codes=RateLimiter(
                "code", settings.sign_ins_per_client * 2, settings.sign_in_refill_seconds, serving
            ),
            sign_ins_per_iin=RateLimiter(
                "sign-in-iin", settings.sign_ins_per_iin, settings.sign_in_refill_seconds, serving
            ),
            codes_per_iin=RateLimiter(
                "code-iin", settings.codes_per_iin, settings.sign_in_refill_seconds, serving
            ),
        )


def client_of(request: Request) -> str:
    """The client a bucket belongs to: the address the request came from."""
    return request.client.host if request.client else "unknown"

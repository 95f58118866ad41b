"""Allowances: a token bucket per client address, for lookups, sign-ins and one-time
code guesses; and one per IIN, for sign-ins and code guesses, whoever makes them."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from fastapi import Request

from urpaq.entrypoints.http.web.settings import WebSettings


class RateLimiter:
    """A token bucket per client: `capacity` at once, one more every `refill` seconds."""

    def __init__(self, *, capacity: int, refill_seconds: float) -> None:
        self.capacity = capacity
        self.refill_seconds = refill_seconds
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, client: str, *, now: float) -> float:
        """0 if the client may go on; otherwise the seconds until it may."""
        with self._lock:
            if len(self._buckets) > 100_000:  # forget full buckets, bounded memory
                full = self.capacity * self.refill_seconds
                self._buckets = {
                    key: (tokens, at)
                    for key, (tokens, at) in self._buckets.items()
                    if now - at < full
                }
            tokens, at = self._buckets.get(client, (float(self.capacity), now))
            tokens = min(float(self.capacity), tokens + (now - at) / self.refill_seconds)
            if tokens < 1:
                self._buckets[client] = (tokens, now)
                return (1 - tokens) * self.refill_seconds
            self._buckets[client] = (tokens - 1, now)
            return 0.0


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
    def from_settings(cls, settings: WebSettings) -> RateLimits:
        return cls(
            lookups=RateLimiter(
                capacity=settings.lookups_per_client,
                refill_seconds=settings.lookup_refill_seconds,
            ),
            sign_ins=RateLimiter(
                capacity=settings.sign_ins_per_client,
                refill_seconds=settings.sign_in_refill_seconds,
            ),
            # Code guesses are limited per client like sign-ins (and per challenge by the
            # provider).
            codes=RateLimiter(
                capacity=settings.sign_ins_per_client * 2,
                refill_seconds=settings.sign_in_refill_seconds,
            ),
            sign_ins_per_iin=RateLimiter(
                capacity=settings.sign_ins_per_iin, refill_seconds=settings.sign_in_refill_seconds
            ),
            codes_per_iin=RateLimiter(
                capacity=settings.codes_per_iin, refill_seconds=settings.sign_in_refill_seconds
            ),
        )


def client_of(request: Request) -> str:
    """The client a bucket belongs to: the address the request came from."""
    return request.client.host if request.client else "unknown"

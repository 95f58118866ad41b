"""Allowances: a token bucket per client address (an IPv6 client's /64), for lookups,
sign-ins and one-time code guesses; and one per IIN, for sign-ins and code guesses,
whoever makes them.  The buckets live in the serving store, so every server process
counts against the same allowance."""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

from fastapi import Request

from urpaq.entrypoints.http.web.settings import WebSettings
from urpaq.services.ports.serving import ServingPort

error_log = logging.getLogger("urpaq.error")


#: How often one server process sweeps the full buckets out of the store.
SWEEP_EVERY_SECONDS = 60.0


@dataclass
class Sweeper:
    """Deletes, at most once a minute per process, the buckets untouched for longer than
    the slowest allowance takes to refill (`horizon_seconds`): each of them is full, the
    same as no bucket, so the store keeps the buckets of recent clients only."""

    horizon_seconds: float
    serving: Callable[[], ServingPort]
    last: float = 0.0

    def now_and_then(self, now: float) -> None:
        """Start a sweep if the last one is a minute old; its end is not waited for."""
        if now - self.last < SWEEP_EVERY_SECONDS:
            return
        self.last = now
        swept = self.serving().forget_full_buckets(untouched_since=now - self.horizon_seconds)
        swept.add_done_callback(_log_failure)


def _log_failure(swept: Future[None]) -> None:
    if (error := swept.exception()) is not None:
        error_log.error("sweeping the full rate-limit buckets failed: %s", type(error).__name__)


@dataclass(frozen=True)
class RateLimiter:
    """A token bucket per client: `capacity` at once, one more every `refill_seconds`."""

    name: str
    capacity: int
    refill_seconds: float
    serving: Callable[[], ServingPort]
    sweeper: Sweeper | None = None

    async def take(self, client: str, *, now: float) -> float:
        """0 if the client may go on; otherwise the seconds until it may.  `now` is in
        seconds since the epoch, the same clock in every process.  The event loop waits
        for the store's writer without a worker thread."""
        # The bucket is named by a digest: the store keeps no address and no IIN.
        bucket = hashlib.sha256(f"{self.name}:{client}".encode()).hexdigest()[:32]
        if self.sweeper is not None:
            self.sweeper.now_and_then(now)
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
    staff_sign_ins: RateLimiter

    @classmethod
    def from_settings(
        cls, settings: WebSettings, *, serving: Callable[[], ServingPort]
    ) -> RateLimits:
        allowances = {
            "lookup": (settings.lookups_per_client, settings.lookup_refill_seconds),
            "sign-in": (settings.sign_ins_per_client, settings.sign_in_refill_seconds),
            # Code guesses are limited per client like sign-ins (and per challenge by the
            # provider).
            "code": (settings.sign_ins_per_client * 2, settings.sign_in_refill_seconds),
            "sign-in-iin": (settings.sign_ins_per_iin, settings.sign_in_refill_seconds),
            "code-iin": (settings.codes_per_iin, settings.sign_in_refill_seconds),
            "staff-sign-in": (
                settings.staff_sign_ins_per_client,
                settings.staff_sign_in_refill_seconds,
            ),
        }
        slowest = max(capacity * refill for capacity, refill in allowances.values())
        sweeper = Sweeper(horizon_seconds=slowest, serving=serving)
        limiter = {
            name: RateLimiter(name, capacity, refill, serving, sweeper)
            for name, (capacity, refill) in allowances.items()
        }
        return cls(
            lookups=limiter["lookup"],
            sign_ins=limiter["sign-in"],
            codes=limiter["code"],
            sign_ins_per_iin=limiter["sign-in-iin"],
            codes_per_iin=limiter["code-iin"],
            staff_sign_ins=limiter["staff-sign-in"],
        )


def client_of(request: Request) -> str:
    """The address the request came from (as a trusted proxy said, if one did)."""
    return request.client.host if request.client else "unknown"


#: An IPv6 client is counted by its /64, the network one subscriber is given whole: its
#: 2**64 addresses buy no more than one.
IPV6_CLIENT_PREFIX = 64

#: The well-known prefix of NAT64 (RFC 6052): an IPv4 address in its last 32 bits.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def limited_client(request: Request) -> str:
    """Whom a limit per client counts: an IPv4 address (also one written as an
    IPv4-mapped IPv6 address, `::ffff:198.51.100.7`, or reached through NAT64,
    `64:ff9b::198.51.100.7`), or the /64 network of an IPv6 one."""
    host = client_of(request)
    try:
        address = ipaddress.ip_address(host)
    except ValueError:  # no address (a test client's name): itself
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        if address in _NAT64:  # an IPv4 client reached over a translating gateway
            return str(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        return str(ipaddress.IPv6Network((address, IPV6_CLIENT_PREFIX), strict=False))
    return str(address)

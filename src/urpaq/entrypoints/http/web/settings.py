"""What an operator of the server may tune on the pages (tests and benchmarks do)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WebSettings:
    """The lookup's minimum answer time, the per-client and the per-IIN allowances."""

    lookup_seconds_min: float = 0.25  # every lookup answer takes at least this long
    lookups_per_client: int = 10  # a client's burst of lookups …
    lookup_refill_seconds: float = 60.0  # … then one more per this many seconds
    sign_ins_per_client: int = 5  # sign-ins a client may start at once (code guesses: 2×)
    sign_in_refill_seconds: float = 60.0  # … then one more per this many seconds
    sign_ins_per_iin: int = 5  # sign-ins for one IIN at once, whoever starts them …
    codes_per_iin: int = 10  # … and code guesses at its challenges (same refill)
    # The back office's sign-ins begun: an office of staff behind one address signs in at
    # nine, an anonymous client is held back.
    staff_sign_ins_per_client: int = 100
    staff_sign_in_refill_seconds: float = 0.5

"""Exponential backoff with jitter: how long to wait after the nth consecutive failure."""

from __future__ import annotations

import random
from collections.abc import Callable


def backoff_delay(
    failures: int,
    base: float,
    cap: float,
    retry_after: float | None = None,
    uniform: Callable[[float, float], float] = random.uniform,
) -> float:
    """Seconds to wait after `failures` (>= 1) failures in a row: base * 2**(failures-1), capped, with
    "equal jitter" (half fixed, half random) so sources that failed together do not retry together.
    A server's Retry-After is honoured when longer (still capped)."""
    exponential = min(cap, base * 2.0 ** min(failures - 1, 30))
    delay: float = exponential / 2 + uniform(0.0, exponential / 2)
    if retry_after is not None:
        delay = max(delay, min(cap, retry_after))
    return delay

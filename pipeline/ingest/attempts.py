"""Items that failed (an article page, a file): when to try again, and when to give up."""

from __future__ import annotations

import math
import time

from pipeline.ingest.backoff import backoff_delay
from pipeline.ingest.config import RetryOptions
from pipeline.ingest.store import SeenStore


class Attempts:
    """Per-item retry bookkeeping in the seen-store, so it survives restarts."""

    def __init__(self, store: SeenStore, options: RetryOptions):
        self.store = store
        self.options = options

    def status(self, item: str) -> str:
        """`try` (never failed, or its backoff is over), `wait` (backing off) or `gave_up`."""
        known = self.store.failure(item)
        if known is None:
            return "try"
        attempts, retry_at = known
        if attempts >= self.options.attempts or math.isinf(retry_at):
            return "gave_up"
        return "try" if time.time() >= retry_at else "wait"

    def failed(self, item: str, error: str, retry_after: float | None = None) -> str:
        """Record a failure; a note for the log line: when the next attempt is, or that this was the last."""
        known = self.store.failure(item)
        attempts = (known[0] if known else 0) + 1
        if attempts >= self.options.attempts:
            self.store.remember_failure(item, attempts, math.inf, error)
            return f"giving up after {attempts} attempt(s)"
        delay = backoff_delay(attempts, self.options.base, self.options.max, retry_after)
        self.store.remember_failure(item, attempts, delay, error)
        return f"attempt {attempts} of {self.options.attempts}, next in {delay:.1f}s"

    def succeeded(self, item: str) -> None:
        self.store.forget_failure(item)

"""The ingester's counters: kept per run for the screen and the final report, mirrored to Prometheus."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from prometheus_client import Counter as PromCounter
from prometheus_client import Gauge

COUNTER_NAMES = (
    "polls",  # feed requests and folder scans
    "not_modified",  # feed requests answered 304
    "fetched",  # articles obtained: pages extracted, file items read, stdin lines parsed
    "unchanged",  # feed entries already published and unchanged in the feed: not fetched again
    "published",  # records the broker acknowledged (new articles and revisions)
    "revisions",  # of which revisions of an article published before
    "duplicates",  # articles whose exact content was published before
    "errors",  # failures: a feed, page, file or line that gave nothing (each also logged)
)

EVENTS = PromCounter("newsflow_ingest_events_total", "What the ingester did, by source", ["source", "event"])
ERRORS = PromCounter("newsflow_ingest_errors_total", "Ingest failures by source and kind", ["source", "kind"])
LAST_SUCCESS = Gauge(
    "newsflow_ingest_last_success_timestamp_seconds", "When a source was last read successfully", ["source"]
)


@dataclass
class Counters:
    """Totals for this run, per source and overall."""

    totals: Counter[str] = field(default_factory=Counter)
    by_source: dict[str, Counter[str]] = field(default_factory=dict)
    error_kinds: Counter[str] = field(default_factory=Counter)

    def add(self, source: str, event: str, amount: int = 1) -> None:
        if event not in COUNTER_NAMES:
            raise ValueError(f"unknown counter {event!r}")
        self.totals[event] += amount
        self.by_source.setdefault(source, Counter())[event] += amount
        EVENTS.labels(source, event).inc(amount)

    def error(self, source: str, kind: str) -> None:
        self.add(source, "errors")
        self.error_kinds[kind] += 1
        ERRORS.labels(source, kind).inc()

    def succeeded(self, source: str) -> None:
        LAST_SUCCESS.labels(source).set(time.time())

    def summary(self) -> str:
        """One line: every counter in a fixed order."""
        return ", ".join(f"{name} {self.totals[name]}" for name in COUNTER_NAMES)

    def as_dict(self) -> dict[str, int]:
        return {name: self.totals[name] for name in COUNTER_NAMES}

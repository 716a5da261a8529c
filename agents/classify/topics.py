"""Turning per-topic scores into a record's `topics` list and `primary_topic`."""

from __future__ import annotations

from collections.abc import Mapping

from agents.classify.scoring import ranked
from agents.classify.taxonomy import Topic, by_code
from pipeline.records import Record


def with_topics(
    record: Record,
    scores: Mapping[str, float],
    threshold: float,
    catalogue: Mapping[str, Topic] | None = None,
    max_subjects: int | None = None,
) -> Record:
    """A new record: the input plus `topics` (scores at or above the threshold, best first; at most
    `max_subjects` top-level topics when given; a second-level topic only under an emitted parent) and
    `primary_topic` (the best emitted top-level topic, or None)."""
    known = catalogue if catalogue is not None else by_code()
    emitted = ranked(scores, threshold)
    if max_subjects is not None:
        kept_subjects = set([code for code, _ in emitted if known[code].parent is None][:max_subjects])
        emitted = [(code, score) for code, score in emitted if (known[code].parent or code) in kept_subjects]
    emitted_codes = {code for code, _ in emitted}
    entries = [
        known[code].entry(score)
        for code, score in emitted
        if known[code].parent is None or known[code].parent in emitted_codes
    ]
    primary = next((entry for entry in entries if entry["level"] == 1), None)
    return {**record, "topics": entries, "primary_topic": primary}

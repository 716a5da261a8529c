"""Replaying articles into the pipeline: the seed files, or a topic's records from a point in time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from pipeline.config import Settings
from pipeline.producer import Progress, PublishReport, publish
from pipeline.records import Record, loads, provenance_entry
from pipeline.sources import InputProblem, read_articles
from pipeline.tail import read_topics
from schemas.definitions import RAW_FIELDS

DEFAULT_SEEDS = Path("seeds")


def replay_files(settings: Settings, paths: list[Path], on_item: Progress | None = None) -> PublishReport:
    """Publish seed files (or any article files) to `articles.raw`; their ids are the same every time."""
    return publish(settings, read_articles(paths), on_item=on_item)


def as_raw(record: Record) -> Record:
    """A record from any stage cut back to its raw fields, with a provenance entry saying it was replayed."""
    raw = {key: record[key] for key in RAW_FIELDS if key in record}
    raw["provenance"] = [*record.get("provenance", [])[:1], provenance_entry("replay")]
    return raw


def records_since(settings: Settings, topic: str, since: datetime) -> Iterator[Record | InputProblem]:
    """A topic's records from a time on, as raw records; undecodable ones as problems."""
    for message in read_topics(settings, [topic], start=since):
        where = f"{message.topic}/{message.partition}@{message.offset}"
        try:
            value = loads(message.value)
        except ValueError as error:
            yield InputProblem(where, f"not JSON: {error}")
            continue
        if not isinstance(value, dict) or "raw" not in value:
            yield InputProblem(where, "not an article record (no `raw` field)")
            continue
        yield as_raw(value)


def replay_topic(
    settings: Settings, topic: str, since: datetime, on_item: Progress | None = None
) -> PublishReport:
    """Re-drive a topic's articles from a time on through the whole pipeline, via `articles.raw`."""
    return publish(settings, records_since(settings, topic, since), on_item=on_item)

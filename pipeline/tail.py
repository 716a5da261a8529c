"""Reading topics' records from the beginning, the end, or a time, until caught up or for ever."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from pipeline.clients import consumer
from pipeline.config import Settings
from pipeline.errors import ConfigError
from pipeline.topics import ALL_TOPICS, missing_topics, physical

Start = str | datetime


def utc_if_naive(moment: datetime) -> datetime:
    """A time from the command line: as given when it names its zone, else read as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def topic_name(settings: Settings, topic: str) -> str:
    """A topic given by logical name (`articles.enriched`, `enriched`) or by its name on the cluster."""
    for logical in ALL_TOPICS:
        if topic in (logical, logical.removeprefix("articles.")):
            return physical(settings, logical)
    return topic


def read_topics(
    settings: Settings,
    topics: Sequence[str],
    *,
    start: Start = "beginning",
    follow: bool = False,
    limit: int | None = None,
    timeout_s: float | None = None,
    poll_ms: int = 500,
) -> Iterator[ConsumerRecord]:
    """Records of every partition of the topics from `start` ("beginning", "end" or a time).

    Stops when caught up with the end offsets seen at the start (unless following), after `limit` records,
    or when `timeout_s` has passed."""
    names = [topic_name(settings, topic) for topic in topics]
    missing = missing_topics(settings, names)
    if missing:
        raise ConfigError(
            f"topic {', '.join(map(repr, missing))} does not exist on the cluster "
            "(`newsflow topics create` makes the pipeline's topics)"
        )
    deadline = time.monotonic() + timeout_s if timeout_s is not None else None
    reader = consumer(settings)
    try:
        partitions = [
            TopicPartition(name, partition)
            for name in names
            for partition in sorted(reader.partitions_for_topic(name) or ())
        ]
        reader.assign(partitions)
        end = reader.end_offsets(partitions)
        _seek(reader, partitions, start, end)
        count = 0
        while deadline is None or time.monotonic() < deadline:
            for records in reader.poll(timeout_ms=poll_ms).values():
                for record in records:
                    yield record
                    count += 1
                    if limit is not None and count >= limit:
                        return
            if not follow and all(reader.position(tp) >= end[tp] for tp in partitions):
                return
    finally:
        reader.close()


def _seek(
    reader: KafkaConsumer, partitions: list[TopicPartition], start: Start, end: dict[TopicPartition, int]
) -> None:
    if start == "beginning":
        reader.seek_to_beginning(*partitions)
    elif start == "end":
        reader.seek_to_end(*partitions)
    elif isinstance(start, datetime):
        found = reader.offsets_for_times({tp: int(start.timestamp() * 1000) for tp in partitions})
        for tp in partitions:
            hit = found.get(tp)
            reader.seek(tp, hit.offset if hit is not None else end[tp])
    else:
        raise ConfigError(f"unknown start {start!r}: use beginning, end or an ISO time")

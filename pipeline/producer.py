"""Publishing raw articles: validate each against the topic's schema, send keyed by id, count what failed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kafka.errors import KafkaError

from pipeline.clients import producer
from pipeline.config import Settings
from pipeline.errors import ConfigError
from pipeline.records import Record, dumps
from pipeline.sources import InputProblem
from pipeline.topics import RAW, missing_topics, physical
from schemas import SchemaViolation, validator

Progress = Callable[[Record | InputProblem], None]


@dataclass
class PublishReport:
    """What a publish did: ids sent (in order) and the items that could not be sent, with why."""

    sent: list[str] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)


def publish(
    settings: Settings,
    items: Iterable[Record | InputProblem],
    *,
    topic: str = RAW,
    on_item: Progress | None = None,
) -> PublishReport:
    """Send every valid record to the topic (idempotent producer, acks=all) and wait for the broker's ack."""
    target = physical(settings, topic)
    if missing_topics(settings, [target]):
        raise ConfigError(f"topic {target!r} does not exist: run `newsflow topics create` first")
    report = PublishReport()
    check = validator(topic)
    kafka = producer(settings)
    pending = []
    try:
        for item in items:
            if isinstance(item, InputProblem):
                report.problems.append(item)
            else:
                value = encode_checked(item, check, settings.max_record_bytes)
                if isinstance(value, InputProblem):
                    report.problems.append(value)
                else:
                    future = kafka.send(target, key=item["id"].encode(), value=value)
                    pending.append((item, future))
            if on_item:
                on_item(item)
        kafka.flush()
        for record, future in pending:
            try:
                future.get(timeout=30)
                report.sent.append(record["id"])
            except KafkaError as error:
                report.problems.append(InputProblem(record["source"], f"not delivered: {error}"))
    finally:
        kafka.close(timeout=10)
    return report


def encode_checked(record: Record, check: Callable[[Record], object], max_bytes: int) -> bytes | InputProblem:
    """The record's bytes to publish, or why it cannot be published (fails the topic's schema, or is too large)."""
    try:
        check(record)
    except SchemaViolation as error:
        return InputProblem(record["source"], f"does not match the raw schema: {error.message}")
    value = dumps(record)
    if len(value) > max_bytes:
        return InputProblem(record["source"], f"record of {len(value)} bytes exceeds the {max_bytes}-byte limit")
    return value


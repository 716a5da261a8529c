"""The dead-letter topic as a tool: summarise its envelopes, and re-drive their original bytes exactly once."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from kafka.errors import KafkaError

from agents.registry import STAGE_NAMES, check_stage_name
from pipeline.clients import admin_client, producer
from pipeline.config import Settings
from pipeline.errors import ConfigError, NewsflowError
from pipeline.records import Record, dumps, loads, now_iso
from pipeline.tail import Start, read_topics, utc_if_naive
from pipeline.topics import DLQ, ENTITIES, NORMALIZED, RAW, create_missing, missing_topics, physical
from schemas import SchemaViolation, load_schema, validator

# A compacted topic with one marker per dead letter already re-driven, keyed by its DLQ position, so a second
# `replay` (or one with a wider filter) skips it. Compaction keeps the latest marker of every key for good,
# unlike the offsets of an idle consumer group, which Kafka drops after `offsets.retention.minutes`.
REPLAY_LEDGER = "articles.dlq.replayed"
REPLAY_HEADER = "newsflow.replay-of"
STAGE_INPUTS = (RAW, NORMALIZED, ENTITIES)
UNREADABLE = "unreadable"  # the reason shown for a DLQ record that is not a valid envelope itself
REASONS: tuple[str, ...] = tuple(load_schema(DLQ)["properties"]["reason"]["enum"])


class DLQMessage(Protocol):
    """What is read of a DLQ record (kafka-python's ConsumerRecord has these)."""

    partition: int
    offset: int
    timestamp: int
    key: bytes | None
    value: bytes | None


@dataclass(frozen=True)
class DeadLetter:
    """One record of the dead-letter topic: where it sits there, and its envelope (None if unreadable)."""

    partition: int
    offset: int
    timestamp: int
    key: bytes | None
    envelope: Record | None

    @property
    def position(self) -> str:
        """Its place in the DLQ topic, the ledger's key: `partition:offset`."""
        return f"{self.partition}:{self.offset}"

    @property
    def stage(self) -> str:
        return str(self.envelope["stage"]) if self.envelope else "?"

    @property
    def reason(self) -> str:
        return str(self.envelope["reason"]) if self.envelope else UNREADABLE

    @property
    def source_topic(self) -> str | None:
        return str(self.envelope["source"]["topic"]) if self.envelope else None

    def original(self) -> bytes | None:
        """The bytes the stage failed on, or None when the envelope does not carry valid base64."""
        if self.envelope is None:
            return None
        try:
            return base64.b64decode(self.envelope["original"], validate=True)
        except (binascii.Error, ValueError):
            return None


def parse(message: DLQMessage) -> DeadLetter:
    """A DLQ record as a DeadLetter; a value that is not a valid envelope gives `envelope=None`."""
    envelope: Any = None
    with suppress(ValueError, TypeError):
        envelope = loads(message.value or b"")
    if envelope is not None:
        try:
            validator(DLQ)(envelope)
        except SchemaViolation:
            envelope = None
    return DeadLetter(message.partition, message.offset, message.timestamp, message.key, envelope)


def check_filters(stage: str | None, reason: str | None) -> None:
    """A ConfigError for a --stage or --reason no dead letter can have."""
    if stage is not None:
        check_stage_name(stage)
    if reason is not None and reason not in (*REASONS, UNREADABLE):
        raise ConfigError(f"unknown reason {reason!r}; choose one of {', '.join(REASONS)}")


def matches(letter: DeadLetter, stage: str | None = None, reason: str | None = None) -> bool:
    """Whether a dead letter passes the --stage and --reason filters (None: any)."""
    return (stage is None or letter.stage == stage) and (reason is None or letter.reason == reason)


# ---------------------------------------------------------------- summary


@dataclass
class SummaryRow:
    """The dead letters of one stage and reason."""

    stage: str
    reason: str
    count: int = 0
    replayed: int = 0
    first_failed_at: str | None = None
    last_failed_at: str | None = None
    example: str = ""


def summarise(letters: Iterable[DeadLetter], ledger: Mapping[str, int]) -> list[SummaryRow]:
    """Dead letters counted by stage (pipeline order) and reason (most frequent first), with how many of
    them were re-driven already and the latest error message as an example."""
    rows: dict[tuple[str, str], SummaryRow] = {}
    for letter in letters:
        row = rows.setdefault((letter.stage, letter.reason), SummaryRow(letter.stage, letter.reason))
        row.count += 1
        row.replayed += already_replayed(letter, ledger)
        if letter.envelope is None:
            row.example = "the DLQ record is not a valid dead-letter envelope"
            continue
        failed_at = str(letter.envelope["failed_at"])
        row.first_failed_at = min(row.first_failed_at or failed_at, failed_at)
        if failed_at >= (row.last_failed_at or ""):
            row.last_failed_at = failed_at
            row.example = f"{letter.envelope['error']['class']}: {letter.envelope['error']['message']}"
    order = {stage: index for index, stage in enumerate(STAGE_NAMES)}
    return sorted(rows.values(), key=lambda row: (order.get(row.stage, len(order)), row.stage, -row.count))


# ---------------------------------------------------------------- replay plan


def already_replayed(letter: DeadLetter, ledger: Mapping[str, int]) -> bool:
    """Whether the ledger has re-driven this very record (same position and timestamp: a DLQ topic that was
    deleted and re-created reuses positions, not timestamps)."""
    return ledger.get(letter.position) == letter.timestamp


@dataclass
class ReplayReport:
    """What a replay did: dead letters re-driven (or to be, when planned or on a dry run), skipped, failed."""

    sent: list[DeadLetter] = field(default_factory=list)
    already_replayed: int = 0
    problems: list[tuple[DeadLetter, str]] = field(default_factory=list)


def plan_replay(
    letters: Iterable[DeadLetter],
    ledger: Mapping[str, int],
    stage_inputs: Iterable[str],
    *,
    stage: str | None = None,
    reason: str | None = None,
    again: bool = False,
) -> ReplayReport:
    """Which matching dead letters to re-drive (`sent`): not re-driven before (unless `again`), readable, and
    failed on a topic a stage of this pipeline consumes (`stage_inputs`, physical names)."""
    targets = set(stage_inputs)
    plan = ReplayReport()
    for letter in letters:
        if not matches(letter, stage, reason):
            continue
        if not again and already_replayed(letter, ledger):
            plan.already_replayed += 1
        elif letter.envelope is None:
            plan.problems.append((letter, "not a valid dead-letter envelope"))
        elif letter.original() is None:
            plan.problems.append((letter, "its `original` is not valid base64"))
        elif letter.envelope.get("original_truncated"):
            size = letter.envelope.get("original_size")
            plan.problems.append((letter, f"the DLQ kept only part of its {size} original bytes"))
        elif letter.source_topic not in targets:
            plan.problems.append((letter, f"source topic {letter.source_topic!r} is not a stage input here"))
        else:
            plan.sent.append(letter)
    return plan


def ledger_entry(letter: DeadLetter) -> Record:
    """The ledger's marker for a dead letter that was re-driven."""
    assert letter.envelope is not None
    return {
        "dlq_timestamp": letter.timestamp,
        "replayed_at": now_iso(),
        "target": letter.source_topic,
        "stage": letter.stage,
        "reason": letter.reason,
        "id": letter.envelope["id"],
    }


def ledger_positions(values: Iterable[tuple[bytes | None, bytes | None]]) -> dict[str, int]:
    """The ledger's (key, value) records as {DLQ position: DLQ timestamp}; the last marker of a key wins."""
    positions: dict[str, int] = {}
    for key, value in values:
        if key is None:
            continue
        with suppress(ValueError, TypeError, KeyError):
            positions[key.decode("utf-8")] = int(loads(value or b"")["dlq_timestamp"])
    return positions


# ---------------------------------------------------------------- on the broker


def stage_input_topics(settings: Settings) -> list[str]:
    """The topics the stages consume, as named on the cluster: where dead letters may be re-driven to."""
    return [physical(settings, topic) for topic in STAGE_INPUTS]


def read_dead_letters(settings: Settings, start: Start = "beginning") -> Iterator[DeadLetter]:
    """The DLQ's records from `start` up to its end now."""
    for message in read_topics(settings, [DLQ], start=start):
        yield parse(message)


def read_ledger(settings: Settings) -> dict[str, int]:
    """{DLQ position: DLQ timestamp} of every dead letter re-driven so far (empty before the first replay)."""
    topic = physical(settings, REPLAY_LEDGER)
    if missing_topics(settings, [topic]):
        return {}
    return ledger_positions((message.key, message.value) for message in read_topics(settings, [topic]))


def ensure_ledger(settings: Settings) -> str:
    """Create the compacted ledger topic when missing; its name on the cluster."""
    topic = physical(settings, REPLAY_LEDGER)
    options = {
        "num_partitions": 1,
        "replication_factor": settings.replication_factor,
        "configs": {"cleanup.policy": "compact"},
    }
    with admin_client(settings) as admin:
        create_missing(admin, {topic: options})
    return topic


def dlq_summary(
    settings: Settings, start: Start = "beginning", stage: str | None = None, reason: str | None = None
) -> list[SummaryRow]:
    """The DLQ summarised by stage and reason (`newsflow dlq list`)."""
    check_filters(stage, reason)
    letters = [letter for letter in read_dead_letters(settings, start) if matches(letter, stage, reason)]
    return summarise(letters, read_ledger(settings))


def replay(
    settings: Settings,
    *,
    stage: str | None = None,
    reason: str | None = None,
    again: bool = False,
    dry_run: bool = False,
) -> ReplayReport:
    """Re-drive matching dead letters' original bytes and keys to the topic their stage consumes.

    Each one re-driven gets a ledger marker once the broker acknowledged it, so it is not re-sent by a later
    replay unless `again`. A crash between the two re-sends it next time: at-least-once, like the pipeline."""
    check_filters(stage, reason)
    letters = list(read_dead_letters(settings))
    report = plan_replay(
        letters, read_ledger(settings), stage_input_topics(settings), stage=stage, reason=reason, again=again
    )
    if dry_run or not report.sent:
        return report
    ledger = ensure_ledger(settings)
    kafka = producer(settings)
    try:
        pending = []
        for letter in report.sent:
            try:
                future = kafka.send(
                    str(letter.source_topic),
                    key=letter.key,
                    value=letter.original(),
                    headers=[(REPLAY_HEADER, letter.position.encode())],
                )
            except KafkaError as error:  # e.g. still over the size cap: the others go on
                report.problems.append((letter, f"not re-driven: {error}"))
            else:
                pending.append((letter, future))
        kafka.flush()
        delivered = []
        for letter, future in pending:
            try:
                future.get(timeout=30)
                delivered.append(letter)
            except KafkaError as error:
                report.problems.append((letter, f"not re-driven: {error}"))
        markers = [
            kafka.send(ledger, key=letter.position.encode(), value=dumps(ledger_entry(letter)))
            for letter in delivered
        ]
        kafka.flush()
        for marker in markers:
            marker.get(timeout=30)
        report.sent = delivered
    except KafkaError as error:
        raise NewsflowError(
            f"replay interrupted: {error}; the dead letters it did not mark will be re-sent next time"
        ) from error
    finally:
        kafka.close(timeout=10)
    return report


def since_start(since: datetime | None) -> Start:
    """A --since option as a read start: the beginning of the topic when not given, UTC when naive."""
    if since is None:
        return "beginning"
    return utc_if_naive(since)

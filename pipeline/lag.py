"""Consumer lag: committed vs log-end offsets, the age of the oldest unconsumed record, and statuses over time."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TypeVar

from kafka import KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError
from kafka.protocol.consumer import OffsetSpec

from agents.registry import STAGE_NAMES
from pipeline.app import group_id
from pipeline.clients import admin_client, consumer
from pipeline.config import Settings
from pipeline.lag_status import PartitionSample, Policy, Status, Verdict, evaluate, worst
from pipeline.topics import DLQ, STAGE_TOPICS, physical

# A group in these states has members but no settled assignment: whether a partition is owned is unknown.
REBALANCING_STATES = frozenset({"PreparingRebalance", "CompletingRebalance", "AssigningRebalance", "Reconciling"})
TIMESTAMP_FETCH_TIMEOUT_S = 5.0
FAUST_LEADER_SUFFIX = "-__assignor-__leader"
RETRIABLE_WAIT_S = 20.0

T = TypeVar("T")


def pipeline_groups(settings: Settings) -> dict[str, str]:
    """The pipeline's consumer groups and the topic each consumes: stage i reads the topic before its output."""
    return {
        group_id(settings, stage): physical(settings, topic)
        for stage, topic in zip(STAGE_NAMES, STAGE_TOPICS, strict=False)
    }


# ---------------------------------------------------------------- raw measurement


def resume_position(committed: int | None, start: int) -> int:
    """Where a group resumes on a partition: its committed offset, else the log start (newsflow consumers reset
    to earliest), never below the log start (older records are gone)."""
    return start if committed is None else max(committed, start)


@dataclass(frozen=True)
class PartitionOffsets:
    """Where a group stands on one partition, and the timestamp (ms) of the first record it has not consumed."""

    topic: str
    partition: int
    committed: int | None
    start: int
    end: int
    oldest_timestamp_ms: int | None
    owned: bool | None

    @property
    def position(self) -> int:
        return resume_position(self.committed, self.start)

    @property
    def lag(self) -> int:
        return max(0, self.end - self.position)


@dataclass(frozen=True)
class GroupOffsets:
    """One consumer group at one moment: its state, member count and every partition of the topics it reads."""

    group: str
    state: str
    members: int
    partitions: tuple[PartitionOffsets, ...]


@dataclass(frozen=True)
class Measurement:
    """Everything one probe saw at `at` (epoch seconds): the groups, and log-end sums of the pipeline's topics."""

    at: float
    groups: tuple[GroupOffsets, ...]
    topic_ends: Mapping[str, int]
    dlq_topic: str


class LagProbe:
    """Measures groups against the cluster; keeps one admin client and one (group-less) consumer open."""

    def __init__(
        self,
        settings: Settings,
        groups: Sequence[str] | None = None,
        *,
        fetch_timeout: float = TIMESTAMP_FETCH_TIMEOUT_S,
    ) -> None:
        self.settings = settings
        self.known_inputs = pipeline_groups(settings)
        self.groups = list(groups) if groups else list(self.known_inputs)
        self.fetch_timeout = fetch_timeout
        self.watched_topics = [physical(settings, topic) for topic in (*STAGE_TOPICS, DLQ)]
        self._clients = ExitStack()
        self._admin: KafkaAdminClient = self._clients.enter_context(admin_client(settings))
        self._reader: KafkaConsumer | None = None

    def __enter__(self) -> LagProbe:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._clients.close()

    def measure(self) -> Measurement:
        """Committed, start and end offsets of every watched group's partitions, and the oldest unread times."""
        at = time.time()
        existing = set(self._admin.list_topics())
        descriptions: dict[str, dict[str, Any]] = _retrying(lambda: self._admin.describe_groups(self.groups))
        committed: dict[str, dict[TopicPartition, Any]] = _retrying(lambda: self._admin.list_group_offsets(self.groups))

        group_topics = {group: self._topics_of(group, committed, descriptions) & existing for group in self.groups}
        topics = {topic for topic in self.watched_topics if topic in existing}.union(*group_topics.values())
        partition_counts = self._partition_counts(sorted(topics))
        group_partitions = {
            group: [
                TopicPartition(topic, index)
                for topic in sorted(names)
                for index in range(partition_counts.get(topic, 0))
            ]
            for group, names in group_topics.items()
        }

        all_partitions = [
            TopicPartition(topic, index) for topic in topics for index in range(partition_counts.get(topic, 0))
        ]
        ends = self._offsets(all_partitions, OffsetSpec.LATEST)
        starts = self._offsets(all_partitions, OffsetSpec.EARLIEST)

        positions: dict[tuple[str, TopicPartition], tuple[int | None, int]] = {}
        for group, partitions in group_partitions.items():
            for tp in partitions:
                meta = committed.get(group, {}).get(tp)
                offset = meta.offset if meta is not None and meta.offset >= 0 else None
                position = resume_position(offset, starts[tp])
                positions[(group, tp)] = (offset, position)
        lagging = {(tp, position) for (_, tp), (_, position) in positions.items() if position < ends[tp]}
        timestamps = self._first_timestamps(lagging)

        groups = []
        for group in self.groups:
            description = descriptions.get(group, {})
            state = str(description.get("group_state") or "Unknown")
            assigned = None if state in REBALANCING_STATES else _assigned(description)  # None: ownership unknown
            partitions = []
            for tp in group_partitions[group]:
                offset, position = positions[(group, tp)]
                owned = None if assigned is None else tp in assigned
                partitions.append(
                    PartitionOffsets(
                        topic=tp.topic,
                        partition=tp.partition,
                        committed=offset,
                        start=starts[tp],
                        end=ends[tp],
                        oldest_timestamp_ms=timestamps.get((tp, position)),
                        owned=owned,
                    )
                )
            members = len(description.get("members") or [])
            groups.append(GroupOffsets(group, state, members, tuple(partitions)))
        topic_ends = {topic: sum(ends[tp] for tp in ends if tp.topic == topic) for topic in topics}
        return Measurement(at, tuple(groups), topic_ends, physical(self.settings, DLQ))

    def _topics_of(
        self, group: str, committed: Mapping[str, Mapping[TopicPartition, Any]], descriptions: Mapping[str, Any]
    ) -> set[str]:
        """The topics a group reads: where it committed, what its members hold, and its pipeline input."""
        topics = {tp.topic for tp in committed.get(group, {})}
        topics |= {tp.topic for tp in _assigned(descriptions.get(group, {})) or ()}
        if group in self.known_inputs:
            topics.add(self.known_inputs[group])
        # faust assigns each app its internal, always-empty leader topic: noise in a lag table
        topics.discard(f"{group}{FAUST_LEADER_SUFFIX}")
        return topics

    def _partition_counts(self, topics: list[str]) -> dict[str, int]:
        if not topics:
            return {}
        return {
            item["name"]: len(item["partitions"])
            for item in self._admin.describe_topics(topics)
            if not item.get("error_code")
        }

    def _offsets(self, partitions: list[TopicPartition], spec: OffsetSpec) -> dict[TopicPartition, int]:
        if not partitions:
            return {}
        answer = self._admin.list_partition_offsets(dict.fromkeys(partitions, spec))
        return {tp: int(found.offset) for tp, found in answer.items()}

    def _first_timestamps(self, wanted: set[tuple[TopicPartition, int]]) -> dict[tuple[TopicPartition, int], int]:
        """The timestamp of the first record at or after each (partition, offset); missing when none arrived
        within the fetch timeout. Rounds, because one consumer holds one position per partition."""
        found: dict[tuple[TopicPartition, int], int] = {}
        remaining = sorted(wanted, key=lambda item: (item[0].topic, item[0].partition, item[1]))
        while remaining:
            round_items: dict[TopicPartition, int] = {}
            later = []
            for tp, offset in remaining:
                if tp in round_items:
                    later.append((tp, offset))
                else:
                    round_items[tp] = offset
            found.update({(tp, round_items[tp]): stamp for tp, stamp in self._read_first(round_items).items()})
            remaining = later
        return found

    def _read_first(self, positions: dict[TopicPartition, int]) -> dict[TopicPartition, int]:
        reader = self._reader_client()
        reader.assign(list(positions))
        for tp, offset in positions.items():
            reader.seek(tp, offset)
        stamps: dict[TopicPartition, int] = {}
        deadline = time.monotonic() + self.fetch_timeout
        while len(stamps) < len(positions) and time.monotonic() < deadline:
            for tp, records in reader.poll(timeout_ms=200).items():
                if tp not in stamps and records:
                    stamps[tp] = int(records[0].timestamp)
                    reader.pause(tp)
        reader.assign([])
        return stamps

    def _reader_client(self) -> KafkaConsumer:
        if self._reader is None:
            # Group-less, so reading the oldest unconsumed records commits nothing and joins no group.
            reader = consumer(
                self.settings,
                group_id=None,
                auto_offset_reset="earliest",
                max_partition_fetch_bytes=64 * 1024,
                fetch_max_wait_ms=100,
            )
            self._clients.callback(reader.close, autocommit=False)
            self._reader = reader
        return self._reader


def _retrying(call: Callable[[], T], wait: float = RETRIABLE_WAIT_S) -> T:
    """The call's result, retried while Kafka answers with a retriable error (a fresh cluster has no group
    coordinator until its offsets topic exists) for up to `wait` seconds."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return call()
        except KafkaError as error:
            if not error.retriable or time.monotonic() > deadline:
                raise
        time.sleep(0.5)


def _assigned(description: Mapping[str, Any]) -> set[TopicPartition] | None:
    """The partitions the group's live members hold; None when an assignment cannot be decoded."""
    partitions: set[TopicPartition] = set()
    for member in description.get("members") or []:
        assignment = member.get("member_assignment")
        if not isinstance(assignment, Mapping):
            return None
        for item in assignment.get("assigned_partitions") or []:
            partitions.update(TopicPartition(item["topic"], index) for index in item["partitions"])
    return partitions


# ---------------------------------------------------------------- evaluated report


@dataclass(frozen=True)
class PartitionLag:
    """One partition's lag as reported: messages, seconds (0 when caught up, None when unknown), status."""

    topic: str
    partition: int
    committed: int | None
    end: int
    lag: int
    seconds: float | None
    verdict: Verdict


@dataclass(frozen=True)
class GroupLag:
    """One group's report: its partitions, the worst partition's verdict and how fast it consumes."""

    group: str
    state: str
    members: int
    partitions: tuple[PartitionLag, ...]
    verdict: Verdict
    consumed_per_s: float | None

    @property
    def lag(self) -> int:
        return sum(partition.lag for partition in self.partitions)

    @property
    def seconds(self) -> float:
        """The oldest unconsumed record's age over all partitions (0 when caught up or unknown)."""
        return max((partition.seconds or 0.0 for partition in self.partitions), default=0.0)


@dataclass(frozen=True)
class LagReport:
    """What `newsflow lag` prints: every watched group at one moment, with topic throughput and the DLQ size."""

    at: float
    groups: tuple[GroupLag, ...]
    topic_ends: Mapping[str, int]
    produced_per_s: Mapping[str, float]
    dlq_topic: str

    @property
    def dlq(self) -> int:
        """Dead letters written so far (the DLQ's log-end offsets; 0 when the topic does not exist)."""
        return self.topic_ends.get(self.dlq_topic, 0)

    def exceeded(self, max_lag: int | None = None, max_seconds: float | None = None) -> list[str]:
        """One line per group over a threshold: total lag above max_lag, or oldest unread age above max_seconds."""
        problems = []
        for group in self.groups:
            if max_lag is not None and group.lag > max_lag:
                problems.append(f"{group.group}: lag {group.lag} > {max_lag} message(s)")
            if max_seconds is not None and group.seconds > max_seconds:
                problems.append(f"{group.group}: time lag {group.seconds:.1f} s > {max_seconds:g} s")
        return problems

    def to_json(self) -> dict[str, Any]:
        """A plain-JSON view (no NaN: unknown values are null)."""
        return {
            "at": datetime.fromtimestamp(self.at, UTC).isoformat(),
            "timestamp": self.at,
            "dlq": {"topic": self.dlq_topic, "count": self.dlq},
            "topics": [
                {"topic": topic, "end": end, "produced_per_s": self.produced_per_s.get(topic)}
                for topic, end in sorted(self.topic_ends.items())
            ],
            "groups": [
                {
                    "group": group.group,
                    "state": group.state,
                    "members": group.members,
                    "status": group.verdict.status.value,
                    "reason": group.verdict.reason,
                    "lag": group.lag,
                    "seconds": round(group.seconds, 3),
                    "consumed_per_s": group.consumed_per_s,
                    "partitions": [
                        {
                            "topic": partition.topic,
                            "partition": partition.partition,
                            "committed": partition.committed,
                            "end": partition.end,
                            "lag": partition.lag,
                            "seconds": None if partition.seconds is None else round(partition.seconds, 3),
                            "status": partition.verdict.status.value,
                            "reason": partition.verdict.reason,
                        }
                        for partition in group.partitions
                    ],
                }
                for group in self.groups
            ],
        }


@dataclass
class LagMonitor:
    """Turns successive measurements into reports: keeps each partition's sample window for the statuses and
    the window's measurements for rates. Pure: feed it measurements, from a probe or from a test.

    Rates are averaged over the window: consumers commit in bursts (faust every few seconds), so the change
    between two neighbouring samples swings between zero and a spike."""

    policy: Policy = field(default_factory=Policy)
    _windows: dict[tuple[str, str, int], deque[PartitionSample]] = field(default_factory=dict)
    _history: deque[Measurement] = field(default_factory=deque)

    def update(self, measurement: Measurement) -> LagReport:
        oldest = self._history[0] if self._history else None
        groups = tuple(self._group_report(group, measurement.at, oldest) for group in measurement.groups)
        produced: dict[str, float] = {}
        if oldest is not None and measurement.at > oldest.at:
            elapsed = measurement.at - oldest.at
            for topic, end in measurement.topic_ends.items():
                if topic in oldest.topic_ends:
                    produced[topic] = max(0.0, (end - oldest.topic_ends[topic]) / elapsed)
        self._history.append(measurement)
        while len(self._history) >= self.policy.window:
            self._history.popleft()
        return LagReport(measurement.at, groups, dict(measurement.topic_ends), produced, measurement.dlq_topic)

    def _group_report(self, group: GroupOffsets, at: float, oldest: Measurement | None) -> GroupLag:
        partitions = []
        for offsets in group.partitions:
            window = self._windows.setdefault(
                (group.group, offsets.topic, offsets.partition), deque(maxlen=self.policy.window)
            )
            window.append(PartitionSample(at, offsets.committed, offsets.position, offsets.end, offsets.owned))
            partitions.append(
                PartitionLag(
                    topic=offsets.topic,
                    partition=offsets.partition,
                    committed=offsets.committed,
                    end=offsets.end,
                    lag=offsets.lag,
                    seconds=_age(offsets, at),
                    verdict=evaluate(list(window), self.policy),
                )
            )
        return GroupLag(
            group.group,
            group.state,
            group.members,
            tuple(partitions),
            _group_verdict(partitions),
            _rate(group, at, oldest),
        )


def _group_verdict(partitions: Sequence[PartitionLag]) -> Verdict:
    """The most severe partition's verdict, naming the partition; a plain OK when all are fine."""
    if not partitions:
        return Verdict(Status.OK, "nothing to consume yet (no input topic, commit or assignment)")
    verdict = worst(partition.verdict for partition in partitions)
    if verdict.status is Status.OK:
        return Verdict(Status.OK, "caught up" if all(p.lag == 0 for p in partitions) else "consuming")
    where = next(p for p in partitions if p.verdict is verdict)
    return Verdict(verdict.status, f"{where.topic}[{where.partition}]: {verdict.reason}")


def _age(offsets: PartitionOffsets, at: float) -> float | None:
    """Seconds since the oldest unconsumed record was written: 0 when caught up, None when it could not be read."""
    if offsets.lag == 0:
        return 0.0
    if offsets.oldest_timestamp_ms is None or offsets.oldest_timestamp_ms < 0:
        return None
    return max(0.0, at - offsets.oldest_timestamp_ms / 1000)


def _rate(group: GroupOffsets, at: float, earlier: Measurement | None) -> float | None:
    """Records per second the group consumed since an earlier measurement (None for the first one)."""
    if earlier is None or at <= earlier.at:
        return None
    before = next((item for item in earlier.groups if item.group == group.group), None)
    if before is None:
        return None
    then = {(p.topic, p.partition): p.position for p in before.partitions}
    moved = sum(
        max(0, p.position - then[(p.topic, p.partition)]) for p in group.partitions if (p.topic, p.partition) in then
    )
    return moved / (at - earlier.at)

"""End to end through the broker: run a set of workers on fresh topics, offer load, time what comes out.

Latency is the output record's broker timestamp (CreateTime, stamped when the last hop produced it) minus the
timestamp the load generator gave the input record. Throughput at saturation is the sustained rate at which
output records appear, over the middle 80 % of a burst (the pipeline filling and draining excluded).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import os
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from aiokafka import TopicPartition
from kafka.errors import KafkaError

from agents.registry import STAGE_NAMES
from bench.aioclients import consumer, load_producer
from bench.workers import (
    WorkerSet,
    WorkerSpec,
    cpu_seconds,
    machine_busy_seconds,
    python_module,
    running,
    wait_for_groups,
)
from pipeline.app import group_id
from pipeline.clients import admin_client
from pipeline.config import Settings
from pipeline.records import Record, dumps
from pipeline.topics import DLQ, ENRICHED, RAW, create_topics, physical

WARMUP_RECORDS = 24
GROUP_READY_TIMEOUT_S = 180.0
WINDOW = (0.1, 0.9)


@dataclass(frozen=True)
class Message:
    """One record to publish: its key (the article id) and its bytes."""

    key: bytes
    value: bytes


@dataclass
class Phase:
    """What one offered load produced."""

    name: str
    offered_per_s: float | None  # None: a burst, as fast as the producer can send
    sent: int
    delivered: int
    dead_lettered: int
    missing: int
    seconds: float
    publish_per_s: float  # how fast the generator sent: a burst is only a capacity figure if this is higher
    throughput_per_s: float
    latency_ms: dict[str, float]
    cpu_ms_per_record: dict[str, float] = field(default_factory=dict)
    other_cpu_cores: float = 0.0  # cores busy with work other than this bench's during the phase
    runs_per_s: list[float] = field(default_factory=list)  # every burst's rate when the best of several is kept

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def relabel(records: Sequence[Record], count: int, tag: str) -> list[Message]:
    """`count` messages cycling through the records, each under a fresh id, so every one can be traced."""
    messages = []
    for index, record in zip(range(count), itertools.cycle(records), strict=False):
        new_id = hashlib.sha256(f"{tag}:{index}".encode()).hexdigest()[:16]
        messages.append(Message(new_id.encode(), dumps({**record, "id": new_id})))
    return messages


def pipeline_specs(settings: Settings, workers: dict[str, int] | None = None) -> list[WorkerSpec]:
    """The real stage workers (`python -m pipeline agent STAGE`), `workers[stage]` processes each (default 1)."""
    counts = workers or {}
    return [
        WorkerSpec(name, group_id(settings, name), python_module("pipeline", "agent", name))
        for name in STAGE_NAMES
        for _ in range(counts.get(name, 1))
    ]


def percentiles(values: Sequence[float]) -> dict[str, float]:
    """p50, p95, p99 and max of a sample (empty dict for no sample)."""
    if not values:
        return {}
    p50, p95, p99 = np.percentile(np.asarray(values, dtype=float), [50, 95, 99])
    return {"p50": round(float(p50), 1), "p95": round(float(p95), 1), "p99": round(float(p99), 1),
            "max": round(float(max(values)), 1)}  # fmt: skip


def sustained_rate(arrivals_ms: Sequence[int]) -> float:
    """Records per second over the middle 80 % of the arrivals (all of them when there are few)."""
    ordered = sorted(arrivals_ms)
    if len(ordered) < 2:
        return 0.0
    first, last = int(len(ordered) * WINDOW[0]), int(len(ordered) * WINDOW[1]) - 1
    if last - first < 10:
        first, last = 0, len(ordered) - 1
    span = (ordered[last] - ordered[first]) / 1000
    return (last - first) / span if span > 0 else 0.0


class Session:
    """A running configuration: its workers, a producer into its input topic and a reader of its outputs."""

    def __init__(self, settings: Settings, workers: WorkerSet, broker_pid: int | None) -> None:
        self.settings = settings
        self.workers = workers
        self.broker_pid = broker_pid
        self.arrivals: dict[bytes, tuple[int, bool]] = {}  # key -> (timestamp ms, dead-lettered)
        self.producer = load_producer(settings)
        outputs = [physical(settings, ENRICHED), physical(settings, DLQ)]
        self.dlq_topic = outputs[1]
        self.reader = consumer(settings)
        self.partitions = [TopicPartition(topic, p) for topic in outputs for p in range(settings.partitions)]
        self._collecting: asyncio.Task[None] | None = None
        self.peak_rss_mib: dict[str, float] = {}

    async def start(self) -> None:
        await self.producer.start()
        await self.reader.start()
        self.reader.assign(self.partitions)
        await self.reader.seek_to_beginning(*self.partitions)
        self._collecting = asyncio.create_task(self._collect())

    async def close(self) -> None:
        if self._collecting:
            self._collecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._collecting
        await self.reader.stop()
        await self.producer.stop()

    async def _collect(self) -> None:
        while True:
            batches = await self.reader.getmany(timeout_ms=200)
            for messages in batches.values():
                for message in messages:
                    if message.key is not None and message.key not in self.arrivals:  # at-least-once: first wins
                        self.arrivals[message.key] = (message.timestamp, message.topic == self.dlq_topic)

    async def _publish(self, messages: Sequence[Message], rate: float | None, spread: bool) -> dict[bytes, int]:
        topic = physical(self.settings, RAW)
        sent: dict[bytes, int] = {}
        started = time.monotonic()
        for index, message in enumerate(messages):
            if rate:
                delay = started + index / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            stamp = time.time_ns() // 1_000_000
            partition = index % self.settings.partitions if spread else None
            await self.producer.send(topic, message.value, key=message.key, timestamp_ms=stamp, partition=partition)
            sent[message.key] = stamp
        await self.producer.flush()
        return sent

    async def _settle(self, keys: set[bytes], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not keys <= self.arrivals.keys() and time.monotonic() < deadline:
            await asyncio.to_thread(self.workers.check_alive)
            await asyncio.sleep(0.2)

    async def warm_up(self, messages: Sequence[Message], timeout: float = GROUP_READY_TIMEOUT_S) -> None:
        """Send a few records to every partition and wait for them all: models loaded, every worker busy once."""
        sent = await self._publish(messages, None, spread=True)
        await self._settle(set(sent), timeout)
        missing = len(set(sent) - self.arrivals.keys())
        if missing:
            raise TimeoutError(f"{missing} of {len(sent)} warm-up records did not come out within {timeout:.0f} s")

    async def capacity(self, records: Sequence[Record], count: int, tag: str, repeats: int, timeout: float) -> Phase:
        """The best of `repeats` bursts of `count` records (fresh ids each time): on a shared machine the best
        run is the one least disturbed by other work."""
        runs = [
            await self.phase("capacity (burst)", relabel(records, count, f"{tag}:{attempt}"), None, timeout)
            for attempt in range(max(1, repeats))
        ]
        best = max(runs, key=lambda run: run.throughput_per_s)
        best.runs_per_s = [run.throughput_per_s for run in runs]
        return best

    async def phase(self, name: str, messages: Sequence[Message], rate: float | None, timeout: float) -> Phase:
        """Offer the messages at `rate` per second (None: as fast as possible) and measure what comes out."""
        self.workers.mark()
        broker_cpu = cpu_seconds(self.broker_pid) if self.broker_pid else None
        machine_before, own_before = machine_busy_seconds(), cpu_seconds(os.getpid()) or 0.0
        publish_started = time.monotonic()
        sent = await self._publish(messages, rate, spread=False)
        publish_seconds = time.monotonic() - publish_started
        await self._settle(set(sent), timeout)
        cpu = self.workers.cpu_since_mark()
        if broker_cpu is not None and self.broker_pid and (now := cpu_seconds(self.broker_pid)) is not None:
            cpu["broker"] = now - broker_cpu
        wall = time.monotonic() - publish_started
        own = sum(cpu.values()) + (cpu_seconds(os.getpid()) or 0.0) - own_before
        other_cores = max(0.0, (machine_busy_seconds() - machine_before - own) / wall) if wall > 0 else 0.0
        arrived = {key: self.arrivals[key] for key in sent if key in self.arrivals}
        delivered = {key: stamp for key, (stamp, dead) in arrived.items() if not dead}
        latencies = [stamp - sent[key] for key, stamp in delivered.items()]
        end = max((stamp for stamp, _ in arrived.values()), default=max(sent.values()))
        seconds = (end - min(sent.values())) / 1000
        return Phase(
            name=name,
            offered_per_s=round(rate, 2) if rate else None,
            sent=len(sent),
            delivered=len(delivered),
            dead_lettered=len(arrived) - len(delivered),
            missing=len(sent) - len(arrived),
            seconds=round(seconds, 2),
            publish_per_s=round(len(sent) / publish_seconds, 1) if publish_seconds > 0 else 0.0,
            throughput_per_s=round(sustained_rate([stamp for stamp, _ in arrived.values()]), 1),
            latency_ms=percentiles(latencies),
            cpu_ms_per_record={stage: round(used * 1000 / max(1, len(arrived)), 2) for stage, used in cpu.items()},
            other_cpu_cores=round(other_cores, 2),
        )


@contextlib.asynccontextmanager
async def session(
    settings: Settings, specs: Sequence[WorkerSpec], run_dir: Path, warmup: Sequence[Message],
    broker_pid: int | None = None,
) -> AsyncIterator[Session]:  # fmt: skip
    """Fresh topics under the settings' prefix, the workers started and warmed up; everything removed after."""
    await asyncio.to_thread(create_topics, settings)
    try:
        with running(settings, specs, run_dir) as workers:
            groups = dict(Counter(spec.group for spec in specs))
            await asyncio.to_thread(wait_for_groups, settings, groups, workers, GROUP_READY_TIMEOUT_S)
            current = Session(settings, workers, broker_pid)
            await current.start()
            try:
                await current.warm_up(warmup)
                yield current
            finally:
                current.peak_rss_mib = workers.peak_rss()
                await current.close()
    finally:
        await asyncio.to_thread(remove_run, settings)


def remove_run(settings: Settings) -> None:
    """Delete the topics and consumer groups under the settings' prefix (best effort: never fails the bench)."""
    prefix = settings.topic_prefix
    if not prefix:
        return
    with contextlib.suppress(KafkaError, OSError), admin_client(settings) as admin:
        topics = [topic for topic in admin.list_topics() if topic.startswith(prefix)]
        if topics:
            admin.delete_topics(topics, raise_errors=False)
        groups = [group["group_id"] for group in admin.list_groups() if group["group_id"].startswith(prefix)]
        if groups:
            admin.delete_groups(groups)

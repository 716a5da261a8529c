"""What the reliability tests share: article mixes, a paced feeder, kill -9 chaos, and counting the results."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from kafka import KafkaProducer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError

from pipeline.app import group_id
from pipeline.clients import admin_client, consumer, producer
from pipeline.config import Settings
from pipeline.dlq import parse
from pipeline.records import dumps, raw_record
from pipeline.runner import Supervisor, Worker
from pipeline.topics import DLQ, ENRICHED, ENTITIES, NORMALIZED, RAW, physical
from schemas import validator
from tests.conftest import DEV_SET, SEEDS

STAGE_INPUT = {"normalize": RAW, "entities": NORMALIZED, "classify": ENTITIES}
STAGE_OF_INPUT = {topic: stage for stage, topic in STAGE_INPUT.items()}
Tick = Callable[[], None]


@dataclass(frozen=True)
class Item:
    """One record to publish: a good article (`expect` None) or a malformed one and the (stage, reason) it
    must be dead-lettered with."""

    topic: str
    key: bytes
    value: bytes
    expect: tuple[str, str] | None = None


def article_texts() -> list[str]:
    """The development set's and the seeds' article texts (Arabic and English)."""
    paths = sorted(DEV_SET.glob("*.txt")) + sorted(SEEDS.glob("*.txt"))
    return [path.read_text(encoding="utf-8") for path in paths]


def good_articles(count: int, tag: str) -> list[Item]:
    """`count` articles from the development set, each with its own URL and so its own id and key."""
    texts = article_texts()
    items = []
    for index in range(count):
        record = raw_record(
            texts[index % len(texts)], source=f"reliability:{tag}", url=f"https://reliability.test/{tag}/{index}"
        )
        items.append(Item(RAW, record["id"].encode(), dumps(record)))
    return items


def malformed_items(count: int, max_record_bytes: int, tag: str) -> list[Item]:
    """`count` malformed records of ten kinds, aimed at every stage, each with a unique key."""

    def valid_raw(index: int, text: str = "A short article about Cairo.") -> dict[str, object]:
        return raw_record(text, source=f"malformed:{tag}", url=f"https://malformed.test/{tag}/{index}")

    kinds: list[tuple[str, str, Callable[[int, bytes], bytes]]] = [
        (RAW, "decode", lambda i, key: b"\xff\xfe" + key + b" \xc3\x28 is not UTF-8"),
        (RAW, "json", lambda i, key: b'{"id": "' + key + b'", "raw": "an unterminated string'),
        (RAW, "schema", lambda i, key: orjson.dumps([key.decode(), "an array, not an object"])),
        (RAW, "schema", lambda i, key: dumps({**valid_raw(i), "raw": i})),
        (RAW, "schema", lambda i, key: dumps({**valid_raw(i), "id": "NOT-AN-ID"})),
        (RAW, "empty", lambda i, key: b" " * (i % 3)),
        (RAW, "oversize", lambda i, key: dumps(valid_raw(i, "x" * (max_record_bytes + 100)))),
        (NORMALIZED, "schema", lambda i, key: dumps(valid_raw(i))),  # a raw record where normalized ones go
        (ENTITIES, "schema", lambda i, key: dumps({**valid_raw(i), "text": 42})),
        (ENTITIES, "json", lambda i, key: b"<html>not json</html> " + key),
    ]
    items = []
    for index in range(count):
        topic, reason, build = kinds[index % len(kinds)]
        key = f"malformed-{tag}-{index:04d}".encode()
        items.append(Item(topic, key, build(index, key), (STAGE_OF_INPUT[topic], reason)))
    return items


def mixed_articles(total: int, malformed_share: float, max_record_bytes: int, tag: str, seed: int) -> list[Item]:
    """`total` records of which `malformed_share` are malformed, shuffled reproducibly."""
    bad = round(total * malformed_share)
    items = good_articles(total - bad, tag) + malformed_items(bad, max_record_bytes, tag)
    random.Random(seed).shuffle(items)
    return items


class Feeder:
    """Publishes items at a steady pace (or all at once) as `tick` is called; `finish` waits for every ack."""

    def __init__(self, settings: Settings, items: Sequence[Item], per_second: float | None = None) -> None:
        self.settings = settings
        self.items = list(items)
        self.per_second = per_second
        self.sent = 0
        self.started = time.monotonic()
        self.kafka: KafkaProducer = producer(settings, max_request_size=4 * settings.max_record_bytes)
        self.futures: list[tuple[Item, object]] = []

    @property
    def done(self) -> bool:
        return self.sent == len(self.items)

    def tick(self) -> None:
        due = len(self.items)
        if self.per_second is not None:
            due = min(due, int((time.monotonic() - self.started) * self.per_second) + 1)
        for item in self.items[self.sent : due]:
            future = self.kafka.send(physical(self.settings, item.topic), key=item.key, value=item.value)
            self.futures.append((item, future))
        self.sent = max(self.sent, due)

    def finish(self) -> list[str]:
        """Flush, close, and return the items the broker did not acknowledge (must be none)."""
        failures = []
        try:
            self.kafka.flush(timeout=120)
            for item, future in self.futures:
                try:
                    future.get(timeout=60)  # type: ignore[attr-defined]
                except KafkaError as error:
                    failures.append(f"{item.key!r}: {error}")
        finally:
            self.kafka.close(timeout=10)
        return failures


@dataclass
class KillSchedule:
    """kill -9 every stage's worker `rounds` times, at random moments spread over a window of time."""

    supervisor: Supervisor
    rounds: int
    window_s: float
    rng: random.Random
    progress: Callable[[], int] = lambda: 0
    delay_s: float = 3.0
    kills: list[tuple[float, str, int]] = field(default_factory=list)  # (seconds in, stage, progress then)

    def __post_init__(self) -> None:
        slot = self.window_s / self.rounds
        self.started = time.monotonic()
        self.plan = sorted(
            (self.delay_s + (index + self.rng.uniform(0.1, 0.9)) * slot, stage)
            for stage in self.supervisor.stages
            for index in range(self.rounds)
        )

    @property
    def done(self) -> bool:
        return not self.plan

    def tick(self) -> None:
        """Kill every worker whose moment has come and that is running (a dead one is killed once restarted)."""
        elapsed = time.monotonic() - self.started
        pending = []
        for moment, stage in self.plan:
            worker = self.supervisor.workers[stage]
            if moment <= elapsed and worker.process.poll() is None:
                worker.process.kill()  # SIGKILL: no shutdown, no commit
                worker.process.wait()
                self.kills.append((round(elapsed, 1), stage, self.progress()))
            else:
                pending.append((moment, stage))
        self.plan = pending


@dataclass
class Tally:
    """What arrived in `articles.enriched` (by key) and `articles.dlq` (by key, with stage and reason)."""

    enriched: Counter[bytes] = field(default_factory=Counter)
    dead: Counter[bytes] = field(default_factory=Counter)
    outcomes: dict[bytes, set[tuple[str, str]]] = field(default_factory=dict)
    invalid: list[str] = field(default_factory=list)

    def add(self, message: ConsumerRecord, validate: bool) -> None:
        key = message.key or b""
        if message.topic.endswith(DLQ):
            letter = parse(message)
            self.dead[key] += 1
            self.outcomes.setdefault(key, set()).add((letter.stage, letter.reason))
            if letter.envelope is None:
                self.invalid.append(f"dlq {message.partition}:{message.offset} is not a valid envelope")
            return
        self.enriched[key] += 1
        if validate:
            record = orjson.loads(message.value)
            try:
                validator(ENRICHED)(record)
            except Exception as error:  # any schema failure is a finding to report, not a crash
                self.invalid.append(f"enriched {key!r}: {error}")
            if record.get("id", "").encode() != key:
                self.invalid.append(f"enriched {key!r}: its id is {record.get('id')!r}")

    def settled(self, items: Sequence[Item]) -> bool:
        return all(item.key in self.enriched or item.key in self.dead for item in items)


def read_results(
    settings: Settings,
    until: Callable[[Tally], bool] | None = None,
    *,
    tick: Tick | None = None,
    timeout_s: float = 60,
    validate: bool = False,
) -> Tally:
    """Read `articles.enriched` and `articles.dlq` from the beginning: until `until(tally)` holds (following
    the topics, calling `tick` at least twice a second), or, without `until`, up to their current end."""
    tally = Tally()
    reader = consumer(settings, max_partition_fetch_bytes=8 * 1024 * 1024)
    try:
        partitions = [
            TopicPartition(physical(settings, topic), partition)
            for topic in (ENRICHED, DLQ)
            for partition in sorted(reader.partitions_for_topic(physical(settings, topic)) or ())
        ]
        reader.assign(partitions)
        reader.seek_to_beginning(*partitions)
        end = reader.end_offsets(partitions) if until is None else {}
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for records in reader.poll(timeout_ms=400).values():
                for message in records:
                    tally.add(message, validate)
            if tick:
                tick()
            if until is not None and until(tally):
                return tally
            if until is None and all(reader.position(tp) >= end[tp] for tp in partitions):
                return tally
    finally:
        reader.close()
    return tally


def lags(settings: Settings) -> dict[str, int]:
    """Records each stage's consumer group has not committed yet on its input topic."""
    reader = consumer(settings)
    try:
        partitions = {
            stage: [
                TopicPartition(physical(settings, topic), partition)
                for partition in reader.partitions_for_topic(physical(settings, topic)) or ()
            ]
            for stage, topic in STAGE_INPUT.items()
        }
        end = reader.end_offsets([tp for tps in partitions.values() for tp in tps])
    finally:
        reader.close()
    result = {}
    with admin_client(settings) as admin:
        for stage, tps in partitions.items():
            group = group_id(settings, stage)
            committed = admin.list_group_offsets({group: tps}).get(group, {})
            result[stage] = sum(
                end[tp] - (committed[tp].offset if tp in committed and committed[tp].offset >= 0 else 0) for tp in tps
            )
    return result


def wait_for_no_lag(settings: Settings, tick: Tick, timeout_s: float) -> dict[str, int]:
    """Wait until every stage committed everything on its input topic; the lags last seen."""
    deadline = time.monotonic() + timeout_s
    seen = lags(settings)
    while any(seen.values()) and time.monotonic() < deadline:
        tick()
        time.sleep(0.5)
        seen = lags(settings)
    return seen


@dataclass
class Figures:
    """The counts a reliability run is judged by (and that docs/reliability.md reports)."""

    articles_sent: int
    malformed_sent: int
    enriched: int
    enriched_records: int
    duplicates_before_dedup: int
    dead_lettered: int
    dead_letter_records: int
    dead_letter_duplicates: int
    lost: list[str]
    good_dead_lettered: dict[str, list[str]]
    malformed_enriched: list[str]
    malformed_missing: list[str]
    wrong_reasons: dict[str, str]
    unexpected: list[str]

    @property
    def problems(self) -> dict[str, object]:
        """Everything that must be empty for the run to pass."""
        return {
            name: value
            for name, value in {
                "lost": self.lost,
                "good articles dead-lettered": self.good_dead_lettered,
                "malformed records enriched": self.malformed_enriched,
                "malformed records missing from the DLQ": self.malformed_missing,
                "wrong stage or reason": self.wrong_reasons,
                "records that are neither sent nor valid": self.unexpected,
            }.items()
            if value
        }

    def summary(self) -> dict[str, int]:
        return {
            "sent": self.articles_sent + self.malformed_sent,
            "good": self.articles_sent,
            "malformed": self.malformed_sent,
            "enriched (distinct)": self.enriched,
            "enriched records": self.enriched_records,
            "duplicates before dedup": self.duplicates_before_dedup,
            "dead-lettered (distinct)": self.dead_lettered,
            "dead-letter records": self.dead_letter_records,
            "dead-letter duplicates": self.dead_letter_duplicates,
            "lost": len(self.lost),
        }


def figures(items: Sequence[Item], tally: Tally) -> Figures:
    """Compare what was sent with what came out: every good article enriched, every malformed one
    dead-lettered at the stage and with the reason expected, nothing else."""
    good = {item.key for item in items if item.expect is None}
    bad = {item.key: item.expect for item in items if item.expect is not None}
    dead_records = sum(tally.dead.values())
    enriched_records = sum(tally.enriched.values())
    return Figures(
        articles_sent=len(good),
        malformed_sent=len(bad),
        enriched=len(good & tally.enriched.keys()),
        enriched_records=enriched_records,
        duplicates_before_dedup=enriched_records - len(tally.enriched),
        dead_lettered=len(bad.keys() & tally.dead.keys()),
        dead_letter_records=dead_records,
        dead_letter_duplicates=dead_records - len(tally.dead),
        lost=sorted(key.decode() for key in good - tally.enriched.keys() - tally.dead.keys()),
        good_dead_lettered={
            key.decode(): sorted(f"{stage} {reason}" for stage, reason in tally.outcomes[key])
            for key in good & tally.dead.keys()
        },
        malformed_enriched=sorted(key.decode() for key in bad.keys() & tally.enriched.keys()),
        malformed_missing=sorted(key.decode() for key in bad.keys() - tally.dead.keys()),
        wrong_reasons={
            key.decode(): f"expected {expected}, got {sorted(tally.outcomes[key])}"
            for key, expected in bad.items()
            if key in tally.outcomes and tally.outcomes[key] != {expected}
        },
        unexpected=[
            *tally.invalid,
            *(f"unknown key {key!r}" for key in (tally.enriched.keys() | tally.dead.keys()) - good - bad.keys()),
        ],
    )


def worker_logs(supervisor: Supervisor, lines: int = 30) -> str:
    """The end of every worker's log, for a failure message."""
    parts = []
    for worker in supervisor.workers.values():
        text = Path(worker.log).read_text(encoding="utf-8", errors="replace") if worker.log.exists() else ""
        parts.append(f"--- {worker.stage} ---\n" + "\n".join(text.splitlines()[-lines:]))
    return "\n".join(parts)


def restarts_counter(log: list[tuple[str, int]]) -> Callable[[Worker, int], None]:
    """An on_restart callback that records (stage, exit code) of every restart."""
    return lambda worker, code: log.append((worker.stage, code))


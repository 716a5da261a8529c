"""`newsflow lag` against a real broker: lag and time lag while a group is behind and after it catches up,
stalled and stopped consumers, rewinds, and the exit-code thresholds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator

import orjson
import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata

from pipeline.__main__ import main
from pipeline.clients import consumer, producer
from pipeline.config import Settings
from pipeline.lag import GroupLag, LagMonitor, LagProbe, LagReport, pipeline_groups
from pipeline.lag_status import Policy, Status

RECORDS = 20
CONSUMED = 7


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings("lag")


def raw_topic(settings: Settings) -> str:
    return f"{settings.topic_prefix}articles.raw"


def normalize_group(settings: Settings) -> str:
    return f"{settings.topic_prefix}newsflow-normalize"


def produce(settings: Settings, count: int) -> None:
    """`count` small records on the raw topic, spread over its partitions by key."""
    client = producer(settings)
    try:
        for index in range(count):
            client.send(raw_topic(settings), key=f"article-{uuid.uuid4().hex}-{index}".encode(), value=b"{}")
        client.flush(timeout=30)
    finally:
        client.close()


@pytest.fixture
def group_consumer(settings: Settings) -> Iterator[KafkaConsumer]:
    """A member of the normalize stage's group, subscribed to the raw topic, committing only when told."""
    client = consumer(settings, group_id=normalize_group(settings), auto_offset_reset="earliest")
    client.subscribe([raw_topic(settings)])
    yield client
    client.close(autocommit=False)


def consume(client: KafkaConsumer, count: int) -> None:
    """Read exactly `count` records (the consumer's position moves; nothing is committed)."""
    read = 0
    for _ in range(200):
        batch = client.poll(timeout_ms=500, max_records=count - read)
        read += sum(len(records) for records in batch.values())
        if read >= count:
            break
    assert read == count


def normalize(report: LagReport, settings: Settings) -> GroupLag:
    return next(group for group in report.groups if group.group == normalize_group(settings))


def test_lag_counts_unconsumed_records_and_falls_to_zero(settings: Settings, group_consumer: KafkaConsumer) -> None:
    produce(settings, RECORDS)
    consume(group_consumer, CONSUMED)
    group_consumer.commit()

    with LagProbe(settings) as probe:
        monitor = LagMonitor()
        behind = normalize(monitor.update(probe.measure()), settings)
        assert behind.lag == RECORDS - CONSUMED
        assert behind.seconds > 0
        assert all(p.seconds is not None and p.seconds > 0 for p in behind.partitions if p.lag)
        assert behind.members == 1

        consume(group_consumer, RECORDS - CONSUMED)
        group_consumer.commit()
        caught_up = monitor.update(probe.measure())

    group = normalize(caught_up, settings)
    assert (group.lag, group.seconds, group.verdict.status) == (0, 0.0, Status.OK)
    # the other stages' groups never ran: listed with clear zeros, not missing
    assert [g.group for g in caught_up.groups] == list(pipeline_groups(settings))
    for idle in caught_up.groups[1:]:
        assert (idle.lag, idle.seconds, idle.members) == (0, 0.0, 0)
        assert idle.partitions and all(p.committed is None and p.lag == 0 for p in idle.partitions)


def test_stalled_then_stopped_consumer(settings: Settings, group_consumer: KafkaConsumer) -> None:
    produce(settings, RECORDS)
    consume(group_consumer, CONSUMED)
    group_consumer.commit()
    # The trend rules may fire after two samples: the window and its span are injected, not waited for.
    monitor = LagMonitor(Policy(window=3, min_span=0))
    with LagProbe(settings) as probe:
        monitor.update(probe.measure())
        group_consumer.commit()  # commits keep arriving, the offset does not move
        stalled = normalize(monitor.update(probe.measure()), settings)
        assert stalled.verdict.status is Status.STALL, stalled.verdict

        group_consumer.close(autocommit=False)  # the consumer leaves: commits stop with lag outstanding
        stopped = normalize(monitor.update(probe.measure()), settings)
    assert stopped.verdict.status is Status.STOP, stopped.verdict
    assert stopped.lag == RECORDS - CONSUMED
    assert stopped.members == 0


def test_committed_offset_going_back_is_a_rewind(settings: Settings, group_consumer: KafkaConsumer) -> None:
    produce(settings, RECORDS)
    consume(group_consumer, RECORDS)
    group_consumer.commit()
    monitor = LagMonitor(Policy(window=3, min_span=0))
    with LagProbe(settings) as probe:
        assert normalize(monitor.update(probe.measure()), settings).verdict.status is Status.OK
        group_consumer.commit({TopicPartition(raw_topic(settings), p): OffsetAndMetadata(0, "", -1) for p in (0, 1)})
        rewound = normalize(monitor.update(probe.measure()), settings)
    assert rewound.verdict.status is Status.REWIND, rewound.verdict
    assert rewound.lag == RECORDS


@pytest.mark.parametrize(
    ("thresholds", "exit_code"),
    [
        ([], 0),
        (["--max-lag", str(RECORDS - CONSUMED)], 0),
        (["--max-lag", str(RECORDS - CONSUMED - 1)], 1),
        (["--max-seconds", "3600"], 0),
        (["--max-seconds", "0"], 1),
    ],
)
def test_exit_code_thresholds(
    settings: Settings,
    group_consumer: KafkaConsumer,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    thresholds: list[str],
    exit_code: int,
) -> None:
    produce(settings, RECORDS)
    consume(group_consumer, CONSUMED)
    group_consumer.commit()
    monkeypatch.setenv("NEWSFLOW_TOPIC_PREFIX", settings.topic_prefix)
    assert main(["lag", "--bootstrap", str(settings.bootstrap), "--json", *thresholds]) == exit_code
    out, err = capfd.readouterr()
    report = orjson.loads(out)
    lags = {group["group"]: group["lag"] for group in report["groups"]}
    assert lags == dict.fromkeys(pipeline_groups(settings), 0) | {normalize_group(settings): RECORDS - CONSUMED}
    assert ("threshold exceeded" in err) == (exit_code == 1)


def test_named_group_is_reported_even_when_unknown(settings: Settings, capfd: pytest.CaptureFixture[str]) -> None:
    assert main(["lag", "--bootstrap", str(settings.bootstrap), "--json", "--group", "no-such-group-here"]) == 0
    (group,) = orjson.loads(capfd.readouterr().out)["groups"]
    assert (group["group"], group["lag"], group["seconds"], group["partitions"]) == ("no-such-group-here", 0, 0.0, [])


def test_watch_stops_on_sigterm_and_still_applies_thresholds(
    settings: Settings, group_consumer: KafkaConsumer
) -> None:
    produce(settings, RECORDS)
    consume(group_consumer, CONSUMED)
    group_consumer.commit()
    command = [sys.executable, "-m", "pipeline", "lag", "--bootstrap", str(settings.bootstrap)]
    command += ["--watch", "--json", "--interval", "0.2", "--max-lag", "5"]
    environment = {**os.environ, "NEWSFLOW_TOPIC_PREFIX": settings.topic_prefix}
    with subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as watcher:
        assert watcher.stdout is not None and watcher.stderr is not None
        sample = orjson.loads(watcher.stdout.readline())
        watcher.send_signal(signal.SIGTERM)
        _, err = watcher.communicate(timeout=30)
    assert normalize_group(settings) in {group["group"] for group in sample["groups"]}
    assert watcher.returncode == 1  # stopped cleanly, and the lag of 13 is over --max-lag 5
    assert b"threshold exceeded" in err

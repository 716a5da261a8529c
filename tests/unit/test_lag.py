"""Lag measurement and reporting without a broker: the probe over fake clients, the monitor over hand-made
measurements, the JSON view, thresholds, the Prometheus gauges and the table."""

from __future__ import annotations

import math
from collections import namedtuple
from typing import Any

import orjson
import pytest
from kafka import TopicPartition
from kafka.protocol.consumer import OffsetSpec
from kafka.structs import OffsetAndMetadata
from prometheus_client import generate_latest
from rich.console import Console

from pipeline import clients
from pipeline.config import Settings
from pipeline.lag import GroupOffsets, LagMonitor, LagProbe, Measurement, PartitionOffsets, pipeline_groups
from pipeline.lag_status import Policy, Status
from pipeline.lag_view import lag_table
from pipeline.metrics import lag_registry

Record = namedtuple("Record", ["offset", "timestamp"])
SETTINGS = Settings(bootstrap="broker.example:9093", topic_prefix="t.")
RAW = "t.articles.raw"


class FakeAdmin:
    """Answers like kafka-python 3's admin client for a cluster where normalize read 4 of raw[0]'s 10 records."""

    def __init__(self, **options: Any) -> None:
        self.options = options

    def list_topics(self) -> list[str]:
        return [RAW, "t.articles.normalized", "t.articles.dlq"]

    def describe_groups(self, groups: list[str]) -> dict[str, Any]:
        member = {"member_assignment": {"assigned_partitions": [{"topic": RAW, "partitions": [0]}]}}
        return {
            group: {"group_state": "Stable", "members": [member]}
            if group == "t.newsflow-normalize"
            else {"group_state": "Dead", "members": []}
            for group in groups
        }

    def list_group_offsets(self, groups: list[str]) -> dict[str, Any]:
        return {group: {} for group in groups} | {
            "t.newsflow-normalize": {TopicPartition(RAW, 0): OffsetAndMetadata(4, "", -1)}
        }

    def describe_topics(self, topics: list[str]) -> list[dict[str, Any]]:
        return [{"name": topic, "error_code": 0, "partitions": [{}, {}]} for topic in topics]

    def list_partition_offsets(self, specs: dict[TopicPartition, OffsetSpec]) -> dict[TopicPartition, Any]:
        ends = {TopicPartition(RAW, 0): 10, TopicPartition("t.articles.dlq", 1): 3}
        found = namedtuple("found", ["offset"])
        return {tp: found(ends.get(tp, 0) if spec is OffsetSpec.LATEST else 0) for tp, spec in specs.items()}

    def close(self) -> None:
        pass


class FakeReader:
    """A consumer whose records at raw[0] were written at t = 1000 s + offset."""

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.positions: dict[TopicPartition, int] = {}

    def assign(self, partitions: list[TopicPartition]) -> None:
        self.positions = dict.fromkeys(partitions, 0)

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.positions[tp] = offset

    def poll(self, timeout_ms: int) -> dict[TopicPartition, list[Record]]:
        return {tp: [Record(offset, (1000 + offset) * 1000)] for tp, offset in self.positions.items()}

    def pause(self, tp: TopicPartition) -> None:
        pass

    def close(self, autocommit: bool = True) -> None:
        pass


@pytest.fixture
def fake_cluster(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    made: dict[str, list[Any]] = {"admin": [], "reader": []}

    def admin(**options: Any) -> FakeAdmin:
        made["admin"].append(FakeAdmin(**options))
        return made["admin"][-1]

    def reader(**options: Any) -> FakeReader:
        made["reader"].append(FakeReader(**options))
        return made["reader"][-1]

    monkeypatch.setattr(clients, "KafkaAdminClient", admin)
    monkeypatch.setattr(clients, "KafkaConsumer", reader)
    return made


def test_pipeline_groups_read_the_topic_before_their_output() -> None:
    assert pipeline_groups(SETTINGS) == {
        "t.newsflow-normalize": "t.articles.raw",
        "t.newsflow-entities": "t.articles.normalized",
        "t.newsflow-classify": "t.articles.entities",
    }


def test_probe_measures_committed_uncommitted_and_missing_topics(fake_cluster: dict[str, list[Any]]) -> None:
    with LagProbe(SETTINGS) as probe:
        measurement = probe.measure()
    groups = {group.group: group for group in measurement.groups}
    assert list(groups) == list(pipeline_groups(SETTINGS))

    normalize = groups["t.newsflow-normalize"]
    assert (normalize.state, normalize.members) == ("Stable", 1)
    first, second = normalize.partitions
    assert (first.committed, first.end, first.lag, first.owned) == (4, 10, 6, True)
    assert first.oldest_timestamp_ms == 1_004_000  # the record at the committed offset, not the log start
    assert (second.committed, second.lag, second.owned) == (None, 0, False)

    # entities never committed: its input's partitions are listed with zeros, not dropped
    entities = groups["t.newsflow-entities"]
    assert [(p.topic, p.partition, p.lag) for p in entities.partitions] == [
        ("t.articles.normalized", 0, 0),
        ("t.articles.normalized", 1, 0),
    ]
    # classify's input topic does not exist yet: the group stays, with no partitions
    assert groups["t.newsflow-classify"].partitions == ()
    assert measurement.topic_ends["t.articles.dlq"] == 3


def test_probe_passes_security_settings_to_every_client(fake_cluster: dict[str, list[Any]]) -> None:
    secure = Settings(
        bootstrap="broker.example:9093",
        topic_prefix="t.",
        security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="monitor",
        sasl_password="s3cret",
    )
    with LagProbe(secure) as probe:
        probe.measure()
    for client in (fake_cluster["admin"][0], fake_cluster["reader"][0]):
        assert client.options["bootstrap_servers"] == ["broker.example:9093"]
        assert client.options["security_protocol"] == "SASL_SSL"
        assert client.options["sasl_mechanism"] == "SCRAM-SHA-512"
        assert client.options["sasl_plain_username"] == "monitor"
        assert client.options["sasl_plain_password"] == "s3cret"
    assert fake_cluster["reader"][0].options["group_id"] is None  # reading timestamps joins no group


def partition(
    committed: int | None, end: int, *, stamp: int | None = None, owned: bool | None = True
) -> PartitionOffsets:
    return PartitionOffsets(RAW, 0, committed, 0, end, stamp, owned)


def measurement(at: float, *partitions: PartitionOffsets, state: str = "Stable", dlq_end: int = 0) -> Measurement:
    group = GroupOffsets("t.newsflow-normalize", state, 1 if state == "Stable" else 0, partitions)
    return Measurement(at, (group,), {RAW: sum(p.end for p in partitions), "t.articles.dlq": dlq_end}, "t.articles.dlq")


def test_monitor_reports_lag_age_and_rates() -> None:
    monitor = LagMonitor(Policy(window=5, min_span=0))
    first = monitor.update(measurement(100.0, partition(2, 10, stamp=40_000)))
    group = first.groups[0]
    assert (group.lag, group.seconds, group.consumed_per_s) == (8, 60.0, None)
    assert first.produced_per_s == {}

    second = monitor.update(measurement(110.0, partition(6, 30, stamp=90_000), dlq_end=2))
    group = second.groups[0]
    assert group.lag == 24
    assert group.seconds == 20.0
    assert group.consumed_per_s == pytest.approx(0.4)
    assert second.produced_per_s[RAW] == pytest.approx(2.0)
    assert group.verdict.status is Status.WARN  # lag 8 -> 24 while the offset moves
    assert second.dlq == 2


def test_monitor_statuses_follow_the_window_stall_then_stop() -> None:
    monitor = LagMonitor(Policy(window=3, min_span=0))
    monitor.update(measurement(0.0, partition(5, 9, stamp=1)))
    stalled = monitor.update(measurement(1.0, partition(5, 9, stamp=1)))
    assert stalled.groups[0].verdict.status is Status.STALL
    assert stalled.groups[0].verdict.reason.startswith("t.articles.raw[0]: offset stuck at 5")
    stopped = monitor.update(measurement(2.0, partition(5, 9, stamp=1, owned=False), state="Empty"))
    assert stopped.groups[0].verdict.status is Status.STOP


def test_caught_up_is_zero_and_unknown_age_is_null_never_nan() -> None:
    monitor = LagMonitor()
    report = monitor.update(measurement(50.0, partition(9, 9), partition(3, 7, stamp=None)))
    data = orjson.loads(orjson.dumps(report.to_json()))
    first, second = data["groups"][0]["partitions"]
    assert (first["lag"], first["seconds"]) == (0, 0.0)
    assert (second["lag"], second["seconds"]) == (4, None)
    assert data["groups"][0]["seconds"] == 0.0
    assert not any(isinstance(value, float) and math.isnan(value) for value in _leaves(data))


def test_group_without_partitions_reports_a_clear_zero() -> None:
    report = LagMonitor().update(measurement(1.0, state="Dead"))
    group = report.groups[0]
    assert (group.lag, group.seconds, group.verdict.status) == (0, 0.0, Status.OK)


@pytest.mark.parametrize(
    ("max_lag", "max_seconds", "problems"),
    [
        (None, None, 0),
        (8, None, 0),
        (7, None, 1),
        (None, 60.0, 0),
        (None, 59.0, 1),
        (0, 0.0, 2),
    ],
)
def test_thresholds(max_lag: int | None, max_seconds: float | None, problems: int) -> None:
    report = LagMonitor().update(measurement(100.0, partition(2, 10, stamp=40_000)))
    assert len(report.exceeded(max_lag, max_seconds)) == problems


def test_metrics_export_the_lag_gauges() -> None:
    report = LagMonitor().update(measurement(100.0, partition(2, 10, stamp=40_000), dlq_end=5))
    text = generate_latest(lag_registry(lambda: report)).decode()
    labels = 'group="t.newsflow-normalize",partition="0",topic="t.articles.raw"'
    assert f"newsflow_consumer_lag_messages{{{labels}}} 8.0" in text
    assert f"newsflow_consumer_lag_seconds{{{labels}}} 60.0" in text
    assert f"newsflow_consumer_committed_offset{{{labels}}} 2.0" in text
    assert 'newsflow_consumer_group_status{group="t.newsflow-normalize",status="OK"} 1.0' in text
    assert 'newsflow_consumer_group_status{group="t.newsflow-normalize",status="STOP"} 0.0' in text
    assert 'newsflow_dlq_messages{topic="t.articles.dlq"} 5.0' in text
    assert generate_latest(lag_registry(lambda: None)) == b""


def test_table_shows_groups_partitions_and_reasons() -> None:
    report = LagMonitor().update(measurement(100.0, partition(2, 10, stamp=40_000, owned=False), state="Empty"))
    console = Console(width=160, record=True, color_system=None)
    console.print(lag_table(report, max_lag=5))
    text = console.export_text()
    assert "t.newsflow-normalize" in text
    assert "1.0 min" in text
    assert "STOP   t.newsflow-normalize: t.articles.raw[0]: no consumer is committing; 8 message(s) waiting" in text


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


def test_rates_average_over_the_window_not_the_last_burst() -> None:
    monitor = LagMonitor(Policy(window=3, min_span=0))
    rates = [
        monitor.update(measurement(float(at), partition(committed, 50))).groups[0].consumed_per_s
        for at, committed in enumerate((0, 0, 10, 10, 10))
    ]
    # commits come in bursts; over a 3-sample window (2 s) 10 records read is 5/s, then the burst ages out
    assert rates == [None, 0.0, 5.0, 5.0, 0.0]

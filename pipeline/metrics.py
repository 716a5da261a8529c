"""Prometheus metrics: a stage worker's records and latency, and the lag monitor's gauges."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from pipeline.lag_status import Status

if TYPE_CHECKING:
    from pipeline.lag import LagReport

RECORDS_IN = Counter("newsflow_records_in_total", "Records consumed by a stage", ["stage"])
RECORDS_OUT = Counter("newsflow_records_out_total", "Records a stage published downstream", ["stage"])
RECORDS_FAILED = Counter(
    "newsflow_records_failed_total", "Records a stage sent to the dead-letter topic", ["stage", "reason"]
)
PROCESSING_SECONDS = Histogram(
    "newsflow_processing_seconds",
    "Time a stage spends on one record (decode, validate, transform, validate)",
    ["stage"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)


def serve(host: str, port: int, registry: CollectorRegistry = REGISTRY) -> None:
    """Expose this process's metrics (or one registry's) at http://host:port/metrics (in a background thread)."""
    start_http_server(port, addr=host, registry=registry)


class LagCollector(Collector):
    """Exports the newest lag report as gauges (collected on scrape, so a vanished partition leaves no stale series)."""

    def __init__(self, latest: Callable[[], LagReport | None]) -> None:
        self.latest = latest

    def collect(self) -> Iterator[Metric]:
        report = self.latest()
        if report is None:
            return
        labels = ["group", "topic", "partition"]
        lag = GaugeMetricFamily("newsflow_consumer_lag_messages", "Records a group has not consumed yet", labels=labels)
        seconds = GaugeMetricFamily(
            "newsflow_consumer_lag_seconds",
            "Age of the oldest record a group has not consumed (0 when caught up)",
            labels=labels,
        )
        committed = GaugeMetricFamily(
            "newsflow_consumer_committed_offset", "A group's committed offset on a partition", labels=labels
        )
        end = GaugeMetricFamily(
            "newsflow_consumer_log_end_offset", "Log-end offset of a partition a group reads", labels=labels
        )
        group_lag = GaugeMetricFamily(
            "newsflow_consumer_group_lag_messages", "Records a group has not consumed, all partitions", labels=["group"]
        )
        group_seconds = GaugeMetricFamily(
            "newsflow_consumer_group_lag_seconds", "Oldest unconsumed record's age over a group", labels=["group"]
        )
        members = GaugeMetricFamily("newsflow_consumer_group_members", "Live members of a group", labels=["group"])
        status = GaugeMetricFamily(
            "newsflow_consumer_group_status",
            "1 for a group's current Burrow-style status (OK, WARN, STALL, STOP, REWIND), 0 for the others",
            labels=["group", "status"],
        )
        for group in report.groups:
            for partition in group.partitions:
                where = [group.group, partition.topic, str(partition.partition)]
                lag.add_metric(where, partition.lag)
                if partition.seconds is not None:
                    seconds.add_metric(where, partition.seconds)
                if partition.committed is not None:
                    committed.add_metric(where, partition.committed)
                end.add_metric(where, partition.end)
            group_lag.add_metric([group.group], group.lag)
            group_seconds.add_metric([group.group], group.seconds)
            members.add_metric([group.group], group.members)
            for name in Status:
                status.add_metric([group.group, name.value], 1.0 if group.verdict.status is name else 0.0)
        topic_end = GaugeMetricFamily(
            "newsflow_topic_end_offset", "Sum of a pipeline topic's log-end offsets (records written)", labels=["topic"]
        )
        for topic, total in sorted(report.topic_ends.items()):
            topic_end.add_metric([topic], total)
        dlq = GaugeMetricFamily("newsflow_dlq_messages", "Dead letters written to the DLQ topic", labels=["topic"])
        dlq.add_metric([report.dlq_topic], report.dlq)
        sampled = GaugeMetricFamily(
            "newsflow_lag_sample_timestamp_seconds", "When the lag monitor last measured (Unix time)"
        )
        sampled.add_metric([], report.at)
        yield from (lag, seconds, committed, end, group_lag, group_seconds, members, status, topic_end, dlq, sampled)


def lag_registry(latest: Callable[[], LagReport | None]) -> CollectorRegistry:
    """A registry holding only the lag monitor's gauges (for `newsflow lag --metrics-port` and the dashboard)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LagCollector(latest))
    return registry

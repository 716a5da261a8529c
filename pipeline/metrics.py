"""Prometheus metrics of a stage worker: records in, out and dead-lettered, and processing latency."""

from __future__ import annotations

from prometheus_client import Counter, Histogram, start_http_server

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


def serve(host: str, port: int) -> None:
    """Expose this process's metrics at http://host:port/metrics (in a background thread)."""
    start_http_server(port, addr=host)

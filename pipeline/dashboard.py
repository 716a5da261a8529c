"""`newsflow dashboard`: a local web page of lag and throughput over time, its JSON feed and /metrics."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from typing import Any

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from pipeline.lag import LagMonitor, LagProbe, LagReport, Measurement
from pipeline.lag_status import Policy
from pipeline.metrics import lag_registry

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_INTERVAL = 2.0
HISTORY_POINTS = 900  # half an hour at the default interval


@dataclass(frozen=True)
class Point:
    """One group's figures at one sample."""

    at: float
    lag: int
    seconds: float
    consumed_per_s: float | None


class History:
    """The newest report and a bounded time series per group and topic; safe to read while the sampler writes."""

    def __init__(self, points: int = HISTORY_POINTS) -> None:
        self._lock = threading.Lock()
        self._points = points
        self._latest: LagReport | None = None
        self._groups: dict[str, deque[Point]] = {}
        self._topics: dict[str, deque[tuple[float, int, float | None]]] = {}
        self._error: str | None = None
        self.samples = 0

    def add(self, report: LagReport) -> None:
        with self._lock:
            self._latest, self._error = report, None
            self.samples += 1
            for group in report.groups:
                self._groups.setdefault(group.group, deque(maxlen=self._points)).append(
                    Point(report.at, group.lag, group.seconds, group.consumed_per_s)
                )
            for topic, end in report.topic_ends.items():
                self._topics.setdefault(topic, deque(maxlen=self._points)).append(
                    (report.at, end, report.produced_per_s.get(topic))
                )

    def failed(self, message: str) -> None:
        with self._lock:
            self._error = message

    def latest(self) -> LagReport | None:
        with self._lock:
            return self._latest

    def to_json(self, interval: float) -> dict[str, Any]:
        """The page's feed: the newest report, the series to draw, and the sampler's last error if any."""
        with self._lock:
            return {
                "interval": interval,
                "samples": self.samples,
                "error": self._error,
                "report": self._latest.to_json() if self._latest else None,
                "series": {
                    "groups": {
                        group: [[p.at, p.lag, round(p.seconds, 3), p.consumed_per_s] for p in points]
                        for group, points in self._groups.items()
                    },
                    "topics": {topic: [list(point) for point in points] for topic, points in self._topics.items()},
                },
            }


def page() -> bytes:
    """The dashboard's single HTML page (inline script and SVG charts: it works offline)."""
    return (files("pipeline") / "data" / "dashboard.html").read_bytes()


class Dashboard:
    """A sampler thread feeding a History, and an HTTP server showing it; `start()`, then `stop()`."""

    def __init__(
        self,
        measure: Callable[[], Measurement],
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        interval: float = DEFAULT_INTERVAL,
        policy: Policy | None = None,
    ) -> None:
        self.measure = measure
        self.interval = interval
        self.monitor = LagMonitor(policy or Policy())
        self.history = History()
        self.registry = lag_registry(self.history.latest)
        self.server = ThreadingHTTPServer((host, port), _handler(self))
        self.server.daemon_threads = True
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def start(self) -> Dashboard:
        self._threads = [
            threading.Thread(target=self._sample_forever, name="newsflow-dashboard-sampler", daemon=True),
            threading.Thread(target=self.server.serve_forever, name="newsflow-dashboard-http", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()
        for thread in self._threads:
            thread.join(timeout=10)

    def sample_once(self) -> None:
        """Measure and record one sample; a failure is kept for the page and retried at the next interval."""
        try:
            self.history.add(self.monitor.update(self.measure()))
        except Exception as error:  # the page must keep serving and say why data is stale, whatever failed
            self.history.failed(f"{type(error).__name__}: {error}")

    def _sample_forever(self) -> None:
        while not self._stopping.is_set():
            started = time.monotonic()
            self.sample_once()
            self._stopping.wait(max(0.0, self.interval - (time.monotonic() - started)))


def _handler(dashboard: Dashboard) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "newsflow-dashboard"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path in ("/", "/index.html"):
                self._send(HTTPStatus.OK, "text/html; charset=utf-8", page())
            elif path == "/api/lag":
                body = orjson.dumps(dashboard.history.to_json(dashboard.interval))
                self._send(HTTPStatus.OK, "application/json", body)
            elif path == "/metrics":
                self._send(HTTPStatus.OK, CONTENT_TYPE_LATEST, generate_latest(dashboard.registry))
            elif path == "/healthz":
                ready = dashboard.history.latest() is not None
                self._send(HTTPStatus.OK if ready else HTTPStatus.SERVICE_UNAVAILABLE, "text/plain", b"ok\n")
            else:
                self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found\n")

        def _send(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: one line per request would drown the terminal at one poll every two seconds."""

    return Handler


def serve(
    probe: LagProbe,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    interval: float = DEFAULT_INTERVAL,
    policy: Policy | None = None,
) -> Dashboard:
    """A started dashboard measuring with `probe` (the caller closes the probe after `stop()`)."""
    return Dashboard(probe.measure, host=host, port=port, interval=interval, policy=policy).start()

"""The dashboard's HTTP server over a fake measurement source (no broker): page, JSON feed, metrics, errors."""

from __future__ import annotations

import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import orjson
import pytest

from pipeline.dashboard import Dashboard, page
from pipeline.lag import GroupOffsets, Measurement, PartitionOffsets

GROUP = "t.newsflow-normalize"


class Source:
    """Measurements whose raw[0] end offset grows by 5 each time; fails on demand."""

    def __init__(self) -> None:
        self.calls = 0
        self.fail = False

    def __call__(self) -> Measurement:
        if self.fail:
            raise ConnectionError("broker went away")
        self.calls += 1
        partition = PartitionOffsets("t.articles.raw", 0, 2, 0, 5 * self.calls, 1_000, True)
        group = GroupOffsets(GROUP, "Stable", 1, (partition,))
        return Measurement(
            float(self.calls), (group,), {"t.articles.raw": partition.end, "t.articles.dlq": 1}, "t.articles.dlq"
        )


@pytest.fixture
def dashboard() -> Iterator[tuple[Dashboard, Source]]:
    source = Source()
    # A long interval: the test drives sampling itself with sample_once().
    board = Dashboard(source, port=0, interval=3600)
    thread = threading.Thread(target=board.server.serve_forever, daemon=True)
    thread.start()
    yield board, source
    board.server.shutdown()
    board.server.server_close()


def get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def test_page_is_self_contained() -> None:
    html = page().decode()
    assert "<script>" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "the page must not load anything remote"


def test_serves_page_feed_and_metrics(dashboard: tuple[Dashboard, Source]) -> None:
    board, _ = dashboard
    assert board.url.startswith("http://127.0.0.1:")
    assert get(board.url + "healthz")[0] == 503  # nothing measured yet

    board.sample_once()
    board.sample_once()
    status, kind, body = get(board.url)
    assert (status, kind) == (200, "text/html; charset=utf-8")
    assert b"newsflow" in body

    status, kind, body = get(board.url + "api/lag")
    feed = orjson.loads(body)
    assert (status, kind, feed["samples"]) == (200, "application/json", 2)
    assert feed["report"]["groups"][0]["group"] == GROUP
    assert feed["report"]["groups"][0]["lag"] == 8
    assert [point[1] for point in feed["series"]["groups"][GROUP]] == [3, 8]
    assert feed["series"]["topics"]["t.articles.raw"][-1][2] == 5.0  # records written per second

    status, kind, body = get(board.url + "metrics")
    assert status == 200 and kind.startswith("text/plain")
    assert (
        f'newsflow_consumer_lag_messages{{group="{GROUP}",partition="0",topic="t.articles.raw"}} 8.0' in body.decode()
    )
    assert get(board.url + "healthz")[0] == 200
    assert get(board.url + "nope")[0] == 404


def test_a_failed_sample_keeps_the_last_data_and_says_why(dashboard: tuple[Dashboard, Source]) -> None:
    board, source = dashboard
    board.sample_once()
    source.fail = True
    board.sample_once()
    feed = orjson.loads(get(board.url + "api/lag")[2])
    assert feed["error"] == "ConnectionError: broker went away"
    assert feed["report"]["groups"][0]["lag"] == 3
    source.fail = False
    board.sample_once()
    assert orjson.loads(get(board.url + "api/lag")[2])["error"] is None


def test_start_and_stop_run_the_sampler() -> None:
    source = Source()
    board = Dashboard(source, port=0, interval=3600).start()
    try:
        for _ in range(100):  # the sampler thread measures right after start
            if get(board.url + "healthz")[0] == 200:
                break
            time.sleep(0.05)
        assert orjson.loads(get(board.url + "api/lag")[2])["samples"] == 1
    finally:
        board.stop()
    assert source.calls == 1  # then it waited on the (long) interval until stopped

"""`newsflow dashboard` against a real broker: /metrics serves the lag gauges, and in headless Chromium the
page loads, shows the pipeline's groups and updates after new records are produced.

Chromium is Debian's package (`apt-get install -y chromium`); without it the browser test is skipped.
The screenshot goes to /tmp/newsflow-dashboard.png (override with NEWSFLOW_DASHBOARD_SCREENSHOT).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import os
import shutil
import subprocess
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest

from pipeline.config import Settings
from pipeline.dashboard import Dashboard, serve
from pipeline.lag import LagProbe, pipeline_groups
from pipeline.lag_status import Policy

from .test_lag import normalize_group, produce, settings  # noqa: F401 (settings is a fixture)

CHROMIUM_INSTALL = "apt-get update && apt-get install -y chromium"
SCREENSHOT = Path(os.environ.get("NEWSFLOW_DASHBOARD_SCREENSHOT", "/tmp/newsflow-dashboard.png"))
WAIT_S = 60.0


@pytest.fixture
def dashboard(settings: Settings) -> Iterator[Dashboard]:  # noqa: F811 (the imported fixture)
    with LagProbe(settings) as probe:
        board = serve(probe, port=0, interval=0.5, policy=Policy(window=5, min_span=0))
        try:
            yield board
        finally:
            board.stop()


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        body: bytes = response.read()
        return body


def wait_for_samples(board: Dashboard, count: int) -> dict[str, Any]:
    """The feed once the sampler has measured at least `count` times."""
    for _ in range(int(WAIT_S / 0.1)):
        feed: dict[str, Any] = orjson.loads(fetch(board.url + "api/lag"))
        if feed["samples"] >= count and feed["report"]:
            return feed
        asyncio.run(asyncio.sleep(0.1))
    raise AssertionError(f"the dashboard measured fewer than {count} times: {feed}")


def test_metrics_endpoint_serves_the_lag_gauges(settings: Settings, dashboard: Dashboard) -> None:  # noqa: F811
    produce(settings, 6)
    feed = wait_for_samples(dashboard, dashboard.history.samples + 2)
    assert feed["error"] is None
    text = fetch(dashboard.url + "metrics").decode()
    group = normalize_group(settings)
    lines = [line for line in text.splitlines() if line.startswith("newsflow_consumer_group_lag_messages{")]
    assert f'newsflow_consumer_group_lag_messages{{group="{group}"}} 6.0' in lines
    assert f'newsflow_consumer_group_status{{group="{group}",status="STOP"}} 1.0' in text
    for other in pipeline_groups(settings):
        assert f'newsflow_consumer_group_lag_messages{{group="{other}"}}' in text
    assert "newsflow_consumer_lag_seconds{" in text
    assert f'newsflow_dlq_messages{{topic="{settings.topic_prefix}articles.dlq"}} 0.0' in text


# ---------------------------------------------------------------- headless Chromium over the DevTools protocol


class DevTools:
    """The smallest DevTools-protocol client this test needs: send a command, await its result."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.ids = itertools.count(1)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        call_id = next(self.ids)
        await self.socket.send_str(orjson.dumps({"id": call_id, "method": method, "params": params}).decode())
        while True:
            message = orjson.loads((await self.socket.receive(timeout=WAIT_S)).data)
            if message.get("id") == call_id:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                result: dict[str, Any] = message["result"]
                return result

    async def evaluate(self, expression: str) -> Any:
        answer = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return answer["result"].get("value")

    async def wait_until(self, expression: str, expected: Any) -> Any:
        """Evaluate until the page gives `expected` (bounded: the assertion is on content, not on time)."""
        value = None
        for _ in range(int(WAIT_S / 0.2)):
            value = await self.evaluate(expression)
            if value == expected:
                return value
            await asyncio.sleep(0.2)
        raise AssertionError(f"{expression} stayed {value!r}, expected {expected!r}")


@contextlib.asynccontextmanager
async def chromium(profile: Path) -> AsyncIterator[DevTools]:
    """Headless Chromium with a fresh profile, no network beyond localhost, driven over its DevTools socket."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip(f"Chromium is not installed (Debian: `{CHROMIUM_INSTALL}`)")
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--remote-debugging-port=0",
        "--window-size=1400,1100", "about:blank",
    ]  # fmt: skip
    process = subprocess.Popen([executable, *flags], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        port_file = profile / "DevToolsActivePort"
        for _ in range(int(WAIT_S / 0.1)):
            if port_file.is_file() and port_file.read_text().strip():
                break
            if process.poll() is not None:
                errors = process.stderr.read().decode() if process.stderr else ""
                raise AssertionError(f"chromium exited ({process.returncode}): {errors[-2000:]}")
            await asyncio.sleep(0.1)
        port = port_file.read_text().splitlines()[0]
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/json/list") as response:
                targets = await response.json()
            page = next(target for target in targets if target["type"] == "page")
            async with session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as socket:
                yield DevTools(socket)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_page_shows_groups_and_updates_in_headless_chromium(
    settings: Settings,  # noqa: F811
    dashboard: Dashboard,
    tmp_path: Path,
) -> None:
    produce(settings, 5)
    group = normalize_group(settings)
    card = f"document.querySelector('[data-group=\"{group}\"]')"

    async def drive() -> None:
        async with chromium(tmp_path / "profile") as browser:
            await browser.call("Page.enable")
            await browser.call("Page.navigate", url=dashboard.url)
            await browser.wait_until(f"{card} ? {card}.dataset.lag : null", "5")
            shown = await browser.evaluate("[...document.querySelectorAll('[data-group]')].map(e => e.dataset.group)")
            assert shown == list(pipeline_groups(settings))
            assert await browser.evaluate(f"{card}.dataset.status") == "STOP"  # nobody consumes: commits stopped
            assert await browser.evaluate("document.getElementById('dlq-count').dataset.count") == "0"
            charts = await browser.evaluate(f"{card}.querySelectorAll('polyline').length")
            assert charts >= 1

            samples_before = int(await browser.evaluate("document.body.dataset.samples"))
            await asyncio.to_thread(produce, settings, 7)
            await browser.wait_until(f"{card}.dataset.lag", "12")  # the open page redraws with the new records
            assert int(await browser.evaluate("document.body.dataset.samples")) > samples_before
            assert await browser.evaluate("document.getElementById('error').style.display") == "none"

            shot = await browser.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
            SCREENSHOT.write_bytes(base64.b64decode(shot["data"]))

    asyncio.run(drive())
    assert SCREENSHOT.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

"""The ingest run loop: every source on its own schedule until stopped (or for a bounded number of cycles),
then a graceful shutdown that lets sent records be acknowledged and flushes the producer."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pipeline.config import Settings
from pipeline.errors import ConfigError
from pipeline.ingest.attempts import Attempts
from pipeline.ingest.config import SourcesFile, feed_settings
from pipeline.ingest.counters import Counters
from pipeline.ingest.engine import Engine
from pipeline.ingest.feedpoll import FeedPoller, Services
from pipeline.ingest.fetch import Fetcher
from pipeline.ingest.folders import FolderWatcher
from pipeline.ingest.publisher import Publisher, RecordSink
from pipeline.ingest.stdin import StdinReader
from pipeline.ingest.store import SeenStore

log = logging.getLogger("newsflow.ingest")
Poll = Callable[[], Awaitable[float]]


def store_path(settings: Settings, sources: SourcesFile) -> Path:
    """The seen-store: the sources file's [ingest] store, else NEWSFLOW_HOME/ingest/seen.sqlite3."""
    return sources.ingest.store or settings.home / "ingest" / "seen.sqlite3"


@dataclass
class Control:
    """How a run is told to stop: `stop` asks for a graceful stop, `abort` for an immediate one."""

    stop: asyncio.Event
    abort: asyncio.Event

    @classmethod
    def new(cls) -> Control:
        return cls(asyncio.Event(), asyncio.Event())

    def request_stop(self) -> None:
        if self.stop.is_set():
            log.warning("second stop request: abandoning work in progress (sent records are still flushed)")
            self.abort.set()
        else:
            log.warning("stopping: finishing work in progress (again to abandon it)")
            self.stop.set()


async def repeat(poll: Poll, control: Control, max_cycles: int | None, after_error: float) -> None:
    """Call `poll` until stopped or `max_cycles` calls were made, waiting the delay each call returns
    (`after_error` seconds when it raised: a source must never stop for good because of one bad poll)."""
    cycles = 0
    while not control.stop.is_set():
        try:
            delay = await poll()
        except Exception:
            log.exception("unexpected error while polling a source; trying again in %.1fs", after_error)
            delay = after_error
        cycles += 1
        if max_cycles is not None and cycles >= max_cycles:
            return
        with suppress(TimeoutError):
            await asyncio.wait_for(control.stop.wait(), timeout=delay)


async def run_ingest(
    settings: Settings,
    sources: SourcesFile,
    *,
    stdin: BinaryIO | None = None,
    max_cycles: int | None = None,
    counters: Counters | None = None,
    control: Control | None = None,
    handle_signals: bool = False,
    on_status: Callable[[Counters], None] | None = None,
    sink: RecordSink | None = None,
) -> Counters:
    """Ingest every source until stopped, or until each has been polled `max_cycles` times and stdin (if
    given) has ended. Returns the run's counters. `sink` replaces the Kafka publisher (unit tests)."""
    if not sources.feeds and not sources.folders and stdin is None:
        raise ConfigError("nothing to ingest: give feeds or folders in --sources, --feed, --folder or --stdin")
    counters = counters or Counters()
    control = control or Control.new()
    loop = asyncio.get_running_loop()
    if handle_signals:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, control.request_stop)
    try:
        with SeenStore(store_path(settings, sources)) as store, ExitStack() as closing:
            publisher = sink or closing.enter_context(Publisher(settings))
            async with Fetcher(sources.http) as fetcher:
                engine = Engine(store, publisher, counters)
                services = Services(engine, fetcher, store, counters, sources.retry, Attempts(store, sources.retry))
                await _run_sources(services, sources, stdin, max_cycles, control, on_status)
                await engine.drain()
    finally:
        if handle_signals:
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signum)
    return counters


async def _run_sources(
    services: Services,
    sources: SourcesFile,
    stdin: BinaryIO | None,
    max_cycles: int | None,
    control: Control,
    on_status: Callable[[Counters], None] | None,
) -> None:
    pollers: list[Poll] = [FeedPoller(feed_settings(sources, feed), services).poll for feed in sources.feeds]
    pollers += [FolderWatcher(folder, services).poll for folder in sources.folders]
    after_error = max(sources.retry.base, 1.0)
    tasks = [asyncio.create_task(repeat(poll, control, max_cycles, after_error)) for poll in pollers]
    if stdin is not None:
        tasks.append(asyncio.create_task(StdinReader(stdin, services).run()))
    status = (
        asyncio.create_task(_report(services.counters, sources.ingest.status_every, on_status)) if on_status else None
    )
    everything = asyncio.ensure_future(asyncio.wait(tasks))
    stopping = asyncio.create_task(control.stop.wait())
    try:
        await asyncio.wait([everything, stopping], return_when=asyncio.FIRST_COMPLETED)
        if not everything.done():  # a stop was requested: give work in progress the grace period
            aborting = asyncio.create_task(control.abort.wait())
            await asyncio.wait(
                [everything, aborting], timeout=sources.ingest.shutdown_grace, return_when=asyncio.FIRST_COMPLETED
            )
            aborting.cancel()
    finally:
        stopping.cancel()
        everything.cancel()
        for task in [*tasks, *([status] if status else [])]:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        if status:
            await asyncio.gather(status, return_exceptions=True)
    for result in results:
        if isinstance(result, Exception):  # the sources catch their own errors: this is a bug, say so loudly
            log.error("a source stopped with an unexpected error: %r", result)


async def _report(counters: Counters, every: float, on_status: Callable[[Counters], None]) -> None:
    while True:
        await asyncio.sleep(every)
        on_status(counters)

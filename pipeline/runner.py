"""`newsflow run`: a broker, the topics, one supervised worker process per stage, and waiting for results."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType

from pydantic import SecretStr

from agents.registry import STAGE_NAMES
from pipeline.config import Settings
from pipeline.records import Record, loads
from pipeline.tail import read_topics
from pipeline.topics import DLQ, ENRICHED

RESTART_BACKOFF_S = (1, 2, 5, 10, 30)


def settings_environment(settings: Settings) -> dict[str, str]:
    """The settings as NEWSFLOW_* variables, so a child process sees exactly this configuration."""
    env: dict[str, str] = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        env[f"NEWSFLOW_{name.upper()}"] = str(value)
    return env


def worker_instance_id(settings: Settings, stage: str) -> str:
    """A supervised worker's static group membership id: the same across its restarts (so a restarted worker
    takes its partitions back at once), different for another host or newsflow home."""
    home = hashlib.sha256(str(settings.home.expanduser().resolve()).encode()).hexdigest()[:8]
    return f"{socket.gethostname()}-{home}-{stage}"


@dataclass
class Worker:
    """One stage's worker process and how often it was restarted."""

    stage: str
    process: subprocess.Popen[bytes]
    log: Path
    restarts: int = 0
    started_at: float = field(default_factory=time.monotonic)


class Supervisor:
    """Starts a worker process per stage, restarts any that die (with backoff), stops them gracefully."""

    def __init__(self, settings: Settings, stages: Iterable[str] = STAGE_NAMES) -> None:
        self.settings = settings
        self.stages = list(stages)
        self.log_dir = settings.home / "logs"
        self.workers: dict[str, Worker] = {}

    def __enter__(self) -> Supervisor:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for stage in self.stages:
            self.workers[stage] = self._spawn(stage)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def _spawn(self, stage: str, restarts: int = 0) -> Worker:
        log = self.log_dir / f"{stage}.log"
        env = {
            **os.environ,
            **settings_environment(self.settings),
            "NEWSFLOW_GROUP_INSTANCE_ID": worker_instance_id(self.settings, stage),
        }
        with log.open("ab") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "pipeline", "agent", stage],
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
            )
        return Worker(stage, process, log, restarts)

    def check(self, on_restart: Callable[[Worker, int], None] | None = None) -> None:
        """Restart every worker that exited, waiting longer after each restart of the same stage."""
        for stage, worker in self.workers.items():
            code = worker.process.poll()
            if code is None:
                continue
            backoff = RESTART_BACKOFF_S[min(worker.restarts, len(RESTART_BACKOFF_S) - 1)]
            if time.monotonic() - worker.started_at < backoff:
                continue
            if on_restart:
                on_restart(worker, code)
            self.workers[stage] = self._spawn(stage, worker.restarts + 1)

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM every worker (they commit what they processed), SIGKILL what is left after the timeout."""
        stop_processes([worker.process for worker in self.workers.values()], timeout)


def stop_processes(processes: Sequence[subprocess.Popen[bytes]], timeout: float) -> None:
    """SIGTERM every process still running, then SIGKILL any still running after the timeout."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Results:
    """What became of a set of published articles: enriched records and dead letters, by article id."""

    enriched: dict[str, Record] = field(default_factory=dict)
    dead_letters: dict[str, Record] = field(default_factory=dict)

    def settled(self, ids: set[str]) -> bool:
        """Every id has arrived enriched or dead-lettered."""
        return ids <= self.enriched.keys() | self.dead_letters.keys()


def wait_for(
    settings: Settings,
    ids: Iterable[str],
    since: datetime,
    timeout_s: float,
    on_result: Callable[[Results], None] | None = None,
    still_running: Callable[[], None] | None = None,
) -> Results:
    """Watch the enriched and dead-letter topics from `since` until every id has arrived or time is up."""
    wanted = set(ids)
    results = Results()
    if not wanted:
        return results
    for message in read_topics(settings, [ENRICHED, DLQ], start=since, follow=True, timeout_s=timeout_s):
        if still_running:
            still_running()
        value = loads(message.value)
        article_id = value.get("id") if isinstance(value, dict) else None
        if article_id not in wanted:
            continue
        if message.topic.endswith(DLQ):
            results.dead_letters[article_id] = value
        else:
            results.enriched[article_id] = value
        if on_result:
            on_result(results)
        if results.settled(wanted):
            break
    return results

"""Worker processes for the end-to-end runs: start them, wait for their consumer groups, read their CPU and memory."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kafka.errors import KafkaError

from pipeline.clients import admin_client
from pipeline.config import Settings
from pipeline.runner import settings_environment, stop_processes

ROOT = Path(__file__).resolve().parents[1]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class WorkerSpec:
    """One process to start: a label (the stage it serves), its consumer group and its command line."""

    stage: str
    group: str
    command: tuple[str, ...]


@dataclass
class Worker:
    """A started worker process and where its output goes."""

    spec: WorkerSpec
    process: subprocess.Popen[bytes]
    log: Path
    cpu_mark: float = 0.0


@dataclass
class WorkerSet:
    """The workers of one configuration, with CPU accounting between marks."""

    workers: list[Worker] = field(default_factory=list)

    def mark(self) -> None:
        """Remember every worker's CPU time so `cpu_since_mark` measures only what follows."""
        for worker in self.workers:
            worker.cpu_mark = cpu_seconds(worker.process.pid) or 0.0

    def cpu_since_mark(self) -> dict[str, float]:
        """CPU seconds each stage's workers used since the last mark (summed over a stage's processes)."""
        used: dict[str, float] = {}
        for worker in self.workers:
            now = cpu_seconds(worker.process.pid)
            if now is not None:
                used[worker.spec.stage] = used.get(worker.spec.stage, 0.0) + now - worker.cpu_mark
        return used

    def peak_rss(self) -> dict[str, float]:
        """Each stage's largest worker peak resident memory (VmHWM) in MiB, read while they still run."""
        peaks: dict[str, float] = {}
        for worker in self.workers:
            peak = peak_rss_mib(worker.process.pid)
            if peak is not None:
                peaks[worker.spec.stage] = max(peaks.get(worker.spec.stage, 0.0), peak)
        return peaks

    def check_alive(self) -> None:
        """Raise with the log's tail when a worker exited: a dead worker would make the run wait for nothing."""
        for worker in self.workers:
            code = worker.process.poll()
            if code is not None:
                tail = worker.log.read_text("utf-8", "replace")[-2000:] if worker.log.exists() else ""
                raise RuntimeError(f"worker {worker.spec.stage} exited with {code}; log {worker.log}:\n{tail}")


def worker_environment(settings: Settings, home: Path) -> dict[str, str]:
    """The environment of a worker: this run's settings, its own home (faust data dir), the repo importable."""
    env = {**os.environ, **settings_environment(settings), "NEWSFLOW_HOME": str(home)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return env


def python_module(module: str, *args: str) -> tuple[str, ...]:
    """The command line that runs a module with this interpreter."""
    return (sys.executable, "-m", module, *args)


@contextmanager
def running(settings: Settings, specs: Sequence[WorkerSpec], run_dir: Path) -> Iterator[WorkerSet]:
    """Start every worker, yield them, and stop them all (SIGTERM, then SIGKILL) however the block ends."""
    started = WorkerSet()
    try:
        for index, spec in enumerate(specs):
            home = run_dir / f"{spec.stage}-{index}"
            home.mkdir(parents=True, exist_ok=True)
            log = home / "worker.log"
            with log.open("ab") as output:
                process = subprocess.Popen(
                    spec.command,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    env=worker_environment(settings, home),
                    cwd=ROOT,
                )
            started.workers.append(Worker(spec, process, log))
        yield started
    finally:
        stop(started.workers)


def stop(workers: Sequence[Worker], timeout: float = 20.0) -> None:
    """SIGTERM every worker, SIGKILL any still running after the timeout."""
    stop_processes([worker.process for worker in workers], timeout)


def wait_for_groups(settings: Settings, members: dict[str, int], workers: WorkerSet, timeout: float = 120.0) -> None:
    """Block until each consumer group is Stable with the expected number of members (every worker assigned)."""
    deadline = time.monotonic() + timeout
    with admin_client(settings) as admin:
        while True:
            workers.check_alive()
            try:
                described = admin.describe_groups(list(members))
            except KafkaError:
                described = {}
            seen = {
                group: (info.get("group_state"), len(info.get("members") or [])) for group, info in described.items()
            }
            if all(seen.get(group) == ("Stable", count) for group, count in members.items()):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"consumer groups not ready after {timeout:.0f} s: wanted {members}, saw {seen}")
            time.sleep(0.5)


def _proc_status(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None


def peak_rss_mib(pid: int) -> float | None:
    """A live process's peak resident set size (VmHWM) in MiB, None when it cannot be read."""
    status = _proc_status(pid)
    if status is None:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU seconds a live process has used, None when it cannot be read."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # the command name may contain spaces and parentheses
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_busy_seconds() -> float:
    """CPU seconds all processes on the machine have spent busy since boot (every core summed), from /proc/stat."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()
    except (OSError, IndexError):
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(value) for value in fields[1:9])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS

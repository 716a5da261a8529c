"""Reliability on a real broker: 2,000 records (5% malformed) through a graceful restart, kill -9 of the
workers and a broker restart; after dedup by key every good article is enriched once, every malformed record
sits in the DLQ with the right stage and reason, and nothing is lost."""

from __future__ import annotations

import random
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline import broker, runner
from pipeline.config import Settings
from pipeline.runner import Supervisor
from tests.integration.conftest import START_TIMEOUT, KafkaBroker, isolated_settings
from tests.integration.harness import (
    Feeder,
    Figures,
    Item,
    KillSchedule,
    Tally,
    figures,
    lags,
    mixed_articles,
    read_results,
    restarts_counter,
    wait_for_no_lag,
    worker_logs,
)

pytestmark = [pytest.mark.integration, pytest.mark.reliability]

TOTAL = 2_000
MALFORMED_SHARE = 0.05
MAX_RECORD_BYTES = 200_000
PACE = 40.0  # records a second while workers are killed or the broker restarts: they flow the whole time
SETTLE_TIMEOUT_S = 360
NO_LAG = {"normalize": 0, "entities": 0, "classify": 0}


def pipeline_settings(bootstrap: str, home: Path) -> Settings:
    """Settings of one run: its own topic prefix, so runs never see each other's records."""
    return isolated_settings(bootstrap, home, "rel", max_record_bytes=MAX_RECORD_BYTES)


@pytest.fixture
def settings(kafka_bootstrap: str, tmp_path: Path) -> Settings:
    return pipeline_settings(kafka_bootstrap, tmp_path)


@pytest.fixture
def quick_restarts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Restart a killed worker after a second every time (the backoff is for crash loops, not under test)."""
    monkeypatch.setattr(runner, "RESTART_BACKOFF_S", (1,))


def articles(seed: int) -> list[Item]:
    return mixed_articles(TOTAL, MALFORMED_SHARE, MAX_RECORD_BYTES, f"s{seed}", seed)


def report(pytestconfig: pytest.Config, name: str, found: Figures, **extra: object) -> None:
    """Keep the run's figures in pytest's cache (docs/reliability.md quotes them) and print them."""
    figures_seen = {**found.summary(), **extra}
    cache = getattr(pytestconfig, "cache", None)
    if cache is not None:
        cache.set(f"newsflow/reliability/{name}", figures_seen)
    print(f"\n{name}: {figures_seen}")


def assert_every_record_accounted_for(found: Figures, tally: Tally, supervisor_logs: str) -> None:
    assert found.problems == {}, f"{found.problems}\n{supervisor_logs}"
    assert found.enriched == TOTAL - round(TOTAL * MALFORMED_SHARE)
    assert found.dead_lettered == round(TOTAL * MALFORMED_SHARE)
    assert found.lost == []


def test_malformed_records_are_dead_lettered_and_a_graceful_restart_duplicates_nothing(
    settings: Settings, pytestconfig: pytest.Config
) -> None:
    """All 2,000 at once; halfway through every worker is stopped with SIGTERM and started again."""
    items = articles(seed=1)
    started = time.monotonic()
    restarts: list[tuple[str, int]] = []
    feeder = Feeder(settings, items)
    supervisor = Supervisor(settings).__enter__()
    graceful_restarts = 0

    def tick() -> None:
        feeder.tick()
        supervisor.check(on_restart=restarts_counter(restarts))

    def halfway(tally: Tally) -> bool:
        return sum(tally.enriched.values()) >= len(items) // 3

    try:
        read_results(settings, halfway, tick=tick, timeout_s=SETTLE_TIMEOUT_S)
        supervisor.stop()  # SIGTERM: each worker commits what it processed
        supervisor = Supervisor(settings).__enter__()
        graceful_restarts += 1
        read_results(settings, lambda tally: tally.settled(items), tick=tick, timeout_s=SETTLE_TIMEOUT_S)
        failures = feeder.finish()
        lag = wait_for_no_lag(settings, tick, timeout_s=60)
        logs = worker_logs(supervisor)
    finally:
        supervisor.stop()
    final = read_results(settings, validate=True, timeout_s=120)
    found = figures(items, final)
    report(pytestconfig, "malformed", found, graceful_restarts=graceful_restarts,
           seconds=round(time.monotonic() - started))  # fmt: skip

    assert failures == []
    assert_every_record_accounted_for(found, final, logs)
    assert restarts == [], logs  # no worker crashed on any malformed record
    assert lag == NO_LAG
    assert lags(settings) == NO_LAG  # the final SIGTERM committed everything too
    # What a worker had processed when SIGTERM came was committed: at most the one event each worker had in
    # flight is processed again (without the commit on shutdown it would be a commit interval's worth).
    assert found.duplicates_before_dedup + found.dead_letter_duplicates <= len(NO_LAG)


def test_kill_9_of_every_worker_five_times_loses_nothing(
    settings: Settings, pytestconfig: pytest.Config, quick_restarts: None
) -> None:
    """Records flow at a steady pace while each stage's worker is SIGKILLed five times at random moments."""
    items = articles(seed=2)
    started = time.monotonic()
    restarts: list[tuple[str, int]] = []
    rng = random.Random(2)
    with Supervisor(settings) as supervisor:
        feeder = Feeder(settings, items, per_second=PACE)
        chaos = KillSchedule(supervisor, rounds=5, window_s=len(items) / PACE, rng=rng, progress=lambda: feeder.sent)

        def tick() -> None:
            feeder.tick()
            chaos.tick()
            supervisor.check(on_restart=restarts_counter(restarts))

        read_results(
            settings,
            lambda tally: feeder.done and chaos.done and tally.settled(items),
            tick=tick,
            timeout_s=SETTLE_TIMEOUT_S,
        )
        failures = feeder.finish()
        lag = wait_for_no_lag(settings, tick, timeout_s=90)
        logs = worker_logs(supervisor)
    final = read_results(settings, validate=True, timeout_s=120)
    found = figures(items, final)
    report(pytestconfig, "kill-9", found, kills=len(chaos.kills), restarts=len(restarts),
           seconds=round(time.monotonic() - started))  # fmt: skip

    assert failures == []
    assert len(chaos.kills) == 5 * 3
    assert {stage for _, stage, _ in chaos.kills} == {"normalize", "entities", "classify"}
    assert len(restarts) >= len(chaos.kills)
    assert_every_record_accounted_for(found, final, logs)
    assert lag == NO_LAG


@pytest.fixture
def own_broker(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaBroker]:
    """A local broker for this test alone (stopping the session's broker would disturb other tests)."""
    if shutil.which("java") is None:
        pytest.skip("the broker restart test runs its own local Kafka, which needs java")
    home = tmp_path_factory.mktemp("restart-broker")
    cache = getattr(pytestconfig, "cache", None)
    jars = Path(cache.mkdir("newsflow-kafka")) if cache is not None else home
    info = broker.start(home, timeout=START_TIMEOUT, jars_home=jars)
    try:
        yield KafkaBroker(info.bootstrap, "local", home, info.controller_port, jars)
    finally:
        broker.stop(home)


def test_a_broker_restart_mid_stream_loses_nothing(
    own_broker: KafkaBroker, tmp_path: Path, pytestconfig: pytest.Config, quick_restarts: None
) -> None:
    """Records flow at a steady pace; a third of the way in the broker stops, stays down, and comes back on the
    same address. Producer, workers and the reader reconnect; the same counts hold."""
    settings = pipeline_settings(own_broker.bootstrap, tmp_path)
    items = articles(seed=3)
    started = time.monotonic()
    restarts: list[tuple[str, int]] = []
    downtime = 0.0
    with Supervisor(settings) as supervisor:
        feeder = Feeder(settings, items, per_second=PACE)

        def tick() -> None:
            feeder.tick()
            supervisor.check(on_restart=restarts_counter(restarts))

        read_results(settings, lambda _: feeder.sent >= len(items) // 3, tick=tick, timeout_s=SETTLE_TIMEOUT_S)
        down_at = time.monotonic()
        with own_broker.down():
            for _ in range(10):  # the workers and the producer face a missing broker for a while
                tick()
                time.sleep(0.5)
        downtime = time.monotonic() - down_at
        read_results(
            settings, lambda tally: feeder.done and tally.settled(items), tick=tick, timeout_s=SETTLE_TIMEOUT_S
        )
        failures = feeder.finish()
        lag = wait_for_no_lag(settings, tick, timeout_s=90)
        logs = worker_logs(supervisor)
    final = read_results(settings, validate=True, timeout_s=120)
    found = figures(items, final)
    report(pytestconfig, "broker-restart", found, broker_down_seconds=round(downtime, 1),
           worker_restarts=len(restarts), seconds=round(time.monotonic() - started))  # fmt: skip

    assert failures == []
    assert_every_record_accounted_for(found, final, logs)
    assert lag == NO_LAG

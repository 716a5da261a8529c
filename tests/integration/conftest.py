"""The real Kafka broker the integration tests share: one per session, started on first use.

Chosen in this order: NEWSFLOW_BOOTSTRAP from the environment; else a testcontainers Kafka when a Docker
engine answers a ping; else newsflow's own local broker (Kafka 3.9.1 from Maven, or the release
NEWSFLOW_KAFKA_VERSION names) in a temporary home. NEWSFLOW_TEST_BROKER=local|docker forces one of the last two
(e.g. `local` for the restart tests).
"""

from __future__ import annotations

import contextlib
import os
import signal
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest

from pipeline import broker
from pipeline.config import Settings
from pipeline.topics import create_topics

BOOTSTRAP_ENV = "NEWSFLOW_BOOTSTRAP"
CHOICE_ENV = "NEWSFLOW_TEST_BROKER"
IMAGE_ENV = "NEWSFLOW_TEST_KAFKA_IMAGE"
DEFAULT_IMAGE = "confluentinc/cp-kafka:7.9.0"  # Confluent Platform 7.9 ships Kafka 3.9
START_TIMEOUT = 120.0
INTEGRATION_DIR = Path(__file__).parent

BrokerKind = Literal["environment", "docker", "local"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/integration needs the broker: mark it so `-m "not integration"` skips it."""
    for item in items:
        if INTEGRATION_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.integration)


@dataclass
class KafkaBroker:
    """The broker under test and, when it is the local one, the means to take it down and bring it back."""

    bootstrap: str
    kind: BrokerKind
    home: Path | None = None
    controller_port: int | None = None
    jars_home: Path | None = None
    kafka_version: str = broker.DEFAULT_KAFKA_VERSION

    def stop(self) -> None:
        """Stop the broker (graceful shutdown); its data and address stay for `start`."""
        broker.stop(self.require_local())

    def start(self) -> None:
        """Start it again at the same address, so clients reconnect as they would in production."""
        _, _, port = self.bootstrap.rpartition(":")
        broker.start(
            self.require_local(),
            kafka_version=self.kafka_version,
            port=int(port),
            controller_port=self.controller_port,
            timeout=START_TIMEOUT,
            jars_home=self.jars_home,
        )

    def kill(self) -> None:
        """Crash the broker (SIGKILL, no controlled shutdown); `start` brings it back to recover its logs."""
        home = self.require_local()
        info = broker.status(home)
        if info is not None:
            os.kill(info.pid, signal.SIGKILL)
        broker.stop(home)  # waits for the process to be gone and clears its record

    def restart(self) -> None:
        self.stop()
        self.start()

    @contextlib.contextmanager
    def down(self) -> Iterator[None]:
        """The broker is stopped inside the block and started again after it, even when the block fails."""
        self.stop()
        try:
            yield
        finally:
            self.start()

    def require_local(self) -> Path:
        """The local broker's home; skips the test when this session runs on another kind of broker."""
        if self.home is None:
            where = "the one NEWSFLOW_BOOTSTRAP names" if self.kind == "environment" else "a Docker container"
            pytest.skip(
                f"needs the local broker (to stop and restart it); this session's broker is {where}, "
                f"at {self.bootstrap} (unset {BOOTSTRAP_ENV} and set {CHOICE_ENV}=local)"
            )
        return self.home


def docker_engine_answers(timeout: int = 3) -> bool:
    """Whether a Docker engine answers a ping (testcontainers raises in its constructor when none does)."""
    # Broad on purpose: a missing package, socket or engine shows up as several exception families.
    try:
        import docker

        client = docker.from_env(timeout=timeout)
    except Exception:
        return False
    try:
        return bool(client.ping())
    except Exception:
        return False
    finally:
        client.close()


def _jars_home(config: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pytest's cache directory, so the Maven resolution happens once per checkout, not once per session."""
    cache = getattr(config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir("newsflow-kafka"))
    return tmp_path_factory.mktemp("kafka-jars")


@contextlib.contextmanager
def _docker_broker() -> Iterator[KafkaBroker]:
    from testcontainers.community.kafka import KafkaContainer

    container = (
        KafkaContainer(os.environ.get(IMAGE_ENV, DEFAULT_IMAGE))
        .with_kraft()
        .with_env("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
        .with_env("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
        .with_env("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
    )
    with container:
        yield KafkaBroker(bootstrap=container.get_bootstrap_server(), kind="docker")


@contextlib.contextmanager
def _local_broker(home: Path, jars_home: Path) -> Iterator[KafkaBroker]:
    try:
        kafka_version = Settings().kafka_version
        info = broker.start(home, kafka_version=kafka_version, timeout=START_TIMEOUT, jars_home=jars_home)
        yield KafkaBroker(
            bootstrap=info.bootstrap,
            kind="local",
            home=home,
            controller_port=info.controller_port,
            jars_home=jars_home,
            kafka_version=kafka_version,
        )
    finally:
        broker.stop(home)


@pytest.fixture(scope="session")
def kafka_broker(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaBroker]:
    """The session's real broker (never a fake), started the first time a test asks for it."""
    bootstrap = os.environ.get(BOOTSTRAP_ENV)
    choice = os.environ.get(CHOICE_ENV, "")
    if bootstrap:
        if not broker.answers_metadata(bootstrap, timeout=10.0):
            pytest.fail(f"{BOOTSTRAP_ENV}={bootstrap} does not answer a Kafka metadata request")
        yield KafkaBroker(bootstrap=bootstrap, kind="environment")
    elif choice == "docker" or (choice != "local" and docker_engine_answers()):
        with _docker_broker() as docker_broker:
            yield docker_broker
    else:
        home = tmp_path_factory.mktemp("kafka-home")
        with _local_broker(home, _jars_home(pytestconfig, tmp_path_factory)) as local:
            yield local


@pytest.fixture(scope="session")
def kafka_bootstrap(kafka_broker: KafkaBroker) -> str:
    """host:port of the session's real broker."""
    return kafka_broker.bootstrap


def isolated_settings(bootstrap: str, home: Path, name: str, **overrides: Any) -> Settings:
    """Settings for one test on a broker: a topic prefix of its own (tests never see each other's records or
    consumer groups), two partitions, and the pipeline's topics created."""
    fields: dict[str, Any] = {
        "bootstrap": bootstrap,
        "topic_prefix": f"{name}-{uuid.uuid4().hex[:8]}.",
        "home": home,
        "partitions": 2,
        **overrides,
    }
    settings = Settings(**fields)
    create_topics(settings)
    return settings


@pytest.fixture
def make_settings(kafka_bootstrap: str, tmp_path: Path) -> Callable[..., Settings]:
    """A factory of isolated settings on the session's broker: `make_settings("lag", partitions=1)`."""

    def make(name: str = "it", **overrides: Any) -> Settings:
        return isolated_settings(kafka_bootstrap, tmp_path, name, **overrides)

    return make

"""Kafka clients built from settings: broker address, security options, a clear error when none answers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError

from pipeline.config import Settings
from pipeline.errors import BrokerUnavailable

CONNECT_TIMEOUT_MS = 10_000


def resolve_bootstrap(settings: Settings) -> str:
    """The broker to use: --bootstrap / NEWSFLOW_BOOTSTRAP, else a local broker left running by `broker start`."""
    if settings.bootstrap:
        return settings.bootstrap
    from pipeline.broker import local_bootstrap

    local = local_bootstrap(settings.home)
    if local:
        return local
    raise BrokerUnavailable(
        "no Kafka broker configured: pass --bootstrap HOST:PORT, set NEWSFLOW_BOOTSTRAP, "
        "or start the local one with `newsflow broker start`"
    )


def common_options(settings: Settings) -> dict[str, Any]:
    """Options every kafka-python client takes: where the brokers are and how to authenticate."""
    return {
        "bootstrap_servers": resolve_bootstrap(settings).split(","),
        "bootstrap_timeout_ms": CONNECT_TIMEOUT_MS,
        "client_id": "newsflow",
        **settings.kafka_python_security(),
    }


@contextmanager
def unreachable_as_error(settings: Settings) -> Iterator[None]:
    """Turn kafka-python's connection failures into one line naming the broker address."""
    try:
        yield
    except KafkaError as error:
        if "bootstrap" in str(error).lower() or "NoBrokers" in type(error).__name__:
            raise BrokerUnavailable(
                f"cannot reach Kafka at {settings.bootstrap or 'the local broker'}: {error}"
            ) from error
        raise


@contextmanager
def admin_client(settings: Settings) -> Iterator[KafkaAdminClient]:
    """A connected admin client, closed on exit."""
    with unreachable_as_error(settings):
        client = KafkaAdminClient(**common_options(settings))
    try:
        yield client
    finally:
        client.close()


def producer(settings: Settings, **overrides: Any) -> KafkaProducer:
    """An idempotent producer (acks=all), bytes in and out."""
    options = {
        **common_options(settings),
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 5,
        "compression_type": "gzip",
        "max_request_size": settings.max_record_bytes + 64 * 1024,
        **overrides,
    }
    with unreachable_as_error(settings):
        return KafkaProducer(**options)


def consumer(settings: Settings, **overrides: Any) -> KafkaConsumer:
    """A consumer with newsflow's connection settings; topics are assigned or subscribed by the caller."""
    options = {**common_options(settings), "enable_auto_commit": False, **overrides}
    with unreachable_as_error(settings):
        return KafkaConsumer(**options)

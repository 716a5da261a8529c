"""The session's real broker: topics can be created, written and read; the local one survives a restart."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic

from pipeline import broker

from .conftest import KafkaBroker


@contextlib.contextmanager
def admin_client(bootstrap: str) -> Iterator[KafkaAdminClient]:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="newsflow-smoke")
    try:
        yield admin
    finally:
        admin.close()


@pytest.fixture
def topic(kafka_bootstrap: str) -> Iterator[str]:
    name = f"smoke-{uuid.uuid4().hex[:12]}"
    with admin_client(kafka_bootstrap) as admin:
        admin.create_topics([NewTopic(name, num_partitions=2, replication_factor=1)])
    yield name
    # A new client: one that lived through a broker restart may still be backing off its reconnects.
    with admin_client(kafka_bootstrap) as admin:
        admin.delete_topics([name])


def produce(bootstrap: str, topic: str, key: bytes, value: bytes) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        producer.send(topic, key=key, value=value).get(timeout=30)
    finally:
        producer.close()


def consume(bootstrap: str, topic: str, count: int) -> list[tuple[bytes | None, bytes | None]]:
    """The first `count` messages of topic (fewer if they do not arrive within 30 s)."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"smoke-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        consumer_timeout_ms=30_000,
    )
    try:
        # range first: zip stops at `count` without asking the consumer for one more message
        return [(message.key, message.value) for _, message in zip(range(count), consumer, strict=False)]
    finally:
        consumer.close()


def test_a_message_goes_through_a_new_topic(kafka_bootstrap: str, topic: str) -> None:
    payload = f"مرحبا {uuid.uuid4()}".encode()

    produce(kafka_bootstrap, topic, b"article-1", payload)

    assert consume(kafka_bootstrap, topic, 1) == [(b"article-1", payload)]


def test_topics_are_not_created_by_accident(kafka_broker: KafkaBroker) -> None:
    if kafka_broker.kind == "environment":
        pytest.skip("a cluster given by NEWSFLOW_BOOTSTRAP may create topics on first use")
    name = f"never-created-{uuid.uuid4().hex[:12]}"
    consumer = KafkaConsumer(bootstrap_servers=kafka_broker.bootstrap)
    try:
        consumer.subscribe([name])
        consumer.poll(timeout_ms=2_000)
    finally:
        consumer.close()
    # Asked by an admin client: consumer.topics() can fail on the subscriber's own pending unknown-topic lookup.
    with admin_client(kafka_broker.bootstrap) as admin:
        assert name not in admin.list_topics()


def test_the_local_broker_keeps_its_address_and_data_across_a_restart(kafka_broker: KafkaBroker, topic: str) -> None:
    home = kafka_broker.require_local()
    produce(kafka_broker.bootstrap, topic, b"before", b"restart")
    pid_before = broker.status(home)

    kafka_broker.restart()

    after = broker.status(home)
    assert pid_before is not None and after is not None
    assert after.pid != pid_before.pid
    assert after.bootstrap == kafka_broker.bootstrap
    command_line = Path(f"/proc/{after.pid}/cmdline").read_bytes()
    assert after.kafka_version == kafka_broker.kafka_version  # the release asked for runs, from its own jars
    assert f"kafka-{kafka_broker.kafka_version}{os.sep}libs".encode() in command_line
    assert broker.start(home, kafka_version=kafka_broker.kafka_version) == after  # running: found, not started twice
    assert consume(kafka_broker.bootstrap, topic, 1) == [(b"before", b"restart")]


def test_the_local_broker_recovers_what_it_acknowledged_before_a_crash(kafka_broker: KafkaBroker, topic: str) -> None:
    kafka_broker.require_local()
    produce(kafka_broker.bootstrap, topic, b"before", b"crash")

    kafka_broker.kill()
    assert broker.status(kafka_broker.require_local()) is None
    kafka_broker.start()

    assert consume(kafka_broker.bootstrap, topic, 1) == [(b"before", b"crash")]

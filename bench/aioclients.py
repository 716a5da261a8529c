"""aiokafka clients for the bench, built from newsflow settings (the same broker and security as the workers)."""

from __future__ import annotations

from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.helpers import create_ssl_context

from pipeline.clients import resolve_bootstrap
from pipeline.config import Settings


def connection_options(settings: Settings) -> dict[str, Any]:
    """Bootstrap servers and security in aiokafka's spelling."""
    options: dict[str, Any] = {
        "bootstrap_servers": resolve_bootstrap(settings).split(","),
        "security_protocol": settings.security_protocol,
    }
    if settings.security_protocol in ("SSL", "SASL_SSL"):
        options["ssl_context"] = create_ssl_context(
            cafile=settings.ssl_cafile, certfile=settings.ssl_certfile, keyfile=settings.ssl_keyfile
        )
    if settings.sasl_mechanism:
        options["sasl_mechanism"] = settings.sasl_mechanism
        options["sasl_plain_username"] = settings.sasl_username
        options["sasl_plain_password"] = settings.sasl_password.get_secret_value() if settings.sasl_password else None
    return options


def relay_producer(settings: Settings) -> AIOKafkaProducer:
    """A producer configured as faust configures the workers' one (acks=all, no linger, no compression)."""
    return AIOKafkaProducer(
        **connection_options(settings),
        acks="all",
        linger_ms=0,
        max_request_size=settings.max_record_bytes + 64 * 1024,
    )


def load_producer(settings: Settings) -> AIOKafkaProducer:
    """The load generator's producer: acks=all, batches of up to 1 MiB, 5 ms linger, no compression.

    Large batches and no compression keep the generator from being the limit of the transport baselines
    (with the 16 KiB default every enriched-size record would travel in a request of its own)."""
    return AIOKafkaProducer(
        **connection_options(settings),
        acks="all",
        linger_ms=5,
        max_batch_size=1_048_576,
        max_request_size=max(1_048_576, settings.max_record_bytes + 64 * 1024),
    )


def consumer(settings: Settings, *topics: str, **overrides: Any) -> AIOKafkaConsumer:
    """A consumer reading from the earliest offset, committing only when told to."""
    return AIOKafkaConsumer(
        *topics,
        **connection_options(settings),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        fetch_max_bytes=max(52_428_800, settings.max_record_bytes * 2),
        max_partition_fetch_bytes=max(1_048_576, settings.max_record_bytes + 64 * 1024),
        **overrides,
    )

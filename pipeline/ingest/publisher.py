"""A long-lived producer for the ingester: validate, send keyed by id, and await the broker's ack in asyncio."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType
from typing import Any, Protocol

from kafka import KafkaProducer
from kafka.errors import KafkaError

from pipeline.clients import producer
from pipeline.config import Settings
from pipeline.errors import ConfigError
from pipeline.producer import encode_checked
from pipeline.records import Record
from pipeline.sources import InputProblem
from pipeline.topics import RAW, missing_topics, physical
from schemas import validator


class RecordSink(Protocol):
    """Where the engine sends records: the Kafka publisher, or a list in unit tests."""

    async def publish(self, record: Record) -> None:
        """Return once the record is durably stored; raise Unpublishable or NotDelivered otherwise."""


class Unpublishable(ValueError):
    """A record the topic would refuse: it fails the schema or is too large."""


class NotDelivered(RuntimeError):
    """The broker did not acknowledge a record (after the producer's own retries)."""


class Publisher:
    """One idempotent producer (acks=all) for the ingester's lifetime; `close` flushes what is in flight."""

    def __init__(self, settings: Settings, topic: str = RAW):
        self.settings = settings
        self.topic = physical(settings, topic)
        self._check: Callable[[Record], object] = validator(topic)
        self._kafka: KafkaProducer | None = None

    def __enter__(self) -> Publisher:
        if missing_topics(self.settings, [self.topic]):
            raise ConfigError(f"topic {self.topic!r} does not exist: run `newsflow topics create` first")
        self._kafka = producer(self.settings)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self, timeout: float = 30) -> None:
        """Flush every record still in flight, then close the producer."""
        if self._kafka is not None:
            try:
                self._kafka.flush(timeout=timeout)
            finally:
                self._kafka.close(timeout=timeout)
                self._kafka = None

    async def publish(self, record: Record) -> None:
        """Send one record and return once the broker has acknowledged it."""
        if self._kafka is None:
            raise RuntimeError("Publisher used outside `with`")
        value = encode_checked(record, self._check, self.settings.max_record_bytes)
        if isinstance(value, InputProblem):
            raise Unpublishable(value.message)
        kafka = self._kafka
        loop = asyncio.get_running_loop()
        acked: asyncio.Future[Any] = loop.create_future()

        def settle(outcome: Any, failed: bool) -> None:
            if acked.done():
                return
            if failed:
                acked.set_exception(NotDelivered(f"not delivered: {outcome}"))
            else:
                acked.set_result(outcome)

        # send() can block while it fetches metadata or waits for buffer space: keep that off the event loop.
        try:
            future = await asyncio.to_thread(kafka.send, self.topic, key=record["id"].encode(), value=value)
        except KafkaError as error:
            raise NotDelivered(f"not sent: {error}") from error
        future.add_callback(lambda metadata: loop.call_soon_threadsafe(settle, metadata, False))
        future.add_errback(lambda error: loop.call_soon_threadsafe(settle, error, True))
        await acked

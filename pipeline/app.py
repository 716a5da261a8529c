"""The faust side of a stage: an app per stage (its consumer group) and the agent loop that runs it."""

from __future__ import annotations

import ssl
import time
from typing import Any

import faust
from aiokafka.errors import MessageSizeTooLargeError, RecordTooLargeError

from agents.stage import Origin, Stage, StageFailure, dead_letter, dead_letter_limit, original_cap, process
from pipeline import metrics
from pipeline.clients import resolve_bootstrap
from pipeline.config import Settings
from pipeline.records import dumps
from pipeline.topics import DLQ, physical


def group_id(settings: Settings, stage: str) -> str:
    """The consumer group (faust app id) of a stage: one per stage however the workers are deployed."""
    return f"{settings.topic_prefix}newsflow-{stage}"


def broker_credentials(settings: Settings) -> Any:
    """faust's credentials for a SASL or TLS cluster, None for plaintext."""
    context = None
    if settings.security_protocol in ("SSL", "SASL_SSL"):
        context = ssl.create_default_context(cafile=settings.ssl_cafile)
        if settings.ssl_certfile:
            context.load_cert_chain(settings.ssl_certfile, settings.ssl_keyfile)
    if settings.sasl_mechanism:
        password = settings.sasl_password.get_secret_value() if settings.sasl_password else None
        return faust.SASLCredentials(
            username=settings.sasl_username,
            password=password,
            mechanism=settings.sasl_mechanism,
            ssl_context=context,
        )
    return faust.SSLCredentials(context) if context else None


def create_app(settings: Settings, stage: str) -> faust.App:
    """A faust app for one stage: raw bytes in and out, at-least-once, no web server, no tables."""
    bootstrap = resolve_bootstrap(settings)
    datadir = settings.home / "faust" / stage
    datadir.parent.mkdir(parents=True, exist_ok=True)
    return faust.App(
        group_id(settings, stage),
        broker=[f"kafka://{address}" for address in bootstrap.split(",")],
        broker_credentials=broker_credentials(settings),
        key_serializer="raw",
        value_serializer="raw",
        store="memory://",
        web_enabled=False,
        autodiscover=False,
        processing_guarantee="at_least_once",
        consumer_auto_offset_reset="earliest",
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        # outputs are capped at max_record_bytes by the stage; dead letters may carry twice that in base64
        producer_max_request_size=dead_letter_limit(settings.max_record_bytes),
        consumer_group_instance_id=settings.group_instance_id,
        datadir=str(datadir),
    )


# Refusals of a record for its size, by the producer (over its max request size) or by the broker (over the
# topic's max.message.bytes, which can be below newsflow's cap on a cluster configured elsewhere).
TOO_LARGE = (MessageSizeTooLargeError, RecordTooLargeError)


async def deliver(topic: Any, key: bytes | None, value: bytes) -> None:
    """Send and wait for the broker's acknowledgement. faust only logs a failed delivery and then commits the
    input offset anyway; waiting here means a failure stops the event before it is acknowledged."""
    await (await topic.send(key=key, value=value))


async def deliver_dead_letter(topic: Any, key: bytes | None, envelope: dict[str, Any]) -> None:
    """Send an envelope; one the cluster refuses for its size goes again without its original bytes (their
    size and SHA-256 stay), so a huge record is reported instead of stopping the partition."""
    try:
        await deliver(topic, key, dumps(envelope))
    except TOO_LARGE:
        await deliver(topic, key, dumps({**envelope, "original": "", "original_truncated": True}))


def attach_stage(app: faust.App, stage: Stage, settings: Settings) -> Any:
    """Register the stage's agent: each record becomes its output record or a dead letter, never a crash."""
    source = app.topic(physical(settings, stage.input_topic), value_type=bytes)
    sink = app.topic(physical(settings, stage.output_topic), value_type=bytes)
    dead_letters = app.topic(physical(settings, DLQ), value_type=bytes)

    async def run(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            message = event.message
            started = time.perf_counter()
            origin = Origin(
                topic=message.topic,
                partition=message.partition,
                offset=message.offset,
                timestamp=int(message.timestamp * 1000),
                key=message.key,
            )
            outcome = process(stage, event.value, origin, settings.max_record_bytes)
            metrics.RECORDS_IN.labels(stage.name).inc()
            envelope = outcome.dead_letter
            if outcome.record is not None and outcome.value is not None:
                try:
                    await deliver(sink, outcome.record["id"].encode(), outcome.value)
                    metrics.RECORDS_OUT.labels(stage.name).inc()
                except TOO_LARGE as error:
                    failure = StageFailure("oversize", error)
                    cap = original_cap(settings.max_record_bytes)
                    envelope = dead_letter(stage.name, failure, event.value, origin, outcome.record["id"], cap)
            if envelope is not None:
                await deliver_dead_letter(dead_letters, message.key, envelope)
                metrics.RECORDS_FAILED.labels(stage.name, envelope["reason"]).inc()
            metrics.PROCESSING_SECONDS.labels(stage.name).observe(time.perf_counter() - started)

    return app.agent(source, name=f"newsflow.{stage.name}")(run)


def run_worker(settings: Settings, stage: Stage, loglevel: str = "warning") -> None:
    """Run one stage as a faust worker until SIGINT/SIGTERM (graceful: offsets of processed records commit)."""
    app = create_app(settings, stage.name)
    attach_stage(app, stage, settings)
    if settings.metrics_port:
        metrics.serve(settings.metrics_host, settings.metrics_port)
    worker = faust.Worker(app, loglevel=loglevel, quiet=True)
    # faust's progress spinner sets the root logger to DEBUG so that it can spin on every record: every debug
    # call in faust and aiokafka then builds a log record. Measured: about 10% of a hop's CPU.
    worker.spinner = None
    worker.execute_from_commandline()

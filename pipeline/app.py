"""The faust side of a stage: an app per stage (its consumer group) and the agent loop that runs it."""

from __future__ import annotations

import ssl
import time
from typing import Any

import faust

from agents.stage import Origin, Stage, process
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
        context = ssl.create_default_context(cafile=str(settings.ssl_cafile) if settings.ssl_cafile else None)
        if settings.ssl_certfile:
            context.load_cert_chain(str(settings.ssl_certfile), str(settings.ssl_keyfile or "") or None)
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
        producer_max_request_size=settings.max_record_bytes + 64 * 1024,
        datadir=str(datadir),
    )


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
            if outcome.record is not None:
                await sink.send(key=outcome.record["id"].encode(), value=dumps(outcome.record))
                metrics.RECORDS_OUT.labels(stage.name).inc()
            else:
                assert outcome.dead_letter is not None
                await dead_letters.send(key=message.key, value=dumps(outcome.dead_letter))
                metrics.RECORDS_FAILED.labels(stage.name, outcome.dead_letter["reason"]).inc()
            metrics.PROCESSING_SECONDS.labels(stage.name).observe(time.perf_counter() - started)

    return app.agent(source, name=f"newsflow.{stage.name}")(run)


def run_worker(settings: Settings, stage: Stage, loglevel: str = "warning") -> None:
    """Run one stage as a faust worker until SIGINT/SIGTERM (graceful: offsets of processed records commit)."""
    app = create_app(settings, stage.name)
    attach_stage(app, stage, settings)
    if settings.metrics_port:
        metrics.serve(settings.metrics_host, settings.metrics_port)
    faust.Worker(app, loglevel=loglevel, quiet=True).execute_from_commandline()

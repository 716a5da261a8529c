"""Baseline (a): plain aiokafka consume-and-produce over the pipeline's three hops, bytes forwarded unchanged.

Each hop is its own process and consumer group, like a stage worker: it reads a batch, sends every record to
the next topic with the same key, waits for the broker's acks and then commits the batch (at-least-once, as
the workers are). No decoding, validation or transform: what is left is the transport's cost.

Run one hop: python -m bench.passthrough SOURCE_TOPIC SINK_TOPIC GROUP (settings from NEWSFLOW_* variables).
"""

from __future__ import annotations

import asyncio
import signal
import sys

from bench.aioclients import consumer, relay_producer
from bench.workers import WorkerSpec, python_module
from pipeline.config import Settings, load_settings
from pipeline.topics import STAGE_TOPICS, physical

HOPS = ("hop1", "hop2", "hop3")
BATCH = 500


def specs(settings: Settings) -> list[WorkerSpec]:
    """One relay process per hop, between the same physical topics the stages use."""
    topics = [physical(settings, name) for name in STAGE_TOPICS]
    result = []
    for hop, source, sink in zip(HOPS, topics, topics[1:], strict=False):
        group = f"{settings.topic_prefix}passthrough-{hop}"
        result.append(WorkerSpec(hop, group, python_module("bench.passthrough", source, sink, group)))
    return result


async def relay(settings: Settings, source: str, sink: str, group: str, stop: asyncio.Event) -> None:
    """Forward every record from source to sink until `stop` is set, committing after each acked batch."""
    reader = consumer(settings, source, group_id=group)
    writer = relay_producer(settings)
    await writer.start()
    await reader.start()
    try:
        while not stop.is_set():
            batches = await reader.getmany(timeout_ms=200, max_records=BATCH)
            deliveries = [
                await writer.send(sink, message.value, key=message.key)
                for messages in batches.values()
                for message in messages
            ]
            if deliveries:
                await asyncio.gather(*deliveries)
                await reader.commit()
    finally:
        await reader.stop()
        await writer.stop()


async def _serve(source: str, sink: str, group: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await relay(load_settings(), source, sink, group, stop)


def main(argv: list[str] | None = None) -> int:
    """Run one relay hop until SIGTERM/SIGINT."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3:
        sys.stderr.write("usage: python -m bench.passthrough SOURCE_TOPIC SINK_TOPIC GROUP\n")
        return 2
    asyncio.run(_serve(*args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

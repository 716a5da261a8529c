"""Baseline (b): the pipeline's own workers (faust app, stage runner, validation, provenance) with identity transforms.

The identity stages keep each real stage's name and topics, so they run the same wiring as the real ones:
`pipeline.app.run_worker` with the consumer group, decoding, input and output schema validation, provenance
and dead-lettering of `agents.stage`. Only the transform is `lambda record: record`.

An identity transform cannot turn a raw record into a valid normalized one, so the load for this baseline is
the corpus *already enriched* (by the in-process run): every topic's schema accepts it (each schema only adds
required fields to the one before and allows extra ones), so every hop validates exactly as in production,
and baseline (a) forwards the very same bytes. The framework's cost per hop is then the difference between
(a) and (b), on records the size of the pipeline's largest.

Run one identity worker: python -m bench.identity STAGE (settings from NEWSFLOW_* variables).
"""

from __future__ import annotations

import itertools
import sys

from agents.registry import STAGE_NAMES
from agents.stage import Stage
from bench.workers import WorkerSpec, python_module
from pipeline.app import group_id
from pipeline.config import Settings
from pipeline.records import Record
from pipeline.topics import STAGE_TOPICS

STAGE_TOPIC_PAIRS = dict(zip(STAGE_NAMES, itertools.pairwise(STAGE_TOPICS), strict=True))


def identity(record: Record) -> Record:
    """The transform that changes nothing."""
    return record


def identity_stage(name: str) -> Stage:
    """The stage `name` with its real topics and an identity transform."""
    if name not in STAGE_TOPIC_PAIRS:
        raise SystemExit(f"unknown stage {name!r}; choose one of {', '.join(STAGE_NAMES)}")
    source, sink = STAGE_TOPIC_PAIRS[name]
    return Stage(name, source, sink, identity)


def specs(settings: Settings) -> list[WorkerSpec]:
    """One identity worker per stage, in the stage's own consumer group."""
    return [WorkerSpec(name, group_id(settings, name), python_module("bench.identity", name)) for name in STAGE_NAMES]


def main(argv: list[str] | None = None) -> int:
    """Run one identity stage as a faust worker until SIGTERM/SIGINT."""
    from pipeline.app import run_worker
    from pipeline.config import load_settings

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write(f"usage: python -m bench.identity {{{','.join(STAGE_NAMES)}}}\n")
        return 2
    run_worker(load_settings(), identity_stage(args[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""All stages in-process, no Kafka: the same checks and transforms the agents run, record by record."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from agents.registry import build_stages
from agents.stage import Origin, Stage, StageFailure, apply, dead_letter
from pipeline.config import Settings
from pipeline.records import Record, dumps
from pipeline.sources import InputProblem


@dataclass(frozen=True)
class Enriched:
    """One input item's result: the enriched record, a dead-letter envelope, or an unreadable input."""

    record: Record | None = None
    dead_letter: Record | None = None
    problem: InputProblem | None = None


def enrich_one(stages: list[Stage], record: Record) -> Enriched:
    """A raw record through every stage; the first failure becomes a dead letter naming that stage."""
    current = record
    for stage in stages:
        try:
            current = apply(stage, current)
        except StageFailure as failure:
            origin = Origin(topic=stage.input_topic, key=str(record.get("id")).encode())
            envelope = dead_letter(stage.name, failure, dumps(current), origin, record.get("id"))
            return Enriched(dead_letter=envelope)
    return Enriched(record=current)


def enrich(settings: Settings, items: Iterable[Record | InputProblem]) -> Iterator[Enriched]:
    """Every item enriched in order, stages built once."""
    stages = build_stages(settings)
    for item in items:
        yield Enriched(problem=item) if isinstance(item, InputProblem) else enrich_one(stages, item)

"""Wiring of the entities stage: articles.normalized to articles.entities."""

from __future__ import annotations

from agents.entities.transform import extract_entities
from agents.stage import Stage
from pipeline.config import Settings
from pipeline.topics import ENTITIES, NORMALIZED


def build(settings: Settings) -> Stage:
    """The entities stage (its gazetteers load on first use)."""
    return Stage("entities", NORMALIZED, ENTITIES, extract_entities)

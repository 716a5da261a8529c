"""JSON Schemas, one file per topic: the record contract, and validators compiled from those files."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import orjson

SCHEMA_DIR = Path(__file__).parent
TOPICS = ("articles.raw", "articles.normalized", "articles.entities", "articles.enriched", "articles.dlq")

SchemaViolation = fastjsonschema.JsonSchemaValueException


def load_schema(topic: str) -> dict[str, Any]:
    """The schema file of a logical topic name such as `articles.raw`."""
    if topic not in TOPICS:
        raise KeyError(f"no schema for topic {topic!r}; known: {', '.join(TOPICS)}")
    schema: dict[str, Any] = orjson.loads((SCHEMA_DIR / f"{topic}.json").read_bytes())
    return schema


@cache
def validator(topic: str) -> Callable[[Any], Any]:
    """A compiled validator for a topic's records; it raises SchemaViolation with the failing path."""
    return fastjsonschema.compile(load_schema(topic))

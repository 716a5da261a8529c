"""The schema files are the generated ones, valid JSON Schema, and each stage's extends the one before."""

from __future__ import annotations

from itertools import pairwise

import jsonschema
import pytest

from schemas import SCHEMA_DIR, TOPICS, load_schema
from schemas.definitions import render, topic_schemas


@pytest.mark.parametrize("topic", TOPICS)
def test_schema_file_is_what_the_code_generates(topic: str) -> None:
    assert (SCHEMA_DIR / f"{topic}.json").read_bytes() == render(topic_schemas()[topic]), (
        "schema file is stale: run `python -m schemas.definitions`"
    )


@pytest.mark.parametrize("topic", TOPICS)
def test_schema_is_valid_draft7(topic: str) -> None:
    jsonschema.Draft7Validator.check_schema(load_schema(topic))


def test_each_stage_schema_requires_everything_the_previous_one_does() -> None:
    stages = ["articles.raw", "articles.normalized", "articles.entities", "articles.enriched"]
    for earlier, later in pairwise(stages):
        assert set(load_schema(earlier)["required"]) < set(load_schema(later)["required"])


def test_every_record_carries_schema_version() -> None:
    for topic in TOPICS:
        assert "schema_version" in load_schema(topic)["required"]


def test_unknown_topic_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="no schema for topic"):
        load_schema("articles.nope")

"""The whole chain on a real broker: seeds in, enriched records out, bad records in the DLQ, no lag left."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from agents.registry import STAGE_NAMES
from pipeline.clients import producer
from pipeline.config import Settings
from pipeline.replay import replay_files
from pipeline.runner import Supervisor, wait_for
from pipeline.tail import read_topics
from pipeline.topics import DLQ, ENRICHED, RAW, physical
from schemas import validator
from tests.conftest import DEV_SET
from tests.integration.harness import wait_for_no_lag

MALFORMED = {
    b"{this is not json": "json",
    b'{"schema_version": 1, "id": "0123456789abcdef"}': "schema",
    b"\xff\xfe\x00 binary junk": "decode",
}


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings("pipeline")


@pytest.fixture
def running_pipeline(settings: Settings) -> Iterator[Supervisor]:
    with Supervisor(settings) as supervisor:
        yield supervisor


def test_seeds_are_enriched_by_every_stage_and_bad_records_are_dead_lettered(
    settings: Settings, running_pipeline: Supervisor, seed_paths: list[Path]
) -> None:
    articles = [*seed_paths, *sorted(DEV_SET.glob("en_00[1-2]*.txt"))]
    since = datetime.now(UTC)
    first = replay_files(settings, articles[:1])
    raw_producer = producer(settings)
    for value in MALFORMED:  # same key as the next article: same partition, so it must not block it
        raw_producer.send(physical(settings, RAW), key=b"poison", value=value)
    raw_producer.flush()
    raw_producer.close()
    rest = replay_files(settings, articles[1:])
    sent = first.sent + rest.sent
    assert len(sent) == len(articles)

    results = wait_for(settings, sent, since, timeout_s=300, still_running=running_pipeline.check)

    assert results.dead_letters == {}
    assert set(results.enriched) == set(sent)
    enriched_validator = validator("articles.enriched")
    for record in results.enriched.values():
        enriched_validator(record)
        assert [entry["stage"] for entry in record["provenance"]] == ["produce", *STAGE_NAMES]
        assert record["text"] and record["blocks"] and record["topics"]
        for entity in record["entities"]:
            assert record["text"][entity["start"] : entity["end"]] == entity["text"]
    seed = results.enriched[first.sent[0]]
    assert seed["raw"] == seed_paths[0].read_text(encoding="utf-8")
    assert seed["language"] == "ar"

    letters = [
        orjson.loads(message.value)
        for message in read_topics(settings, [DLQ], start=since, follow=True, limit=len(MALFORMED), timeout_s=60)
    ]
    assert {base64.b64decode(letter["original"]): letter["reason"] for letter in letters} == MALFORMED
    for letter in letters:
        validator("articles.dlq")(letter)
        assert (letter["stage"], letter["source"]["topic"]) == ("normalize", physical(settings, RAW))

    assert wait_for_no_lag(settings, running_pipeline.check, timeout_s=90) == dict.fromkeys(STAGE_NAMES, 0)


def test_a_replay_enriches_again_under_the_same_key(
    settings: Settings, running_pipeline: Supervisor, seed_paths: list[Path]
) -> None:
    """Replaying the same file twice yields the same key both times (consumers deduplicate on it)."""
    seeds = seed_paths
    since = datetime.now(UTC)
    once = replay_files(settings, seeds)
    twice = replay_files(settings, seeds)
    assert once.sent == twice.sent
    wait_for(settings, once.sent, since, timeout_s=300, still_running=running_pipeline.check)
    keys = [
        message.key
        for message in read_topics(settings, [ENRICHED], start=since, follow=True, limit=2, timeout_s=120)
    ]
    assert keys == [once.sent[0].encode()] * 2

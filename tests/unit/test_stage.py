"""The stage runner: every way a record can fail ends as a dead letter with the reason and original bytes."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import orjson
import pytest

from agents.stage import Origin, Rejected, Stage, process
from pipeline.records import Record
from schemas import validator

ORIGIN = Origin(topic="articles.raw", partition=2, offset=41, timestamp=1_700_000_000_000, key=b"abc")


def copy_raw_as_dlq_shaped(record: Record) -> Record:
    """A transform whose output is checked against the raw schema (input and output topic the same)."""
    return {**record, "meta": {"seen": True}}


def stage_with(transform: Callable[[Record], Record]) -> Stage:
    return Stage("test", "articles.raw", "articles.raw", transform)


def dead_letter_of(value: bytes | None, transform: Callable[[Record], Record] = copy_raw_as_dlq_shaped) -> Any:
    outcome = process(stage_with(transform), value, ORIGIN, max_bytes=10_000)
    assert outcome.record is None
    assert outcome.dead_letter is not None
    validator("articles.dlq")(outcome.dead_letter)
    original = value or b""
    kept = base64.b64decode(outcome.dead_letter["original"])
    # an input over the size cap keeps only its first bytes (its size and SHA-256 stay)
    assert kept == (original[: len(kept)] if outcome.dead_letter["original_truncated"] else original)
    assert outcome.dead_letter["original_size"] == len(original)
    assert outcome.dead_letter["source"] == {
        "topic": "articles.raw",
        "partition": 2,
        "offset": 41,
        "timestamp": 1_700_000_000_000,
        "key": "abc",
    }
    return outcome.dead_letter


def test_a_good_record_gets_the_transform_and_a_provenance_entry(make_raw: Callable[..., Record]) -> None:
    record = make_raw()
    outcome = process(stage_with(copy_raw_as_dlq_shaped), orjson.dumps(record), ORIGIN, max_bytes=10_000)
    assert outcome.dead_letter is None
    assert outcome.record is not None
    assert outcome.record["meta"] == {"seen": True}
    assert [entry["stage"] for entry in outcome.record["provenance"]] == ["produce", "test"]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "empty"),
        (b"   ", "empty"),
        (b"\xff\xfe not utf-8", "decode"),
        (b"{not json", "json"),
        (b'{"schema_version": 1}', "schema"),
        (b'"a string"', "schema"),
        (b"x" * 10_001, "oversize"),
    ],
)
def test_unreadable_or_invalid_input_is_dead_lettered(value: bytes | None, reason: str) -> None:
    assert dead_letter_of(value)["reason"] == reason


def test_a_transform_exception_is_dead_lettered_with_its_class(make_raw: Callable[..., Record]) -> None:
    def broken(record: Record) -> Record:
        raise ZeroDivisionError("boom")

    letter = dead_letter_of(orjson.dumps(make_raw()), broken)
    assert (letter["reason"], letter["error"]["class"], letter["error"]["message"]) == (
        "error",
        "ZeroDivisionError",
        "boom",
    )


def test_a_rejection_keeps_its_reason_and_the_article_id(make_raw: Callable[..., Record]) -> None:
    def refuse(record: Record) -> Record:
        raise Rejected("empty", "no text left after cleaning")

    record = make_raw()
    letter = dead_letter_of(orjson.dumps(record), refuse)
    assert (letter["reason"], letter["id"]) == ("empty", record["id"])


def test_an_invalid_output_is_a_bug_reported_as_output_schema(make_raw: Callable[..., Record]) -> None:
    def drop_raw(record: Record) -> Record:
        return {key: value for key, value in record.items() if key != "raw"}

    assert dead_letter_of(orjson.dumps(make_raw()), drop_raw)["reason"] == "output_schema"

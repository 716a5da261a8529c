"""The one place a stage handles a record: decode, validate, transform, validate, or dead-letter it."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from pipeline.records import Record, now_iso, provenance_entry
from schemas import SchemaViolation, validator

Transform = Callable[[Record], Record]


class Rejected(Exception):
    """A transform's refusal of an article it cannot process, with a DLQ reason code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Stage:
    """A named transform between two logical topics."""

    name: str
    input_topic: str
    output_topic: str
    transform: Transform
    model_version: str | None = None


@dataclass(frozen=True)
class Origin:
    """Where a record was read from, for the dead-letter envelope."""

    topic: str
    partition: int | None = None
    offset: int | None = None
    timestamp: int | None = None
    key: bytes | None = None


@dataclass(frozen=True)
class Outcome:
    """Exactly one of: the stage's output record, or a dead-letter envelope."""

    record: Record | None = None
    dead_letter: Record | None = None


class StageFailure(Exception):
    """A record this stage cannot process; `reason` is the DLQ reason code."""

    def __init__(self, reason: str, error: BaseException) -> None:
        super().__init__(f"{reason}: {error}")
        self.reason = reason
        self.error = error


def apply(stage: Stage, record: Any) -> Record:
    """Validate the input, run the transform, stamp provenance and validate the output."""
    try:
        validator(stage.input_topic)(record)
    except SchemaViolation as error:
        raise StageFailure("schema", error) from error
    try:
        result = stage.transform(record)
    except Rejected as error:
        raise StageFailure(error.reason, error) from error
    except Exception as error:  # a bug or an input the transform did not foresee: never stop the stream
        raise StageFailure("error", error) from error
    result["provenance"] = [*record["provenance"], provenance_entry(stage.name, stage.model_version)]
    try:
        validator(stage.output_topic)(result)
    except SchemaViolation as error:
        raise StageFailure("output_schema", error) from error
    return result


def decode(value: bytes | None, max_bytes: int) -> Any:
    """A record's bytes as a Python value, or StageFailure with the reason it cannot be read."""
    if value is None or not value.strip():
        raise StageFailure("empty", ValueError("the record has no value"))
    if len(value) > max_bytes:
        raise StageFailure("oversize", ValueError(f"record of {len(value)} bytes exceeds {max_bytes}"))
    try:
        value.decode("utf-8")
    except UnicodeDecodeError as error:
        raise StageFailure("decode", error) from error
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError as error:
        raise StageFailure("json", error) from error


def process(stage: Stage, value: bytes | None, origin: Origin, max_bytes: int) -> Outcome:
    """One consumed record through one stage: the output record, or a dead-letter envelope."""
    record: Any = None
    try:
        record = decode(value, max_bytes)
        return Outcome(record=apply(stage, record))
    except StageFailure as failure:
        record_id = record.get("id") if isinstance(record, dict) else None
        return Outcome(dead_letter=dead_letter(stage.name, failure, value, origin, record_id))


def dead_letter(
    stage: str, failure: StageFailure, value: bytes | None, origin: Origin, record_id: Any = None
) -> Record:
    """The DLQ envelope: stage, reason, error, where the record came from and its original bytes."""
    return {
        "schema_version": 1,
        "stage": stage,
        "reason": failure.reason,
        "error": {"class": type(failure.error).__name__, "message": str(failure.error)[:2000]},
        "source": {
            "topic": origin.topic,
            "partition": origin.partition,
            "offset": origin.offset,
            "timestamp": origin.timestamp,
            "key": origin.key.decode("utf-8", "replace") if origin.key is not None else None,
        },
        "failed_at": now_iso(),
        "original": base64.b64encode(value or b"").decode("ascii"),
        "id": record_id if isinstance(record_id, str) else None,
    }

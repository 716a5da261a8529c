"""The one place a stage handles a record: decode, validate, transform, validate, or dead-letter it."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from pipeline.records import Record, dumps, now_iso, provenance_entry
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
    """Exactly one of: the stage's output record (and its bytes), or a dead-letter envelope."""

    record: Record | None = None
    dead_letter: Record | None = None
    value: bytes | None = None


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


def encode(record: Record, max_bytes: int) -> bytes:
    """An output record's bytes, or StageFailure when it cannot be serialised or is over the size cap
    (the next stage would refuse it, and a record over the producer's limit would stop the worker)."""
    try:
        data = dumps(record)
    except TypeError as error:  # orjson.JSONEncodeError: a value JSON cannot hold, a bug in the transform
        raise StageFailure("output_schema", error) from error
    if len(data) > max_bytes:
        raise StageFailure("oversize", ValueError(f"output record of {len(data)} bytes exceeds {max_bytes}"))
    return data


def original_cap(max_bytes: int) -> int:
    """How many original bytes a dead letter keeps: twice the record cap, so a record refused as oversize can
    be replayed whole once the cap is raised, while the envelope (base64 grows bytes by a third) stays within
    the limit the agents' producer allows for dead letters, `dead_letter_limit`, however large the input was."""
    return 2 * max_bytes


def dead_letter_limit(max_bytes: int) -> int:
    """The largest envelope a stage sends: a cut original in base64 plus room for the error and source."""
    return original_cap(max_bytes) * 4 // 3 + 64 * 1024


def process(stage: Stage, value: bytes | None, origin: Origin, max_bytes: int) -> Outcome:
    """One consumed record through one stage: the output record and its bytes, or a dead-letter envelope."""
    record: Any = None
    try:
        record = decode(value, max_bytes)
        result = apply(stage, record)
        return Outcome(record=result, value=encode(result, max_bytes))
    except StageFailure as failure:
        record_id = record.get("id") if isinstance(record, dict) else None
        envelope = dead_letter(stage.name, failure, value, origin, record_id, original_cap(max_bytes))
        return Outcome(dead_letter=envelope)


def dead_letter(
    stage: str,
    failure: StageFailure,
    value: bytes | None,
    origin: Origin,
    record_id: Any = None,
    max_original_bytes: int | None = None,
) -> Record:
    """The DLQ envelope: stage, reason, error, where the record came from and its original bytes (cut to
    `max_original_bytes`, with the full size and SHA-256 kept, when larger)."""
    original = value or b""
    kept = original if max_original_bytes is None else original[:max_original_bytes]
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
        "original": base64.b64encode(kept).decode("ascii"),
        "original_size": len(original),
        "original_sha256": hashlib.sha256(original).hexdigest(),
        "original_truncated": len(kept) < len(original),
        "id": record_id if isinstance(record_id, str) else None,
    }

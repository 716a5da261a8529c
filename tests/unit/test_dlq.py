"""The DLQ tool's pure parts: reading envelopes, summarising them, and planning a replay that sends each once."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from agents.stage import Origin, Stage, StageFailure, dead_letter, dead_letter_limit, original_cap, process
from pipeline.config import Settings
from pipeline.dlq import (
    UNREADABLE,
    DeadLetter,
    check_filters,
    ledger_entry,
    ledger_positions,
    parse,
    plan_replay,
    since_start,
    summarise,
)
from pipeline.errors import ConfigError
from pipeline.records import Record
from pipeline.runner import worker_instance_id
from schemas import validator

RAW_TOPIC = "p.articles.raw"
NORMALIZED_TOPIC = "p.articles.normalized"
STAGE_INPUTS = [RAW_TOPIC, NORMALIZED_TOPIC, "p.articles.entities"]
ORIGIN = Origin(topic=RAW_TOPIC, partition=0, offset=1, timestamp=1_700_000_000_000, key=b"k")
STAGE = Stage("test", "articles.raw", "articles.raw", lambda record: record)


@dataclass
class Message:
    """The fields of a consumed DLQ record that the tool reads."""

    partition: int
    offset: int
    timestamp: int
    key: bytes | None
    value: bytes | None


def envelope(stage: str, reason: str, original: bytes, topic: str = RAW_TOPIC, message: str = "boom") -> bytes:
    """A DLQ value exactly as a stage writes it."""
    failure = StageFailure(reason, ValueError(message))
    origin = Origin(topic=topic, partition=1, offset=7, timestamp=1_700_000_000_000, key=b"k")
    return orjson.dumps(dead_letter(stage, failure, original, origin))


def letter(
    offset: int, stage: str = "normalize", reason: str = "json", original: bytes = b"{bad", topic: str = RAW_TOPIC
) -> DeadLetter:
    return parse(Message(0, offset, 1_000 + offset, b"k", envelope(stage, reason, original, topic)))


def test_an_envelope_is_read_back_with_its_original_bytes_and_source_topic() -> None:
    read = letter(3, "entities", "schema", b"\xff\x00 bytes", NORMALIZED_TOPIC)
    assert (read.position, read.stage, read.reason) == ("0:3", "entities", "schema")
    assert read.original() == b"\xff\x00 bytes"
    assert read.source_topic == NORMALIZED_TOPIC


@pytest.mark.parametrize("value", [b"not json", b"[1, 2]", b'{"stage": "normalize"}', None])
def test_a_dlq_record_that_is_no_envelope_is_unreadable_not_an_error(value: bytes | None) -> None:
    read = parse(Message(2, 9, 0, None, value))
    assert read.envelope is None
    assert (read.stage, read.reason, read.original()) == ("?", UNREADABLE, None)


def test_the_summary_counts_by_stage_in_pipeline_order_and_reason_by_frequency() -> None:
    letters = [
        letter(0, "classify", "error"),
        letter(1, "normalize", "json"),
        letter(2, "normalize", "decode"),
        letter(3, "normalize", "decode"),
        letter(4, "entities", "schema"),
    ]
    rows = summarise(letters, ledger={"0:3": 1_003})
    assert [(row.stage, row.reason, row.count, row.replayed) for row in rows] == [
        ("normalize", "decode", 2, 1),
        ("normalize", "json", 1, 0),
        ("entities", "schema", 1, 0),
        ("classify", "error", 1, 0),
    ]
    assert rows[0].example == "ValueError: boom"
    assert rows[0].first_failed_at is not None and rows[0].last_failed_at is not None
    assert rows[0].first_failed_at <= rows[0].last_failed_at


def test_the_summary_keeps_unreadable_dlq_records_visible() -> None:
    rows = summarise([parse(Message(0, 0, 0, None, b"junk"))], ledger={})
    assert [(row.stage, row.reason, row.count) for row in rows] == [("?", UNREADABLE, 1)]


def test_a_replay_plan_takes_only_matching_letters_not_replayed_before() -> None:
    letters = [letter(0, "normalize", "json"), letter(1, "normalize", "schema"), letter(2, "normalize", "json")]
    plan = plan_replay(letters, {"0:0": 1_000}, STAGE_INPUTS, stage="normalize", reason="json")
    assert [item.position for item in plan.sent] == ["0:2"]
    assert plan.already_replayed == 1
    assert plan.problems == []


def test_again_re_sends_what_was_replayed_before() -> None:
    plan = plan_replay([letter(0)], {"0:0": 1_000}, STAGE_INPUTS, again=True)
    assert [item.position for item in plan.sent] == ["0:0"]


def test_a_ledger_marker_for_a_recreated_dlq_topic_does_not_hide_a_new_letter() -> None:
    """Same position, other timestamp: the DLQ topic was re-created, so this is a different dead letter."""
    plan = plan_replay([letter(0)], {"0:0": 42}, STAGE_INPUTS)
    assert [item.position for item in plan.sent] == ["0:0"]


def test_a_replay_never_writes_to_a_topic_that_is_not_a_stage_input_of_this_pipeline() -> None:
    foreign = letter(0, topic="other.articles.raw")
    unreadable = parse(Message(0, 1, 0, None, b"junk"))
    value = orjson.loads(envelope("normalize", "json", b"x"))
    value["original"] = "%%% not base64"
    bad_base64 = parse(Message(0, 2, 0, None, orjson.dumps(value)))
    plan = plan_replay([foreign, unreadable, bad_base64], {}, STAGE_INPUTS)
    assert plan.sent == []
    assert [item.position for item, _ in plan.problems] == ["0:0", "0:1", "0:2"]
    assert "not a stage input" in plan.problems[0][1]


def test_the_ledger_reads_the_latest_marker_per_position_and_ignores_junk() -> None:
    first = letter(5)
    markers = [
        (b"0:5", orjson.dumps({**ledger_entry(first), "dlq_timestamp": 1})),
        (b"0:5", orjson.dumps(ledger_entry(first))),
        (None, b"{}"),
        (b"0:6", b"not json"),
        (b"0:7", b'{"no": "timestamp"}'),
    ]
    assert ledger_positions(markers) == {"0:5": first.timestamp}


def test_a_ledger_entry_names_where_the_letter_went() -> None:
    entry = ledger_entry(letter(5, "entities", "schema", topic=NORMALIZED_TOPIC))
    assert (entry["dlq_timestamp"], entry["target"], entry["stage"], entry["reason"]) == (
        1_005,
        NORMALIZED_TOPIC,
        "entities",
        "schema",
    )


@pytest.mark.parametrize(("stage", "reason"), [("normalise", None), (None, "bad-json"), ("?", None)])
def test_unknown_filters_are_config_errors(stage: str | None, reason: str | None) -> None:
    with pytest.raises(ConfigError):
        check_filters(stage, reason)


def test_known_filters_pass() -> None:
    check_filters("classify", "oversize")
    check_filters(None, UNREADABLE)


def test_since_reads_from_the_beginning_when_absent_and_as_utc_when_naive() -> None:
    assert since_start(None) == "beginning"
    assert since_start(datetime(2026, 1, 2, 3, 4)) == datetime(2026, 1, 2, 3, 4, tzinfo=UTC)


def test_original_bytes_survive_base64_exactly() -> None:
    raw = bytes(range(256))
    assert letter(0, original=raw).original() == raw
    assert base64.b64decode(orjson.loads(envelope("normalize", "decode", raw))["original"]) == raw


def test_a_huge_input_keeps_a_prefix_its_size_and_digest_so_the_envelope_stays_sendable() -> None:
    """Base64 grows bytes by a third: a whole 2 MB original would make an envelope the producer refuses."""
    huge = b"x" * 40_000  # over twice the cap
    outcome = process(STAGE, huge, ORIGIN, max_bytes=10_000)
    letter = outcome.dead_letter
    assert letter is not None
    validator("articles.dlq")(letter)
    assert (letter["reason"], letter["original_truncated"], letter["original_size"]) == ("oversize", True, 40_000)
    assert letter["original_sha256"] == hashlib.sha256(huge).hexdigest()
    assert base64.b64decode(letter["original"]) == huge[: original_cap(10_000)]
    assert len(orjson.dumps(letter)) < dead_letter_limit(10_000)
    plan = plan_replay([parse(Message(0, 0, 0, None, orjson.dumps(letter)))], {}, STAGE_INPUTS)
    assert plan.sent == [] and "only part of its 40000" in plan.problems[0][1]


def test_an_oversize_input_up_to_twice_the_cap_is_kept_whole_so_it_can_be_replayed_after_raising_it() -> None:
    big = b"y" * 15_000
    letter = process(STAGE, big, ORIGIN, max_bytes=10_000).dead_letter
    assert letter is not None and letter["reason"] == "oversize" and not letter["original_truncated"]
    assert base64.b64decode(letter["original"]) == big


def test_an_output_record_over_the_cap_is_dead_lettered_not_sent(make_raw: Callable[..., Record]) -> None:
    """The next stage would refuse it, and one over the producer's limit would stop the worker."""

    def bloat(record: Record) -> Record:
        return {**record, "meta": {"padding": "x" * 20_000}}

    outcome = process(Stage("test", "articles.raw", "articles.raw", bloat), orjson.dumps(make_raw()), ORIGIN, 10_000)
    assert outcome.record is None and outcome.dead_letter is not None
    assert outcome.dead_letter["reason"] == "oversize"
    assert "output record" in outcome.dead_letter["error"]["message"]


def test_an_output_json_cannot_hold_is_dead_lettered(make_raw: Callable[..., Record]) -> None:
    def unserialisable(record: Record) -> Record:
        return {**record, "meta": {"when": object()}}

    stage = Stage("test", "articles.raw", "articles.raw", unserialisable)
    outcome = process(stage, orjson.dumps(make_raw()), ORIGIN, 10_000)
    assert outcome.dead_letter is not None and outcome.dead_letter["reason"] == "output_schema"


def test_a_good_record_comes_with_the_bytes_that_are_sent(make_raw: Callable[..., Record]) -> None:
    outcome = process(STAGE, orjson.dumps(make_raw()), ORIGIN, 10_000)
    assert outcome.record is not None and outcome.value == orjson.dumps(outcome.record)


def test_supervised_workers_keep_one_membership_id_per_stage_and_home(tmp_path: Path) -> None:
    """Static membership: a restarted worker takes its partitions back without waiting for a session timeout."""
    settings = Settings(home=tmp_path / "a")
    assert worker_instance_id(settings, "normalize") == worker_instance_id(Settings(home=tmp_path / "a"), "normalize")
    assert worker_instance_id(settings, "normalize") != worker_instance_id(settings, "classify")
    assert worker_instance_id(settings, "normalize") != worker_instance_id(Settings(home=tmp_path / "b"), "normalize")

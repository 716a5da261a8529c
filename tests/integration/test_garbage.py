"""hypothesis-generated garbage into the stages' input topics never stops an agent: every record is consumed,
each becomes an output or a dead letter (nothing vanishes), and a good article sent after it is enriched."""

from __future__ import annotations

import string
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from agents.registry import build_stage
from agents.stage import apply
from pipeline.config import Settings
from pipeline.dlq import parse
from pipeline.records import Record, raw_record
from pipeline.runner import Supervisor
from pipeline.tail import read_topics
from pipeline.topics import DLQ, ENRICHED, ENTITIES, NORMALIZED, RAW
from tests.integration.harness import (
    STAGE_INPUT,
    Feeder,
    Item,
    article_texts,
    read_results,
    restarts_counter,
    wait_for_no_lag,
    worker_logs,
)

pytestmark = [pytest.mark.integration, pytest.mark.reliability]

BATCHES = 100
STAGE_OUTPUT = {"normalize": NORMALIZED, "entities": ENTITIES, "classify": ENRICHED}
ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئىة"
MARKS = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0640\u200e\u200f\u202a\u202b\u202c\u200b\ufeff"
NEWSY = ARABIC + MARKS + string.ascii_letters + string.digits + " \n\n\t.,;:!?\"'()[]-–—«»،؛؟٠١٢٣٤٥٦٧٨٩"

text = st.one_of(st.text(max_size=400), st.text(alphabet=NEWSY, max_size=3_000))
json_scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | text
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
article_ids = st.text(alphabet="0123456789abcdef", min_size=16, max_size=16)


@st.composite
def near_valid_raw(draw: st.DrawFn) -> Record:
    """A raw record whose fields are valid in type but odd in content (most pass the schema)."""
    record = raw_record(
        draw(text),
        source=draw(st.text(min_size=1, max_size=40)),
        url=draw(st.none() | st.text(max_size=80)),
        title=draw(st.none() | text),
        published_at=draw(st.none() | st.text(max_size=30)),
        lang_hint=draw(st.none() | st.text(alphabet=string.ascii_lowercase, min_size=2, max_size=2)),
        meta=draw(st.dictionaries(st.text(max_size=10), json_values, max_size=3)),
        record_id=draw(article_ids),
    )
    if draw(st.integers(0, 3)) == 0:  # now and then one field of any JSON type: a schema violation
        record[draw(st.sampled_from(sorted(record)))] = draw(json_values)
    return record


def same_type(value: Any) -> st.SearchStrategy[Any]:
    """Another value of the same JSON type as `value`, drawn at random (lists of items shaped like its items)."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int):
        return st.integers(-5, 10**6)
    if isinstance(value, float):
        return st.floats(-1, 2, allow_nan=False)
    if isinstance(value, str):
        return text
    if isinstance(value, list):
        items = [same_type(value[0]), st.sampled_from(value)] if value else [json_values]
        if value and isinstance(value[0], dict):
            items.append(changed(value[0]))
        return st.lists(st.one_of(items), max_size=8)
    if isinstance(value, dict):
        return changed(value) if value else st.dictionaries(st.text(max_size=10), json_values, max_size=3)
    return json_values


@st.composite
def changed(draw: st.DrawFn, template: dict[str, Any], most: int = 2) -> dict[str, Any]:
    """The template with up to `most` of its fields given other values of the same type: mostly still valid
    against the schema, but inconsistent (offsets past the text, spans whose text differs, odd languages)."""
    result = dict(template)
    for key in draw(st.lists(st.sampled_from(sorted(template)), max_size=most, unique=True)):
        result[key] = draw(same_type(template[key]))
    return result


@st.composite
def near_valid_stage_record(draw: st.DrawFn, template: Record) -> Record:
    """A record of a later stage with a new id and one to three of its content fields changed."""
    fields = [key for key in template if key not in ("schema_version", "id", "provenance", "raw")]
    return {**draw(changed({key: template[key] for key in fields}, most=3)), **{
        "schema_version": 1, "id": draw(article_ids), "raw": template["raw"], "provenance": template["provenance"]
    }}  # fmt: skip


def templates() -> dict[str, Record]:
    """A real normalized and a real entities record, made in-process from a development article."""
    base = Settings(home=Path("/nonexistent"))
    normalized = apply(build_stage("normalize", base), raw_record(article_texts()[0], source="template"))
    return {NORMALIZED: normalized, ENTITIES: apply(build_stage("entities", base), normalized)}


def garbage(shapes: dict[str, Record]) -> st.SearchStrategy[tuple[str, bytes]]:
    """(logical topic, value bytes): junk bytes, odd text, JSON of any shape, near-valid records per stage."""
    return st.one_of(
        st.tuples(st.just(RAW), st.binary(max_size=2_000)),
        st.tuples(st.just(RAW), text.map(lambda value: value.encode("utf-8"))),
        st.tuples(st.just(RAW), json_values.map(orjson.dumps)),
        st.tuples(st.just(RAW), near_valid_raw().map(orjson.dumps)),
        st.tuples(st.just(NORMALIZED), near_valid_stage_record(shapes[NORMALIZED]).map(orjson.dumps)),
        st.tuples(st.just(ENTITIES), near_valid_stage_record(shapes[ENTITIES]).map(orjson.dumps)),
    )


def count_topics(config: Settings) -> tuple[Counter[str], Counter[tuple[str, str]], list[str]]:
    """Records per logical topic, dead letters per (stage, reason), and the error classes of `error` ones."""
    per_topic: Counter[str] = Counter()
    dead: Counter[tuple[str, str]] = Counter()
    errors = []
    for topic in (RAW, NORMALIZED, ENTITIES, ENRICHED, DLQ):
        for message in read_topics(config, [topic]):
            per_topic[topic] += 1
            if topic == DLQ:
                letter = parse(message)
                dead[(letter.stage, letter.reason)] += 1
                if letter.reason == "error" and letter.envelope is not None:
                    errors.append(f"{letter.stage}: {letter.envelope['error']['class']}")
    return per_topic, dead, errors


def test_garbage_never_stops_an_agent(make_settings: Callable[..., Settings]) -> None:
    config = make_settings("junk", max_record_bytes=200_000)
    sent: list[Item] = []
    restarts: list[tuple[str, int]] = []
    strategy = st.lists(garbage(templates()), min_size=1, max_size=10)

    with Supervisor(config) as supervisor:
        feeder = Feeder(config, [])

        @settings(max_examples=BATCHES, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(batch=strategy)
        def send(batch: list[tuple[str, bytes]]) -> None:
            for topic, value in batch:
                sent.append(Item(topic, f"junk-{len(sent):05d}".encode(), value))
            feeder.items = sent
            feeder.tick()
            supervisor.check(restarts_counter(restarts))

        send()
        sentinel = raw_record(article_texts()[1], source="sentinel", url=f"https://sentinel.test/{uuid.uuid4()}")
        feeder.items = [*sent, Item(RAW, sentinel["id"].encode(), orjson.dumps(sentinel))]
        feeder.tick()
        assert feeder.finish() == []
        read_results(
            config,
            lambda tally: sentinel["id"].encode() in tally.enriched,
            tick=lambda: supervisor.check(restarts_counter(restarts)),
            timeout_s=300,
        )
        lag = wait_for_no_lag(config, lambda: supervisor.check(restarts_counter(restarts)), timeout_s=120)
        alive = {stage: worker.process.poll() is None for stage, worker in supervisor.workers.items()}
        logs = worker_logs(supervisor)

    per_topic, dead, errors = count_topics(config)
    print(f"\ngarbage: {len(sent)} records; per topic {dict(per_topic)}; dead letters {dict(dead)}; "
          f"transform exceptions {Counter(errors)}")  # fmt: skip
    assert restarts == [], logs
    assert alive == dict.fromkeys(STAGE_INPUT, True), logs
    assert lag == dict.fromkeys(STAGE_INPUT, 0)  # every record consumed and committed by every stage
    injected = Counter(item.topic for item in sent) + Counter({RAW: 1})  # and the sentinel
    assert per_topic[RAW] == injected[RAW]
    for stage, source in STAGE_INPUT.items():  # each input record became one output or one dead letter
        output = STAGE_OUTPUT[stage]
        failed = sum(count for (where, _), count in dead.items() if where == stage)
        assert per_topic[source] == per_topic[output] - injected[output] + failed, stage

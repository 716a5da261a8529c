"""Run the pipeline in-process on gold articles and tally entity and topic scores."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from agents.normalize import raw_span
from agents.registry import build_stage
from agents.stage import Stage, StageFailure, apply
from pipeline.config import Settings
from pipeline.evaluate.gold import GoldArticle, load_gold, topic_label
from pipeline.evaluate.report import ArticleResult, EvalReport
from pipeline.evaluate.scoring import compare_entities
from pipeline.records import Record, raw_record

Transform = Callable[[Record], Record]


def run_eval(
    path: Path,
    settings: Settings,
    classifiers: Mapping[str, Transform] | None = None,
) -> EvalReport:
    """Score normalize + entities, then each named classifier (default: the configured classify stage),
    against every gold article under `path`."""
    gold = load_gold(path)
    front = [build_stage("normalize", settings), build_stage("entities", settings)]
    if classifiers is None:
        classifiers = {"configured": build_stage("classify", settings).transform}
    named = dict(classifiers)
    results = []
    entity_seconds = 0.0
    for article in gold:
        result, seconds = _score_article(article, front, named)
        results.append(result)
        entity_seconds += seconds
    return EvalReport(str(path), results, list(named), entity_seconds)


def _score_article(
    article: GoldArticle, front: list[Stage], classifiers: Mapping[str, Transform]
) -> tuple[ArticleResult, float]:
    record: Record = raw_record(article.raw, source=f"file:{article.path}")
    error = None
    seconds = 0.0
    try:
        for stage in front:
            started = time.perf_counter()
            record = apply(stage, record)
            if stage.name == "entities":
                seconds = time.perf_counter() - started
    except StageFailure as failure:
        error = f"{failure.reason}: {failure.error}"
    predicted = [(entity["type"], raw_surface(record, entity)) for entity in record.get("entities") or []]
    entities = compare_entities(((entity.type, entity.text) for entity in article.entities), predicted)
    topics: dict[str, tuple[str | None, list[str]]] = {}
    subtopics: dict[str, list[str]] = {}
    for name, classify in classifiers.items():
        primary, labels, sublabels = predicted_levels(classify, record) if error is None else (None, [], [])
        topics[name], subtopics[name] = (primary, labels), sublabels
    result = ArticleResult(
        id=article.id,
        language=article.language,
        gold_primary=topic_label(article.primary_topic),
        gold_topics=[label for label in (topic_label(topic) for topic in article.topics) if label],
        entities=entities,
        topics=topics,
        gold_subtopics=None if article.subtopics is None else list(article.subtopics),
        subtopics=subtopics,
        error=error,
    )
    return result, seconds


def raw_surface(record: Record, entity: Record) -> str:
    """The entity's text as the raw article has it (gold is annotated on the raw text, and normalization may
    have changed digits or quotes), or its clean text when the record has no offset map."""
    offset_map = record.get("offset_map")
    if not offset_map:
        return str(entity["text"])
    start, end = raw_span(offset_map, entity["start"], entity["end"])
    return str(record["raw"][start:end])


def predicted_topics(classify: Transform, record: Record) -> tuple[str | None, list[str]]:
    """The predicted primary topic label and the top-level topic labels, best first."""
    primary, labels, _ = predicted_levels(classify, record)
    return primary, labels


def predicted_levels(classify: Transform, record: Record) -> tuple[str | None, list[str], list[str]]:
    """The predicted primary topic label, the top-level topic labels and the second-level ones, best first."""
    try:
        enriched = classify(record)
    except Exception:  # a classifier failing on one article scores as no prediction, not a crash
        return None, [], []
    primary: Any = enriched.get("primary_topic")
    levels: dict[int, list[str]] = {1: [], 2: []}
    for topic in enriched.get("topics") or []:
        label = topic_label(topic.get("label") or topic.get("code"))
        if label and topic.get("level", 1) in levels:
            levels[topic.get("level", 1)].append(label)
    primary_label = topic_label(primary.get("label") or primary.get("code")) if isinstance(primary, dict) else None
    return primary_label, levels[1], levels[2]

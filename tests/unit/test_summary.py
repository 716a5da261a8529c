"""The terminal summary of enriched articles: entities once each, topics nested under their parents."""

from __future__ import annotations

from rich.console import Console

from pipeline.records import Record
from pipeline.summary import distinct_canonicals, render_results, topic_line


def topic(code: str, label: str, score: float, parent: str | None = None) -> Record:
    return {"code": code, "label": label, "label_ar": label, "score": score, "level": 2 if parent else 1,
            "parent": parent}  # fmt: skip


RECORD: Record = {
    "id": "0123456789abcdef",
    "title": "Title",
    "languages": ["ar", "en"],
    "blocks": [
        {"kind": "title", "dropped": False},
        {"kind": "paragraph", "dropped": False},
        {"kind": "artefact", "dropped": True},
    ],
    "entities": [
        {"type": "LOC", "canonical": "Tokyo"},
        {"type": "PER", "canonical": "Sergey Lavrov"},
        {"type": "LOC", "canonical": "Tokyo"},
        {"type": "LOC", "canonical": "Moscow"},
    ],
    "topics": [
        topic("medtop:11000000", "politics", 1.0),
        topic("medtop:20000639", "diplomacy", 0.9, parent="medtop:11000000"),
        topic("medtop:16000000", "conflict, war and peace", 0.52),
    ],
}


def test_each_canonical_name_once_in_order_of_first_mention() -> None:
    assert distinct_canonicals(RECORD, "LOC") == ["Tokyo", "Moscow"]
    assert distinct_canonicals(RECORD, "ORG") == []


def test_second_level_topics_sit_under_their_parent() -> None:
    assert topic_line(RECORD) == "politics 1.00 (diplomacy 0.90); conflict, war and peace 0.52"
    assert topic_line({**RECORD, "topics": []}) == "none above the threshold"


def test_every_published_article_is_accounted_for() -> None:
    console = Console(record=True, width=120)
    letter = {"stage": "normalize", "reason": "empty", "error": {"message": "no text"}}
    render_results(
        console,
        {RECORD["id"]: RECORD},
        {"fedcba9876543210": letter},
        [RECORD["id"], "fedcba9876543210", "1111111111111111"],
    )
    text = console.export_text()
    assert "Sergey Lavrov" in text and "Tokyo, Moscow" in text
    assert "1 title, 1 paragraph, 1 dropped" in text
    assert "fedcba9876543210: dead-lettered at normalize (empty): no text" in text
    assert "1111111111111111: did not arrive before the timeout" in text

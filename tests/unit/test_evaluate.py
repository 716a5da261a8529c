"""`newsflow eval`'s pure parts: surface matching, micro counts, topic tallies, gold loading, the report."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from pipeline.config import load_settings
from pipeline.evaluate import GoldError, load_gold, render, report_json, run_eval, surface_key
from pipeline.evaluate.scoring import Counts, TopicTally, compare_entities


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("الحِجر", "الحجر"),
        ("طوكـيو", "طوكيو"),
        ("  Sergey   Lavrov ", "sergey lavrov"),
        ("the Ukrainian Air Force", "ukrainian air force"),
        ("Russia's", "russia"),
        ("Russia’s", "russia"),
        ("«الجزيرة»", "الجزيرة"),
        ('"Tokyo",', "tokyo"),
        ("ＴＯＫＹＯ", "tokyo"),
        ("Theresa May", "theresa may"),
    ],
)
def test_surfaces_match_by_the_annotation_rules(text: str, key: str) -> None:
    assert surface_key(text) == key


def test_distinct_pairs_are_counted_once_per_article() -> None:
    gold = [("LOC", "طوكيو"), ("LOC", "طوكيو"), ("PER", "لافروف"), ("ORG", "Foreign Ministry")]
    predicted = [("LOC", "طوكيو"), ("LOC", "طوكيو"), ("LOC", "لافروف"), ("DATE", "2014")]
    result = compare_entities(gold, predicted)
    assert result.counts() == Counts(tp=1, fp=2, fn=2)
    assert result.counts("LOC") == Counts(tp=1, fp=1, fn=0)
    assert result.counts(language="en") == Counts(tp=0, fp=1, fn=1)


def test_ratios_of_a_tally() -> None:
    counts = Counts(tp=3, fp=1, fn=2)
    assert (counts.precision, counts.recall, round(counts.f1, 4)) == (0.75, 0.6, 0.6667)
    assert Counts().f1 == 1.0 and Counts(fn=2).precision == 0.0


def test_topic_tally_scores_primary_and_sets() -> None:
    tally = TopicTally()
    tally.add("politics", ["politics", "conflict, war and peace"], "Politics", ["politics"])
    tally.add("sport", ["sport"], "economy, business and finance", ["economy, business and finance", "sport"])
    assert tally.primary_accuracy == 0.5
    assert tally.sets == Counts(tp=2, fp=1, fn=1)


def write_article(folder: Path, stem: str, raw: str, annotation: dict[str, Any]) -> None:
    (folder / f"{stem}.txt").write_text(raw, encoding="utf-8")
    (folder / f"{stem}.json").write_text(json.dumps(annotation, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def gold_folder(tmp_path: Path) -> Path:
    write_article(
        tmp_path,
        "ar_001_visit",
        "زيارة بوتين إلى طوكيو\n\nوصل الرئيس الروسي فلاديمير بوتين إلى طوكيو في 2 نوفمبر 2013.\n",
        {
            "id": "ar_001_visit",
            "languages": ["ar"],
            "primary_topic": "politics",
            "topics": ["politics"],
            "entities": [
                {"type": "PER", "text": "بوتين", "canonical": "Vladimir Putin"},
                {"type": "PER", "text": "فلاديمير بوتين", "canonical": "Vladimir Putin"},
                {"type": "LOC", "text": "طوكيو", "canonical": "Tokyo"},
                {"type": "DATE", "text": "2 نوفمبر 2013", "canonical": "2013-11-02"},
                {"type": "ORG", "text": "الكرملين", "canonical": "Kremlin"},
            ],
        },
    )
    write_article(
        tmp_path,
        "en_001_rates",
        "Rates rise in Cairo\n\nCAIRO — The Central Bank of Egypt raised rates on March 6, 2024.\n",
        {
            "id": "en_001_rates",
            "languages": ["en"],
            "primary_topic": "medtop:04000000",
            "topics": ["economy, business and finance"],
            "entities": [
                {"type": "LOC", "text": "Cairo", "canonical": "Cairo"},
                {"type": "LOC", "text": "CAIRO", "canonical": "Cairo"},
                {"type": "ORG", "text": "Central Bank of Egypt", "canonical": "Central Bank of Egypt"},
                {"type": "DATE", "text": "March 6, 2024", "canonical": "2024-03-06"},
            ],
        },
    )
    (tmp_path / "notes.json").write_text("{}", encoding="utf-8")  # no .txt beside it: not an article
    return tmp_path


def fake_classifier(label: str) -> Any:
    def classify(record: dict[str, Any]) -> dict[str, Any]:
        topic = {"code": "medtop:11000000", "label": label, "label_ar": "", "score": 0.9, "level": 1, "parent": None}
        return {**record, "topics": [topic], "primary_topic": topic}

    return classify


def test_gold_loading_pairs_text_and_annotation(gold_folder: Path) -> None:
    articles = load_gold(gold_folder)
    assert [article.id for article in articles] == ["ar_001_visit", "en_001_rates"]
    assert articles[0].language == "ar" and len(articles[1].entities) == 4


def test_gold_problems_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(GoldError):
        load_gold(tmp_path / "missing")
    with pytest.raises(GoldError):
        load_gold(tmp_path)
    write_article(tmp_path, "bad", "text", {"entities": [{"type": "THING", "text": "x"}]})
    with pytest.raises(GoldError, match="entity #0"):
        load_gold(tmp_path)


def test_run_eval_scores_the_real_pipeline_and_each_classifier(gold_folder: Path) -> None:
    classifiers = {"configured": fake_classifier("politics"), "zero-shot": fake_classifier("sport")}
    report = run_eval(gold_folder, load_settings(), classifiers)
    overall = report.entity_counts()
    assert overall.tp >= 6 and overall.fn >= 1  # الكرملين is not in the text: always missed
    assert report.entity_counts("DATE") == Counts(tp=2, fp=0, fn=0)
    assert report.topic_tally("configured").primary_accuracy == 0.5
    assert report.topic_tally("zero-shot").primary_accuracy == 0.0
    data = report_json(report)
    assert data["articles"] == 2 and set(data["topics"]) == {"configured", "zero-shot"}
    assert {"all", "ar", "en", "PER", "PER.ar", "DATE.en"} <= set(data["entities"])
    missed = {tuple(item) for article in data["per_article"] for item in article["missed"]}
    assert ("ORG", "الكرملين") in missed
    json.dumps(data)  # serialisable as it is


def test_render_prints_both_tables(gold_folder: Path) -> None:
    report = run_eval(gold_folder, load_settings(), {"configured": fake_classifier("politics")})
    output = io.StringIO()
    render(report, Console(file=output, width=160), details=True)
    text = output.getvalue()
    assert "Entities" in text and "Topics" in text and "configured" in text and "missed" in text


def test_second_level_topics_are_scored_where_the_gold_annotates_them(gold_folder: Path) -> None:
    annotation = gold_folder / "ar_001_visit.json"
    data = json.loads(annotation.read_text(encoding="utf-8"))
    annotation.write_text(json.dumps({**data, "subtopics": ["diplomacy", "defence"]}), encoding="utf-8")

    def with_diplomacy(record: dict[str, Any]) -> dict[str, Any]:
        enriched: dict[str, Any] = fake_classifier("politics")(record)
        child = {"code": "medtop:20000639", "label": "diplomacy", "label_ar": "", "score": 0.8, "level": 2,
                 "parent": "medtop:11000000"}
        return {**enriched, "topics": [*enriched["topics"], child]}

    classifiers = {"configured": with_diplomacy, "top level only": fake_classifier("politics")}
    report = run_eval(gold_folder, load_settings(), classifiers)
    # only the Arabic article annotates second-level topics; the English one does not count
    assert report.subtopic_counts("configured") == Counts(tp=1, fp=0, fn=1)
    assert report.subtopic_classifiers() == ["configured"]
    assert report.topic_tally("configured").sets == Counts(tp=1, fp=1, fn=1)  # level 2 kept out of the top level
    output = io.StringIO()
    render(report, Console(file=output, width=160))
    assert "Second-level topics" in output.getvalue()
    assert report_json(report)["subtopics"]["configured"]["ar"]["f1"] == round(2 / 3, 4)


def test_subtopics_must_be_a_list_of_labels(gold_folder: Path) -> None:
    annotation = gold_folder / "en_001_rates.json"
    data = json.loads(annotation.read_text(encoding="utf-8"))
    annotation.write_text(json.dumps({**data, "subtopics": "economy"}), encoding="utf-8")
    with pytest.raises(GoldError, match="subtopics must be a list"):
        load_gold(gold_folder)

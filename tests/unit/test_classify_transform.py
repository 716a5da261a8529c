"""The classify transform: the seed's topics, the record contract, and both methods."""

from __future__ import annotations

import copy
from pathlib import Path

import fastjsonschema
import pytest

from agents.classify.scoring import Calibration
from agents.classify.transform import IptcClassifier, load_classifier
from pipeline.records import Record
from schemas.definitions import TOPIC

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_04200ad211698d94.txt"
check_topic = fastjsonschema.compile(TOPIC)


def record_of(raw: str, language: str = "ar") -> Record:
    """An entity-stage-like record of a raw article: first line as the title, no blocks or entities."""
    title = next(line.strip() for line in raw.splitlines() if line.strip())
    return {"id": "0" * 16, "title": title, "text": raw, "blocks": [], "language": language,
            "languages": [language], "entities": [], "provenance": []}


@pytest.fixture(scope="module")
def seed() -> Record:
    return record_of(SEED.read_text("utf-8"))


@pytest.fixture(scope="module", params=["accurate", "fast"])
def classifier(request: pytest.FixtureRequest) -> IptcClassifier:
    return IptcClassifier(method=request.param)


def test_seed_is_politics_with_diplomacy_and_defence_then_conflict(classifier: IptcClassifier, seed: Record) -> None:
    result = classifier(seed)
    codes = [topic["code"] for topic in result["topics"]]
    level_one = [topic["label"] for topic in result["topics"] if topic["level"] == 1]
    assert result["primary_topic"]["label"] == "politics"
    assert level_one[:2] == ["politics", "conflict, war and peace"]
    second = {topic["label"]: topic for topic in result["topics"] if topic["level"] == 2}
    assert {"diplomacy", "defence"} <= set(second)
    assert all(topic["parent"] == "medtop:11000000" for topic in second.values())
    assert codes.index("medtop:20000639") > codes.index("medtop:11000000")


def test_output_is_a_new_record_with_valid_topics_best_first(classifier: IptcClassifier, seed: Record) -> None:
    before = copy.deepcopy(seed)
    result = classifier(seed)
    assert seed == before and result is not seed
    assert {key: result[key] for key in seed} == seed
    for topic in result["topics"]:
        check_topic(topic)
        assert topic["score"] >= classifier.threshold
    scores = [topic["score"] for topic in result["topics"]]
    assert scores == sorted(scores, reverse=True)
    check_topic(result["primary_topic"])


def test_an_article_with_no_topical_words_gets_no_topics() -> None:
    result = IptcClassifier(method="fast")(record_of("Untitled\n\nThe the a an of.", "en"))
    assert result["topics"] == [] and result["primary_topic"] is None


def test_english_sport_article(classifier: IptcClassifier) -> None:
    article = ("United beat City 2-1 in the derby\n\nThe striker scored twice in the second half as United won "
               "the league match at a packed stadium; the coach praised his players before the cup final.")
    result = classifier(record_of(article, "en"))
    assert result["primary_topic"]["code"] == "medtop:15000000"
    assert "medtop:20001065" in [topic["code"] for topic in result["topics"]]  # soccer


def test_a_higher_threshold_emits_fewer_topics(seed: Record) -> None:
    loose = IptcClassifier(threshold=0.3, method="fast")(seed)["topics"]
    strict = IptcClassifier(threshold=0.95, method="fast")(seed)["topics"]
    assert len(strict) < len(loose)
    assert all(topic["score"] >= 0.95 for topic in strict)


def test_version_names_method_and_data(seed: Record) -> None:
    accurate, fast = load_classifier(), load_classifier(method="fast")
    assert accurate.version.startswith("iptc-accurate-") and "usem3" in accurate.version
    assert "+iptc-corpus-" in accurate.version and "+main-" in accurate.version
    assert fast.version.startswith("iptc-fast-") and "usem3" not in fast.version and "corpus" not in fast.version
    recalibrated = IptcClassifier(method="fast", calibration=Calibration(points_scale=12.0))
    assert recalibrated.version != fast.version  # other scoring constants score differently: another version


def test_at_most_three_subjects_are_emitted() -> None:
    from agents.classify.topics import with_topics

    scores = {"medtop:11000000": 0.9, "medtop:16000000": 0.8, "medtop:04000000": 0.7, "medtop:15000000": 0.6,
              "medtop:20000639": 0.85, "medtop:20001065": 0.55}
    result = with_topics({"id": "x"}, scores, 0.5, max_subjects=3)
    codes = [topic["code"] for topic in result["topics"]]
    assert [code for code in codes if code.endswith("000000")] == ["medtop:11000000", "medtop:16000000",
                                                                    "medtop:04000000"]
    assert "medtop:20000639" in codes and "medtop:20001065" not in codes  # soccer's parent was cut

"""Annotator agreement on topics, and the majority vote that gold folders hold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.__main__ import main
from pipeline.evaluate.agreement import (
    ANNOTATIONS,
    SUBTOPIC_ANNOTATIONS,
    TopicLabels,
    agreement,
    fleiss_kappa,
    majority,
    majority_primary,
    majority_set,
    write_adjudicated,
)
from pipeline.evaluate.agreement_report import agreement_summary
from pipeline.evaluate.gold import GoldError

REPO = Path(__file__).resolve().parents[2]
POLITICS, CONFLICT, ECONOMY = "politics", "conflict, war and peace", "economy, business and finance"


def labels(*topics: str) -> TopicLabels:
    return TopicLabels(topics[0], topics)


def test_the_majority_primary_wins_and_topics_need_a_majority() -> None:
    vote = majority([labels(POLITICS, CONFLICT), labels(CONFLICT, POLITICS), labels(CONFLICT, ECONOMY)])
    assert vote == labels(CONFLICT, POLITICS)


def test_without_a_majority_the_first_annotator_keeps_the_primary() -> None:
    votes = [labels(ECONOMY), labels(POLITICS, ECONOMY), labels(CONFLICT)]
    assert majority_primary(votes) is None
    assert majority(votes) == labels(ECONOMY)


def test_fleiss_kappa_is_one_for_agreement_and_zero_for_chance() -> None:
    assert fleiss_kappa([["a", "a"], ["b", "b"]]) == 1.0
    assert fleiss_kappa([["a", "a"], ["b", "b"], ["a", "b"], ["b", "a"]]) == 0.0
    with pytest.raises(ValueError):
        fleiss_kappa([["a"], ["b"]])


def gold_folder(folder: Path, gold: dict[str, list[str]], votes: dict[str, dict[str, list[str]]]) -> Path:
    for stem, topics in gold.items():
        (folder / f"{stem}.txt").write_text("Headline\n\nBody.\n", encoding="utf-8")
        annotation = {"id": stem, "languages": [stem[:2]], "primary_topic": topics[0], "topics": topics}
        (folder / f"{stem}.json").write_text(json.dumps(annotation), encoding="utf-8")
    lines = [
        json.dumps({"id": stem, "annotator": name, "primary_topic": topics[0], "topics": topics})
        for stem, by_annotator in votes.items()
        for name, topics in by_annotator.items()
    ]
    (folder / ANNOTATIONS).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_gold_that_is_not_the_majority_vote_is_found_and_rewritten(tmp_path: Path) -> None:
    folder = gold_folder(
        tmp_path,
        {"ar_1": [POLITICS, CONFLICT], "en_1": [ECONOMY]},
        {
            "ar_1": {"A": [POLITICS, CONFLICT], "B": [CONFLICT, POLITICS], "C": [CONFLICT]},
            "en_1": {"A": [ECONOMY], "B": [ECONOMY], "C": [POLITICS]},
        },
    )
    result = agreement(folder)
    assert result.topics is not None and result.topics.annotators == ("A", "B", "C")
    assert [article.id for article in result.out_of_date()] == ["ar_1"]
    assert result.topics.pair("A", "B", "ar").primary_accuracy == 0.0
    assert result.topics.pair("A", "B", "en").primary_accuracy == 1.0

    assert [article.id for article in write_adjudicated(result)] == ["ar_1"]
    rewritten = json.loads((folder / "ar_1.json").read_text(encoding="utf-8"))
    assert (rewritten["primary_topic"], rewritten["topics"]) == (CONFLICT, [CONFLICT, POLITICS])
    assert agreement(folder).out_of_date() == []
    # A-B, A-C, B-C agree on 0, 0, 1 of the Arabic article and 1, 0, 0 of the English one
    assert agreement_summary(result).endswith("primary topic: ar 0.000–1.000, en 0.000–1.000 (newsflow agreement).")


def test_second_level_gold_is_the_labels_most_annotators_gave(tmp_path: Path) -> None:
    assert majority_set([["diplomacy", "defence"], ["defence"], []]) == ("defence",)
    folder = gold_folder(tmp_path, {"ar_1": [POLITICS]}, {"ar_1": {"A": [POLITICS], "B": [POLITICS]}})
    votes = {"D": ["diplomacy", "defence"], "E": ["defence", "diplomacy"], "F": ["election"]}
    lines = [json.dumps({"id": "ar_1", "annotator": name, "subtopics": labels}) for name, labels in votes.items()]
    (folder / SUBTOPIC_ANNOTATIONS).write_text("\n".join(lines), encoding="utf-8")

    result = agreement(folder)
    assert result.subtopics is not None and result.subtopics.annotators == ("D", "E", "F")
    assert result.subtopics.pair("D", "E").f1 == 1.0 and result.subtopics.pair("D", "F").tp == 0
    assert [article.id for article in result.out_of_date()] == ["ar_1"]  # the gold has no subtopics yet
    write_adjudicated(result)
    assert json.loads((folder / "ar_1.json").read_text(encoding="utf-8"))["subtopics"] == ["diplomacy", "defence"]
    assert agreement(folder).out_of_date() == []


def test_an_article_without_every_annotator_is_a_gold_error(tmp_path: Path) -> None:
    folder = gold_folder(tmp_path, {"en_1": [ECONOMY]}, {"en_1": {"A": [ECONOMY]}, "en_2": {"B": [ECONOMY]}})
    with pytest.raises(GoldError, match="en_1 has no labels from annotator B"):
        agreement(folder)


def test_the_cli_refuses_stale_gold_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = gold_folder(
        tmp_path, {"en_1": [ECONOMY]}, {"en_1": {"A": [ECONOMY], "B": [POLITICS], "C": [POLITICS]}}
    )
    assert main(["agreement", str(folder)]) == 2
    assert "en_1 are not the annotators' majority vote" in capsys.readouterr().err
    assert main(["agreement", str(folder), "--write"]) == 0
    assert main(["agreement", str(folder)]) == 0


@pytest.mark.parametrize("folder", ["tests/data", "tests/heldout"])
def test_the_shipped_gold_topics_are_the_annotators_majority_vote(folder: str) -> None:
    result = agreement(REPO / folder)
    assert result.topics is not None and len(result.topics.annotators) == 3
    assert result.subtopics is not None and len(result.subtopics.annotators) == 3
    assert result.out_of_date() == []

"""The corpus models: the shipped artefacts match the bundled corpus, and the corpus is labelled as documented."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from agents.classify.corpus_check import part_round
from agents.classify.corpus_model import corpus_files, corpus_model, is_current
from agents.classify.taxonomy import by_label, top_level
from agents.classify.train import read_all_examples, read_examples


def test_the_shipped_corpus_model_was_fitted_on_this_corpus() -> None:
    assert corpus_files(), "agents/classify/corpus holds no parts"
    assert is_current(), "data/corpus-model is stale: run .venv/bin/python -m agents.classify.corpus_model"


def test_every_subject_has_arabic_and_english_examples_with_its_primary_first() -> None:
    per_subject: Counter[tuple[str, str]] = Counter()
    for path in corpus_files():
        for line in path.read_text("utf-8").splitlines():
            item = json.loads(line)
            assert item["topics"][0] == item["primary_topic"], item["id"]
            assert all(label in by_label() for label in item["topics"]), item["id"]
            per_subject[(item["primary_topic"], item["language"])] += 1
        assert read_examples(path)  # every line is a valid training example
    for subject in top_level():
        assert per_subject[(subject.label, "ar")] >= 30 and per_subject[(subject.label, "en")] >= 30, subject.label


def test_the_corpus_model_names_every_subject() -> None:
    model = corpus_model()
    assert {topic.code for topic in model.labels} == {topic.code for topic in top_level()}
    assert model.version.startswith("iptc-corpus-")


def test_the_cross_writer_check_splits_the_corpus_into_its_writing_rounds() -> None:
    rounds = [part_round(path) for path in corpus_files()]
    assert [rounds.count(number) for number in (1, 2, 3)] == [6, 6, 6] and rounds.count(4) == len(rounds) - 18
    assert [part_round(Path(f"p{number}.jsonl")) for number in (6, 7, 12, 13, 18, 19)] == [1, 2, 2, 3, 3, 4]
    with pytest.raises(ValueError, match="corpus part"):
        part_round(Path("extra.jsonl"))
    first = read_all_examples(corpus_files()[:1])
    assert {example.record["language"] for example in first} == {"ar", "en"}
    assert all(example.record["blocks"] for example in first)  # read as normalized records

"""The cross-writer check of the corpus models: fit them on all writing rounds of the corpus but one, score that
round's articles with the accurate classifier with and without them (`python -m agents.classify.corpus_check`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from agents.classify.article import embedding_text
from agents.classify.corpus_model import OPTIONS, corpus_files, fit_main_subject
from agents.classify.encoder import embed
from agents.classify.features import Matrix
from agents.classify.model import TrainedClassifier, label_topic
from agents.classify.scoring import Calibration
from agents.classify.taxonomy import top_level
from agents.classify.train import Example, fit, read_all_examples
from agents.classify.transform import IptcClassifier
from pipeline.evaluate.report import LANGUAGES
from pipeline.evaluate.runner import predicted_topics
from pipeline.evaluate.scoring import TopicTally

ROUND_FIRST_PARTS = (1, 7, 13, 19)  # the first part of each writing round: p1-p6, p7-p12, p13-p18, p19 on


def part_round(path: Path) -> int:
    """1, 2, 3…: the writing round a part (`p<N>.jsonl`) belongs to."""
    match = re.fullmatch(r"p(\d+)\.jsonl", path.name)
    if match is None:
        raise ValueError(f"{path.name} is not named like a corpus part (p<N>.jsonl)")
    return sum(int(match.group(1)) >= first for first in ROUND_FIRST_PARTS)


def fit_corpus_models(examples: Sequence[Example], embeddings: Matrix) -> IptcClassifier:
    """The accurate classifier with both corpus models fitted as the shipped ones are, on some articles only."""
    subjects = top_level()
    codes = [subject.code for subject in subjects]
    topics = {label: label_topic(label) for example in examples for label in example.labels}
    fitted = fit(examples, codes, topics, OPTIONS, lambda note: None, embeddings)
    corpus = TrainedClassifier(
        "cross-check", 0.5, subjects, fitted.coefficients, fitted.intercepts, fitted.vocabulary, {}
    )
    return IptcClassifier(corpus=corpus, main_subject=fit_main_subject(examples, "cross-check", embeddings))


def tally(classifier: IptcClassifier, examples: Sequence[Example]) -> dict[str, TopicTally]:
    """Primary accuracy and topic-set counts per article language (as normalize detects it)."""
    result = {language: TopicTally() for language in LANGUAGES}
    for example in examples:
        primary, labels = predicted_topics(classifier, example.record)
        result[example.record["language"]].add(example.labels[0], example.labels, primary, labels)
    return result


def cell(tallied: TopicTally) -> str:
    """`primary accuracy / micro F1 (articles)`, or a dash for a language the round has no articles in."""
    if not tallied.articles:
        return "-"
    return f"{tallied.primary_accuracy:.3f} / {tallied.sets.f1:.3f} ({tallied.articles})"


def main() -> None:
    console = Console()
    parts = corpus_files()
    numbers = sorted({part_round(path) for path in parts})
    rounds = {number: read_all_examples([path for path in parts if part_round(path) == number]) for number in numbers}
    with console.status("encoding the corpus…"):
        vectors = {number: embed([embedding_text(example.record) for example in rounds[number]]) for number in numbers}
    table = Table(title="Cross-writer check: corpus model fitted on the other rounds, scored on one")
    for column in ("scored on", "classifier", *(f"{lang} primary / F1 (articles)" for lang in LANGUAGES)):
        table.add_column(column)
    without = IptcClassifier(calibration=Calibration(corpus_weight=0.0))  # neither corpus model counts
    for scored in numbers:
        others = [example for number in numbers if number != scored for example in rounds[number]]
        other_vectors = np.vstack([vectors[number] for number in numbers if number != scored])
        with console.status(f"fitting on the rounds other than {scored}, scoring round {scored}…"):
            with_model = fit_corpus_models(others, other_vectors)
            rows = {
                "descriptions only": tally(without, rounds[scored]),
                "with corpus models": tally(with_model, rounds[scored]),
            }
        for name, tallies in rows.items():
            table.add_row(f"round {scored}", name, *(cell(tallies[lang]) for lang in LANGUAGES))
    console.print(table)


if __name__ == "__main__":
    main()

"""The cross-writer check of the corpus model: fit it on one round of the corpus, score the other round's
articles with the accurate classifier with and without it (`python -m agents.classify.corpus_check`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from agents.classify.corpus_model import OPTIONS, corpus_files
from agents.classify.model import TrainedClassifier, label_topic
from agents.classify.scoring import Calibration
from agents.classify.taxonomy import top_level
from agents.classify.train import Example, fit, read_all_examples
from agents.classify.transform import IptcClassifier
from pipeline.evaluate.report import LANGUAGES
from pipeline.evaluate.runner import predicted_topics
from pipeline.evaluate.scoring import TopicTally

FIRST_ROUND_PARTS = 6  # p1-p6 were written in round one, p7 on in round two (corpus/README.md)


def part_round(path: Path) -> int:
    """1 or 2: the writing round a part (`p<N>.jsonl`) belongs to."""
    match = re.fullmatch(r"p(\d+)\.jsonl", path.name)
    if match is None:
        raise ValueError(f"{path.name} is not named like a corpus part (p<N>.jsonl)")
    return 1 if int(match.group(1)) <= FIRST_ROUND_PARTS else 2


def fit_corpus_model(examples: Sequence[Example]) -> TrainedClassifier:
    """A corpus model fitted as the shipped one is, on some articles only."""
    subjects = top_level()
    codes = [subject.code for subject in subjects]
    topics = {label: label_topic(label) for example in examples for label in example.labels}
    fitted = fit(examples, codes, topics, OPTIONS, lambda note: None)
    return TrainedClassifier("cross-check", 0.5, subjects, fitted.coefficients, fitted.intercepts,
                             fitted.vocabulary, {})


def tally(classifier: IptcClassifier, examples: Sequence[Example]) -> dict[str, TopicTally]:
    """Primary accuracy and topic-set counts per article language (as normalize detects it)."""
    result = {language: TopicTally() for language in LANGUAGES}
    for example in examples:
        primary, labels = predicted_topics(classifier, example.record)
        result[example.record["language"]].add(example.labels[0], example.labels, primary, labels)
    return result


def main() -> None:
    console = Console()
    parts = corpus_files()
    rounds = {number: read_all_examples([path for path in parts if part_round(path) == number]) for number in (1, 2)}
    table = Table(title="Cross-writer check: corpus model fitted on one round, scored on the other")
    for column in ("scored on", "articles", "classifier", *(f"{lang} primary / F1" for lang in LANGUAGES)):
        table.add_column(column)
    without = IptcClassifier(calibration=Calibration(corpus_weight=0.0))
    for scored, fitted_on in ((2, 1), (1, 2)):
        with console.status(f"fitting on round {fitted_on}, scoring round {scored}…"):
            with_model = IptcClassifier(corpus=fit_corpus_model(rounds[fitted_on]))
            rows = {"descriptions only": tally(without, rounds[scored]),
                    "with corpus model": tally(with_model, rounds[scored])}
        for name, tallies in rows.items():
            cells = [f"{tallies[lang].primary_accuracy:.3f} / {tallies[lang].sets.f1:.3f}" for lang in LANGUAGES]
            table.add_row(f"round {scored}", str(len(rounds[scored])), name, *cells)
    console.print(table)


if __name__ == "__main__":
    main()

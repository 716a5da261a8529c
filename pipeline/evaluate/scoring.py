"""Micro-averaged precision, recall and F1 over entity (type, surface) pairs and over topic sets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pipeline.evaluate.surface import script_language, surface_key

Pair = tuple[str, str]  # (type, surface key)


@dataclass
class Counts:
    """True positives, false positives and false negatives, with the ratios they give."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """tp / (tp + fp); with no predictions, 1.0 if nothing was missed, else 0.0."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float(self.fn == 0)

    @property
    def recall(self) -> float:
        """tp / (tp + fn); 1.0 when there was nothing to find."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        total = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / total if total else 1.0

    def add(self, other: Counts) -> None:
        """Accumulate another tally into this one."""
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def as_dict(self) -> dict[str, float | int]:
        """The tally and its ratios, rounded for reports."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class EntityResult:
    """One article's entity comparison: which gold pairs were found, missed, and which predictions were wrong.
    Each pair keeps the first surface text seen for it, for reports."""

    matched: dict[Pair, str] = field(default_factory=dict)
    missed: dict[Pair, str] = field(default_factory=dict)
    spurious: dict[Pair, str] = field(default_factory=dict)

    def counts(self, type_: str | None = None, language: str | None = None) -> Counts:
        """The tally restricted to one entity type and/or one mention language (by script)."""

        def keep(pair: Pair, text: str) -> bool:
            return (type_ is None or pair[0] == type_) and (language is None or script_language(text) == language)

        return Counts(
            tp=sum(keep(pair, text) for pair, text in self.matched.items()),
            fp=sum(keep(pair, text) for pair, text in self.spurious.items()),
            fn=sum(keep(pair, text) for pair, text in self.missed.items()),
        )


def distinct_pairs(entities: Iterable[tuple[str, str]]) -> dict[Pair, str]:
    """Distinct (type, surface key) pairs of (type, text) items, each with its first surface text."""
    pairs: dict[Pair, str] = {}
    for type_, text in entities:
        key = surface_key(text)
        if key:
            pairs.setdefault((type_, key), text)
    return pairs


def compare_entities(gold: Iterable[tuple[str, str]], predicted: Iterable[tuple[str, str]]) -> EntityResult:
    """Gold against predicted (type, text) items of one article."""
    gold_pairs = distinct_pairs(gold)
    predicted_pairs = distinct_pairs(predicted)
    return EntityResult(
        matched={pair: text for pair, text in gold_pairs.items() if pair in predicted_pairs},
        missed={pair: text for pair, text in gold_pairs.items() if pair not in predicted_pairs},
        spurious={pair: text for pair, text in predicted_pairs.items() if pair not in gold_pairs},
    )


def label_set_counts(gold: Iterable[str], predicted: Iterable[str]) -> Counts:
    """One article's tally of predicted labels against gold labels, compared case-insensitively."""
    gold_set = {label.casefold() for label in gold}
    predicted_set = {label.casefold() for label in predicted}
    return Counts(
        tp=len(gold_set & predicted_set), fp=len(predicted_set - gold_set), fn=len(gold_set - predicted_set)
    )


@dataclass
class TopicTally:
    """Primary-topic accuracy and micro P/R/F1 over topic label sets, for one classifier."""

    articles: int = 0
    primary_correct: int = 0
    sets: Counts = field(default_factory=Counts)

    @property
    def primary_accuracy(self) -> float:
        """Share of articles whose predicted primary topic is the gold one."""
        return self.primary_correct / self.articles if self.articles else 0.0

    def add(self, gold_primary: str | None, gold_topics: Iterable[str], primary: str | None,
            topics: Iterable[str]) -> None:
        """Count one article."""
        self.articles += 1
        if gold_primary is not None and primary is not None and gold_primary.casefold() == primary.casefold():
            self.primary_correct += 1
        self.sets.add(label_set_counts(gold_topics, topics))

    def as_dict(self) -> dict[str, object]:
        """The tally for JSON output."""
        return {
            "articles": self.articles,
            "primary_accuracy": round(self.primary_accuracy, 4),
            "topics": self.sets.as_dict(),
        }

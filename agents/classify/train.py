"""Fitting a classifier on a user's labelled articles and writing it as a versioned artefact."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from agents.classify.encoder import encoder_version
from agents.classify.features import featurize, fit_vocabulary, full_text
from agents.classify.model import (
    FORMAT,
    FORMAT_VERSION,
    label_topic,
    logistic_probabilities,
    save_model,
    topic_json,
)
from agents.classify.taxonomy import Topic
from agents.normalize.transform import normalize
from agents.stage import Rejected
from pipeline.errors import ConfigError
from pipeline.records import VERSION, Record, raw_record

Progress = Callable[[str], None]
MAX_PROBLEMS_SHOWN = 10


class TrainingDataError(ConfigError):
    """Training data that cannot be used: unreadable lines, missing fields, too few examples."""


@dataclass(frozen=True)
class Example:
    """One labelled article: a record-like dict (title, text) and its label names, primary first."""

    record: Record
    labels: tuple[str, ...]


@dataclass(frozen=True)
class TrainOptions:
    """How to fit: regularisation, vocabulary size, the held-out share measured before the final fit."""

    min_examples: int = 3
    regularization: float = 100.0
    max_terms: int = 20000
    holdout: float = 0.2
    seed: int = 0


def _labels_of(item: dict[str, Any]) -> list[Any] | None:
    if "labels" in item:
        labels = item["labels"]
        return [labels] if isinstance(labels, str) else labels if isinstance(labels, list) else None
    topics = item.get("topics")
    if not isinstance(topics, list):
        return None
    names: list[Any] = [topic.get("code") if isinstance(topic, dict) else topic for topic in topics]
    primary = item.get("primary_topic")
    if isinstance(primary, dict | str):
        first = primary.get("code") if isinstance(primary, dict) else primary
        names = [first, *(name for name in names if name != first)]
    return names


def parse_example(item: Any) -> Example:
    """A training example from one decoded line, or ValueError saying what is wrong with it."""
    if not isinstance(item, dict):
        raise ValueError("not a JSON object")
    text = item.get("text") or item.get("raw")
    if not isinstance(text, str) or not text.strip():
        raise ValueError('no "text" (a non-empty string)')
    labels = _labels_of(item)
    if labels is None:
        raise ValueError('no "labels" (a list of strings) and no "topics"')
    if not labels or not all(isinstance(label, str) and label.strip() for label in labels):
        raise ValueError('"labels" must be a non-empty list of non-empty strings')
    title = item.get("title") if isinstance(item.get("title"), str) else ""
    if item.get("blocks"):
        record = {"title": title, "text": text, "blocks": item["blocks"], "entities": []}
    else:  # read the text as the classify agent will see it: normalized into blocks
        try:
            record = normalize(raw_record(f"{title}\n\n{text}" if title else text, source="training"))
        except Rejected as error:
            raise ValueError(f"unreadable text ({error})") from error
    return Example(record, tuple(dict.fromkeys(label.strip() for label in labels)))


def read_all_examples(paths: Sequence[Path]) -> list[Example]:
    """Every example of several JSON-lines files, in order."""
    return [example for path in paths for example in read_examples(path)]


def read_examples(path: Path) -> list[Example]:
    """Every example of a JSON-lines file; all bad lines are reported together, by line number."""
    if not path.is_file():
        raise ConfigError(f"training data {path} does not exist")
    examples: list[Example] = []
    problems: list[str] = []
    with path.open(encoding="utf-8", errors="strict") as lines:
        try:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    examples.append(parse_example(json.loads(line)))
                except json.JSONDecodeError as error:
                    problems.append(f"line {number}: not JSON ({error.msg})")
                except ValueError as error:
                    problems.append(f"line {number}: {error}")
        except UnicodeDecodeError as error:
            raise TrainingDataError(f"{path} is not UTF-8 text ({error.reason})") from error
    if problems:
        shown = "\n  ".join(problems[:MAX_PROBLEMS_SHOWN])
        more = f"\n  … and {len(problems) - MAX_PROBLEMS_SHOWN} more" if len(problems) > MAX_PROBLEMS_SHOWN else ""
        raise TrainingDataError(f"{path}: {len(problems)} unusable line(s):\n  {shown}{more}")
    if not examples:
        raise TrainingDataError(f"{path} holds no examples")
    return examples


def check_counts(examples: Sequence[Example], min_examples: int) -> Counter[str]:
    """Examples per label; TrainingDataError when a label has too few or there are fewer than two labels."""
    counts: Counter[str] = Counter(label for example in examples for label in example.labels)
    if len(counts) < 2:
        raise TrainingDataError(f"need at least two different labels to train, found {len(counts)}")
    scarce = sorted(f"{label} ({count})" for label, count in counts.items() if count < min_examples)
    if scarce:
        raise TrainingDataError(
            f"these labels have fewer than {min_examples} examples: {', '.join(scarce)}; "
            "add examples or lower --min-examples"
        )
    every = [label for label, count in counts.items() if count == len(examples)]
    if every:
        raise TrainingDataError(f"every example carries {', '.join(every)}: a label needs negative examples too")
    return counts


@dataclass(frozen=True)
class Fitted:
    """Weights of one fit: a row of coefficients and an intercept per label, and the vocabulary."""

    coefficients: NDArray[np.float32]
    intercepts: NDArray[np.float32]
    vocabulary: dict[str, float]

    def probabilities(self, features: NDArray[np.float32]) -> NDArray[np.float64]:
        """Each label's probability for each row of features."""
        return logistic_probabilities(features, self.coefficients, self.intercepts)


def _fit_weights(
    features: NDArray[np.float32], targets: NDArray[np.int_], options: TrainOptions
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    from sklearn.linear_model import LogisticRegression

    coefficients = np.zeros((targets.shape[1], features.shape[1]), dtype=np.float32)
    intercepts = np.zeros(targets.shape[1], dtype=np.float32)
    for column in range(targets.shape[1]):
        target = targets[:, column]
        if target.min() == target.max():  # a label absent from (or present in) every example of this split
            intercepts[column] = 10.0 if target[0] else -10.0
            continue
        model = LogisticRegression(C=options.regularization, max_iter=2000)
        model.fit(features, target)
        coefficients[column] = model.coef_[0]
        intercepts[column] = model.intercept_[0]
    return coefficients, intercepts


def _targets(examples: Sequence[Example], codes: Sequence[str], topics: dict[str, Topic]) -> NDArray[np.int_]:
    index = {code: position for position, code in enumerate(codes)}
    targets = np.zeros((len(examples), len(codes)), dtype=np.int_)
    for row, example in enumerate(examples):
        for label in example.labels:
            targets[row, index[topics[label].code]] = 1
    return targets


def measure(probabilities: NDArray[np.float64], examples: Sequence[Example], codes: Sequence[str],
            topics: dict[str, Topic], threshold: float = 0.5) -> dict[str, float]:
    """Primary-label accuracy and micro precision, recall and F1 of the labels at or above the threshold."""
    hits = true_positives = predicted = actual = 0
    for row, example in zip(probabilities, examples, strict=True):
        gold = {topics[label].code for label in example.labels}
        chosen = {codes[int(i)] for i in np.flatnonzero(row >= threshold)}
        hits += codes[int(np.argmax(row))] == topics[example.labels[0]].code
        true_positives += len(chosen & gold)
        predicted += len(chosen)
        actual += len(gold)
    precision = true_positives / predicted if predicted else 0.0
    recall = true_positives / actual if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "examples": len(examples),
        "primary_accuracy": round(hits / len(examples), 4),
        "micro_precision": round(precision, 4),
        "micro_recall": round(recall, 4),
        "micro_f1": round(f1, 4),
    }


def fit(
    examples: Sequence[Example],
    codes: Sequence[str],
    topics: dict[str, Topic],
    options: TrainOptions,
    progress: Progress,
    embeddings: NDArray[np.float32] | None = None,
) -> Fitted:
    """Vocabulary, features and one logistic regression per label (`embeddings`: the examples' encoder vectors,
    when the caller already has them)."""
    vocabulary = fit_vocabulary([full_text(example.record) for example in examples], options.max_terms)
    progress(f"encoding {len(examples)} articles ({len(vocabulary)} terms)")
    features = featurize([example.record for example in examples], vocabulary, embeddings=embeddings)
    progress(f"fitting {len(codes)} labels")
    coefficients, intercepts = _fit_weights(features, _targets(examples, codes, topics), options)
    return Fitted(coefficients, intercepts, vocabulary)


def holdout_metrics(examples: Sequence[Example], codes: Sequence[str], topics: dict[str, Topic],
                    options: TrainOptions, progress: Progress) -> dict[str, float] | None:
    """Scores of a fit on part of the data, measured on the rest (None when the data is too small)."""
    held = int(len(examples) * options.holdout)
    if held < 5 or len(examples) - held < 10:
        return None
    order = np.random.default_rng(options.seed).permutation(len(examples))
    test = [examples[i] for i in order[:held]]
    train = [examples[i] for i in order[held:]]
    progress(f"measuring on {len(test)} held-out articles")
    fitted = fit(train, codes, topics, options, progress)
    probabilities = fitted.probabilities(featurize([example.record for example in test], fitted.vocabulary))
    return measure(probabilities, test, codes, topics)


def _per_code(counts: Counter[str], topics: dict[str, Topic]) -> dict[str, int]:
    per_code: Counter[str] = Counter()
    for label, count in counts.items():
        per_code[topics[label].code] += count
    return dict(per_code)


def sources_sha256(paths: Sequence[Path]) -> str:
    """SHA-256 over the training files' bytes, in the order given (what a manifest records as its data)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def train(data: Sequence[Path], output: Path | None, home: Path, name: str, options: TrainOptions,
          progress: Progress) -> Path:
    """Read, check, measure, fit on everything and write the artefact; returns its directory."""
    if not data:
        raise TrainingDataError("no training data given")
    examples = read_all_examples(data)
    counts = check_counts(examples, options.min_examples)
    topics = {label: label_topic(label) for label in counts}
    codes = list(dict.fromkeys(topic.code for topic in topics.values()))
    catalogue = {topic.code: topic for topic in topics.values()}
    progress(f"{len(examples)} examples, {len(codes)} labels from {len(data)} file(s)")
    metrics = holdout_metrics(examples, codes, topics, options, progress)
    fitted = fit(examples, codes, topics, options, progress)
    created = datetime.now(UTC)
    content_sha256 = sources_sha256(data)
    digest = hashlib.sha256(content_sha256.encode() + repr(options).encode()).hexdigest()[:8]
    version = f"{name}-{created:%Y%m%d%H%M%S}-{digest}"
    directory = output or home / "models" / version
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "version": version,
        "created_at": created.isoformat(),
        "newsflow_version": VERSION,
        "labels": [topic_json(catalogue[code]) for code in codes],
        "training": {
            "sources": [path.name for path in data],
            "sha256": content_sha256,
            "examples": len(examples),
            "per_label": _per_code(counts, topics),
        },
        "metrics": {"holdout": metrics, "threshold": 0.5},
        "features": {"encoder": encoder_version(), "tfidf_terms": len(fitted.vocabulary)},
        "model": {"kind": "one-vs-rest logistic regression", "C": options.regularization, "seed": options.seed},
    }
    save_model(directory, manifest, fitted.coefficients, fitted.intercepts, fitted.vocabulary)
    return directory

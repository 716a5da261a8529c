"""A trained classifier artefact: its manifest, its weights, and the classifier that loads and runs it."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from agents.classify.features import ENCODER_DIMENSIONS, Matrix, featurize
from agents.classify.taxonomy import Topic, by_code, by_label
from agents.classify.topics import with_topics
from pipeline.errors import ConfigError
from pipeline.records import Record

FORMAT = "newsflow-classifier"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
WEIGHTS = "weights.npz"
VOCABULARY = "vocabulary.json"
_CODE = re.compile(r"^[a-z][a-z0-9_-]*:\S+$")


def label_topic(name: str) -> Topic:
    """The topic a training label names: an IPTC code or top-level label maps to IPTC (with its Arabic
    label); a namespaced code (`acme:local`) is kept; any other label becomes `custom:<label-with-dashes>`."""
    text = name.strip()
    iptc = by_code().get(text) or by_label().get(text.lower())
    if iptc is not None:
        return iptc
    code = text if _CODE.match(text) else "custom:" + "-".join(text.lower().split())
    return Topic(code=code, label=text, label_ar=text)


def topic_json(topic: Topic) -> Record:
    """A label as the manifest stores it."""
    return {"code": topic.code, "label": topic.label, "label_ar": topic.label_ar, "parent": topic.parent}


def save_model(
    directory: Path,
    manifest: Record,
    coefficients: NDArray[np.float32],
    intercepts: NDArray[np.float32],
    vocabulary: Mapping[str, float],
) -> None:
    """Write an artefact directory (created if missing); nothing in it is pickled."""
    directory.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(directory / WEIGHTS, coefficients=coefficients, intercepts=intercepts)
    (directory / VOCABULARY).write_text(json.dumps(dict(vocabulary), ensure_ascii=False), "utf-8")
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", "utf-8")


@dataclass
class TrainedClassifier:
    """One-vs-rest logistic regression over encoder and TF-IDF features; a score is the model's estimated
    probability that the label applies."""

    version: str
    threshold: float
    labels: Sequence[Topic]
    coefficients: NDArray[np.float32]
    intercepts: NDArray[np.float32]
    vocabulary: Mapping[str, float]
    manifest: Record

    def scores(self, record: Record) -> dict[str, float]:
        """Each label's probability for one record."""
        return self.score_many([record])[0]

    def score_many(self, records: Sequence[Record]) -> list[dict[str, float]]:
        """Each label's probability for many records (the encoder runs them as one batch)."""
        return [
            {topic.code: float(p) for topic, p in zip(self.labels, row, strict=True)}
            for row in self.probabilities(records)
        ]

    def probabilities(self, records: Sequence[Record], embeddings: Matrix | None = None) -> NDArray[np.float64]:
        """One row per record, one column per label (in `labels` order); `embeddings` as in `featurize`."""
        features = featurize(records, self.vocabulary, embeddings=embeddings)
        return logistic_probabilities(features, self.coefficients, self.intercepts)

    def __call__(self, record: Record) -> Record:
        catalogue = {topic.code: topic for topic in self.labels}
        return with_topics(record, self.scores(record), self.threshold, catalogue)


def logistic_probabilities(features: Matrix, coefficients: Matrix, intercepts: Matrix) -> NDArray[np.float64]:
    """Each label's probability for each row of features under one-vs-rest logistic weights (in float64)."""
    logits = features.astype(np.float64) @ coefficients.T.astype(np.float64) + intercepts
    result: NDArray[np.float64] = 1.0 / (1.0 + np.exp(-logits))
    return result


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError as error:
        raise ConfigError(f"{path.parent} is not a classifier artefact: {path.name} is missing") from error
    except (OSError, ValueError) as error:
        raise ConfigError(f"cannot read {path}: {error}") from error


def load_model(path: Path, threshold: float = 0.5) -> TrainedClassifier:
    """A classifier from an artefact written by `newsflow classify train` (its directory or its manifest)."""
    directory = path.parent if path.name == MANIFEST else path
    if not directory.is_dir():
        raise ConfigError(f"classifier model {path} does not exist (train one with `newsflow classify train`)")
    manifest = _read_json(directory / MANIFEST)
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise ConfigError(f"{directory} holds an unknown model format: {manifest.get('format')!r}")
    vocabulary = _read_json(directory / VOCABULARY)
    try:
        with np.load(directory / WEIGHTS, allow_pickle=False) as weights:
            coefficients = weights["coefficients"].astype(np.float32)
            intercepts = weights["intercepts"].astype(np.float32)
    except (OSError, KeyError, ValueError) as error:
        raise ConfigError(f"cannot read the weights of {directory}: {error}") from error
    labels = [
        Topic(code=item["code"], label=item["label"], label_ar=item["label_ar"], parent=item.get("parent"))
        for item in manifest["labels"]
    ]
    if coefficients.shape != (len(labels), ENCODER_DIMENSIONS + len(vocabulary)):
        raise ConfigError(f"{directory}: weights of shape {coefficients.shape} do not fit its manifest")
    return TrainedClassifier(
        version=manifest["version"],
        threshold=threshold,
        labels=labels,
        coefficients=coefficients,
        intercepts=intercepts,
        vocabulary=vocabulary,
        manifest=manifest,
    )

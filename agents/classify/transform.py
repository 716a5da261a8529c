"""The classify transform: an entity-stage record in, the same record plus `topics` and `primary_topic` out."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from agents.classify.article import embedding_text, passages
from agents.classify.encoder import Encoder, embed, encoder_version
from agents.classify.lexicon import Evidence, Lexicon, build_lexicon
from agents.classify.scoring import Calibration, child_score, subject_scores
from agents.classify.taxonomy import Topic, children, data_digest, iptc_topics, top_level
from agents.classify.topics import with_topics
from pipeline.records import Record

Method = Literal["accurate", "fast"]
MAX_SUBJECTS = 3  # annotated news articles carry one to three subjects (docs/classify.md)
_NO_EVIDENCE = Evidence()


class TopicClassifier(Protocol):
    """What the classify stage runs: a versioned callable adding `topics` and `primary_topic`."""

    threshold: float

    @property
    def version(self) -> str:
        """The model version the provenance entry names."""

    def __call__(self, record: Record) -> Record: ...


@dataclass
class IptcClassifier:
    """The built-in IPTC classifier: weighted keyword lists per topic and language, blended with the
    multilingual encoder's similarity to topic descriptions (method `accurate`) or alone (method `fast`)."""

    threshold: float = 0.5
    method: Method = "accurate"
    calibration: Calibration = field(default_factory=Calibration)
    encoder: Encoder | None = None

    @cached_property
    def version(self) -> str:
        """Names the method and the keyword/description data it uses, e.g. `iptc-accurate-1a2b3c4d`."""
        suffix = f"+{encoder_version()}" if self.method == "accurate" else ""
        return f"iptc-{self.method}-{data_digest()}{suffix}"

    @cached_property
    def _lexicon(self) -> Lexicon:
        return build_lexicon({topic.code: topic.keywords for topic in iptc_topics()})

    @cached_property
    def _subjects(self) -> tuple[Topic, ...]:
        return top_level()

    @cached_property
    def _prototypes(self) -> tuple[NDArray[np.float32], NDArray[np.int_]]:
        texts: list[str] = []
        owners: list[int] = []
        for index, topic in enumerate(self._subjects):
            for descriptions in topic.descriptions.values():
                texts.extend(descriptions)
                owners.extend([index] * len(descriptions))
        return embed(texts, self.encoder), np.asarray(owners)

    def evidence(self, record: Record) -> dict[str, Evidence]:
        """Keyword evidence per topic code (what the score explanation shows)."""
        return self._lexicon.evidence(passages(record))

    def similarities(self, record: Record) -> list[float]:
        """Mean cosine similarity of the article to each subject's descriptions (Arabic and English).

        The mean over several descriptions is steadier than the closest one: on Arabic the encoder's
        single nearest description picks the wrong subject far more often (docs/classify.md)."""
        vectors, owners = self._prototypes
        article = embed([embedding_text(record)], self.encoder)[0]
        cosines = vectors @ article
        return [float(cosines[owners == index].mean()) for index in range(len(self._subjects))]

    def scores(self, record: Record) -> dict[str, float]:
        """Every topic's score, top-level and second-level, whether above the threshold or not."""
        evidence = self.evidence(record)
        found = [evidence.get(topic.code, _NO_EVIDENCE) for topic in self._subjects]
        similarities = self.similarities(record) if self.method == "accurate" else None
        subject_values = subject_scores(
            [each.points for each in found], similarities, self.calibration, [each.shared_points for each in found]
        )
        result = {topic.code: value for topic, value in zip(self._subjects, subject_values, strict=True)}
        for subject in self._subjects:
            for child in children(subject.code):
                child_points = evidence.get(child.code, _NO_EVIDENCE).points
                result[child.code] = child_score(result[subject.code], child_points, self.calibration)
        return result

    def __call__(self, record: Record) -> Record:
        return with_topics(record, self.scores(record), self.threshold, max_subjects=MAX_SUBJECTS)


def load_classifier(
    model_path: Path | None = None, threshold: float = 0.5, method: Method = "accurate"
) -> TopicClassifier:
    """The configured classifier: a trained artefact when `model_path` is set, else the built-in IPTC one.

    `method` picks the built-in classifier's speed: `accurate` (keywords + encoder) or `fast` (keywords).
    """
    if model_path is not None:
        from agents.classify.model import load_model

        return load_model(model_path, threshold=threshold)
    return IptcClassifier(threshold=threshold, method=method)

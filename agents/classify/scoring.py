"""From keyword points and the encoder's reading to topic scores in [0, 1] (the formula docs/classify.md explains)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

MAIN_MARGIN = 1e-3  # how far below the main subject any other subject stays, so the order is never a tie


@dataclass(frozen=True)
class Calibration:
    """The constants of the scoring formula (chosen once, globally; see docs/classify.md)."""

    points_scale: float = 10.0  # keyword points at which strength reaches 1 - 1/e (~three strong keywords)
    semantic_points: float = 15.0  # points the encoder adds to a topic it is fully sure of (alone: 0.78)
    temperature: float = 0.05  # softmax temperature over the 17 subjects' cosine similarities
    corpus_weight: float = 0.7  # the corpus model's share of the encoder's reading (the rest: descriptions)
    semantic_weight: float = 0.5  # the encoder's reading's share in choosing the main subject (0: keywords only)
    child_points_scale: float = 6.0  # the same saturation for a second-level topic's own keywords
    shared_discount: float = 0.5  # how much of a secondary subject's weak-tier (shared-word) points to ignore
    prominence_power: float = 0.85  # a subject with ~45% of the main one's evidence (and plenty of it) scores 0.5


def softmax(values: NDArray[np.float64], temperature: float) -> NDArray[np.float64]:
    """A probability distribution from similarities; lower temperature, sharper."""
    shifted = (values - values.max()) / temperature
    weights = np.exp(shifted)
    result: NDArray[np.float64] = weights / weights.sum()
    return result


def encoder_reading(
    similarities: Sequence[float], corpus_probabilities: Sequence[float] | None, calibration: Calibration
) -> list[float]:
    """What the encoder says about the subjects, as a distribution: the softmax of the article's similarity to
    each subject's descriptions, blended with the corpus model's probabilities (normalised to sum to 1)."""
    reading = softmax(np.asarray(similarities, dtype=np.float64), calibration.temperature)
    if corpus_probabilities is not None and calibration.corpus_weight > 0:
        corpus = np.asarray(corpus_probabilities, dtype=np.float64)
        corpus = corpus / corpus.sum() if corpus.sum() > 0 else np.full_like(corpus, 1.0 / len(corpus))
        reading = (1.0 - calibration.corpus_weight) * reading + calibration.corpus_weight * corpus
    return [float(value) for value in reading]


def subject_scores(
    points: Sequence[float],
    reading: Sequence[float] | None,
    calibration: Calibration,
    shared_points: Sequence[float] | None = None,
    main_reading: Sequence[float] | None = None,
) -> list[float]:
    """Scores of the top-level subjects: prominence relative to the article's main subject times strength.

    The main subject is the one with the largest share of the evidence: keyword points, blended with the
    encoder's reading (a distribution over the subjects, see `encoder_reading`) when it is given, or with
    `main_reading` (the encoder's reading of which subject the article is mainly about) when that is. A subject's
    prominence is its keyword points relative to the best-scoring subject's (or its blended share relative to
    the main one, if higher), raised to `prominence_power`; strength = 1 - exp(-points / points_scale) grows
    with the absolute evidence (keyword points plus `semantic_points` times the encoder's probability). The main
    subject always ranks first. A score of 0.5 therefore needs a subject with about 45% of the main
    subject's keyword evidence and plenty of it, or more of the main one's share and less evidence.

    With `shared_points` (each subject's points from weak-tier words, which many subjects share), every
    subject is scored a second time with `shared_discount` of those points removed (the main subject
    kept), and a subject other than the main one keeps the lower of its two scores: generic words may
    help pick the main subject, but cannot on their own make a secondary one.
    """
    main = None if main_reading is None else main_subject(points, main_reading, calibration)
    scores = _scores(points, reading, calibration, main)
    if shared_points is None or calibration.shared_discount <= 0:
        return scores
    main = int(np.argmax(scores))
    discount = calibration.shared_discount
    discounted = [value - discount * shared for value, shared in zip(points, shared_points, strict=True)]
    strict = _scores(discounted, reading, calibration, main)
    return [value if index == main else min(value, strict[index]) for index, value in enumerate(scores)]


def main_subject(points: Sequence[float], reading: Sequence[float], calibration: Calibration) -> int:
    """The index of the subject with the largest share: keyword points blended with a reading."""
    keyword_points = np.asarray(points, dtype=np.float64)
    return int(np.argmax(_share(keyword_points, np.asarray(reading, dtype=np.float64), calibration)))


def _keyword_share(keyword_points: NDArray[np.float64]) -> NDArray[np.float64]:
    total = keyword_points.sum()
    share: NDArray[np.float64] = keyword_points / total if total > 0 else np.zeros_like(keyword_points)
    return share


def _share(
    keyword_points: NDArray[np.float64], reading: NDArray[np.float64] | None, calibration: Calibration
) -> NDArray[np.float64]:
    """Each subject's share of the evidence: its share of keyword points, blended with the reading when given
    (the reading alone when there are no keyword points)."""
    keyword_share = _keyword_share(keyword_points)
    if reading is None:
        return keyword_share
    weight = calibration.semantic_weight if keyword_points.sum() > 0 else 1.0
    share: NDArray[np.float64] = (1.0 - weight) * keyword_share + weight * reading
    return share


def _scores(
    points: Sequence[float],
    reading: Sequence[float] | None,
    calibration: Calibration,
    main: int | None = None,
) -> list[float]:
    """The score formula of `subject_scores`; `main` fixes the main subject instead of choosing it."""
    keyword_points = np.asarray(points, dtype=np.float64)
    total = keyword_points.sum()
    keyword_share = _keyword_share(keyword_points)
    semantic = np.zeros_like(keyword_points) if reading is None else np.asarray(reading, dtype=np.float64)
    share = _share(keyword_points, None if reading is None else semantic, calibration)
    if share.max() <= 0:
        return [0.0] * len(keyword_points)
    ratio = share / share.max()
    if total > 0:
        ratio = np.maximum(ratio, keyword_share / keyword_share.max())
    strength = 1.0 - np.exp(-(keyword_points + calibration.semantic_points * semantic) / calibration.points_scale)
    scores = ratio**calibration.prominence_power * strength
    main = int(np.argmax(share)) if main is None else main
    scores[main] = scores.max()
    others = np.arange(len(scores)) != main
    scores[others] = np.minimum(scores[others], scores[main] - MAIN_MARGIN)
    return [float(value) for value in np.clip(scores, 0.0, 1.0)]


def child_score(parent_score: float, points: float, calibration: Calibration) -> float:
    """A second-level topic's score: its parent's score times the strength of its own keywords."""
    return parent_score * (1.0 - math.exp(-points / calibration.child_points_scale))


def ranked(scores: Mapping[str, float], threshold: float) -> list[tuple[str, float]]:
    """(code, score) pairs at or above the threshold, best first (ties broken by code for stability)."""
    return sorted(((code, s) for code, s in scores.items() if s >= threshold), key=lambda item: (-item[1], item[0]))

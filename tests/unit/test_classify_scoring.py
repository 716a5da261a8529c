"""The scoring formula: prominence relative to the main subject times the strength of the evidence."""

from __future__ import annotations

import pytest

from agents.classify.scoring import Calibration, child_score, encoder_reading, ranked, subject_scores

CAL = Calibration()


def test_no_evidence_scores_zero() -> None:
    assert subject_scores([0.0, 0.0, 0.0], None, CAL) == [0.0, 0.0, 0.0]


def test_main_subject_scores_its_strength_and_others_less() -> None:
    scores = subject_scores([30.0, 12.0, 0.0], None, CAL)
    assert scores[0] > 0.9
    assert 0.0 < scores[1] < scores[0]
    assert scores[2] == 0.0


def test_a_secondary_subject_with_half_the_evidence_clears_one_half() -> None:
    assert subject_scores([60.0, 30.0], None, CAL)[1] > 0.5
    assert subject_scores([60.0, 10.0], None, CAL)[1] < 0.5


def test_the_encoder_can_choose_the_main_subject_and_it_ranks_first() -> None:
    scores = subject_scores([20.0, 22.0], [0.90, 0.10], CAL)
    assert scores[0] > scores[1] > 0.5


def test_the_main_reading_chooses_the_main_subject_and_the_subject_reading_scores_the_rest() -> None:
    subjects_reading = [0.50, 0.50]
    by_keywords = subject_scores([20.0, 22.0], subjects_reading, CAL)
    by_main_reading = subject_scores([20.0, 22.0], subjects_reading, CAL, main_reading=[0.90, 0.10])
    assert by_keywords[1] > by_keywords[0]
    assert by_main_reading[0] > by_main_reading[1] > 0.5
    assert by_main_reading[1] == pytest.approx(by_keywords[1], abs=0.05)  # the other subject scores as before


def test_scores_grow_with_evidence() -> None:
    weak = subject_scores([3.0, 0.0], None, CAL)[0]
    strong = subject_scores([12.0, 0.0], None, CAL)[0]
    assert 0.0 < weak < 0.5 < strong < 1.0


def test_the_encoder_can_promote_a_subject_the_keywords_missed() -> None:
    keywords_only = subject_scores([0.0, 10.0, 0.0], None, CAL)
    blended = subject_scores([0.0, 10.0, 0.0], [0.70, 0.20, 0.10], CAL)
    assert keywords_only[0] == 0.0
    assert blended[0] > keywords_only[0]
    assert all(0.0 <= score <= 1.0 for score in blended)


def test_child_score_never_exceeds_parent() -> None:
    assert child_score(0.8, 100.0, CAL) <= 0.8
    assert child_score(0.8, 0.0, CAL) == 0.0


def test_ranked_filters_and_orders() -> None:
    assert ranked({"b": 0.6, "a": 0.6, "c": 0.4, "d": 0.9}, 0.5) == [("d", 0.9), ("a", 0.6), ("b", 0.6)]


def test_shared_words_cannot_make_a_secondary_subject_on_their_own() -> None:
    plain = subject_scores([60.0, 30.0], None, CAL)[1]
    mostly_shared = subject_scores([60.0, 30.0], None, CAL, shared_points=[0.0, 20.0])
    assert plain > 0.5 > mostly_shared[1]
    assert mostly_shared[0] == subject_scores([60.0, 30.0], None, CAL)[0]  # the main subject is untouched


def test_the_encoder_reading_is_a_distribution_blending_descriptions_and_corpus_model() -> None:
    similarities = [0.30, 0.20, 0.10]
    descriptions_only = encoder_reading(similarities, None, CAL)
    assert sum(descriptions_only) == pytest.approx(1.0)
    assert descriptions_only[0] > descriptions_only[1] > descriptions_only[2]
    blended = encoder_reading(similarities, [0.1, 0.9, 0.2], CAL)
    assert sum(blended) == pytest.approx(1.0)
    assert blended[1] > descriptions_only[1]
    assert blended[1] == pytest.approx((1 - CAL.corpus_weight) * descriptions_only[1] + CAL.corpus_weight * 0.9 / 1.2)


def test_a_corpus_model_with_no_opinion_leaves_the_descriptions_in_charge() -> None:
    reading = encoder_reading([0.30, 0.20], [0.0, 0.0], CAL)
    assert reading[0] > reading[1] and sum(reading) == pytest.approx(1.0)

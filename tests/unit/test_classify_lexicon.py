"""Keyword evidence: phrases, prefixes, clitics, one count per word and diminishing returns."""

from __future__ import annotations

import math

from agents.classify.lexicon import Passage, build_lexicon
from agents.classify.text import words

LEXICON = build_lexicon(
    {
        "politics": {"en": {"strong": ["foreign minister*", "elect*"], "weak": ["minister*"]},
                     "ar": {"strong": ["وزير الخارجية", "انتخاب*"]}},
        "sport": {"en": {"strong": ["football"], "medium": ["match*"]}},
    }
)


def points(text: str, weight: float = 1.0) -> dict[str, float]:
    return {topic: found.points for topic, found in LEXICON.evidence([Passage(words(text), weight)]).items()}


def test_phrases_prefixes_and_clitics_match() -> None:
    assert points("The elections were held") == {"politics": 3.0}
    assert points("ولوزير الخارجية رأي في الانتخابات") == {"politics": 6.0}
    assert points("A football match") == {"sport": 5.0}


def test_a_word_counts_once_per_topic_for_its_longest_keyword() -> None:
    assert points("the foreign minister spoke") == {"politics": 3.0}  # not also `minister*`


def test_repetition_has_diminishing_returns() -> None:
    assert points("football football football")["sport"] == 3.0 * (1 + math.log(3))


def test_passage_weight_multiplies_mentions() -> None:
    assert points("football", weight=2.0)["sport"] == 3.0 * (1 + math.log(2))


def test_unrelated_text_has_no_evidence() -> None:
    assert points("The cat sat on the mat") == {}
    assert points("") == {}

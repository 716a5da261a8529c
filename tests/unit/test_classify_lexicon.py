"""Keyword evidence: phrases, prefixes, clitics, one count per word and diminishing returns."""

from __future__ import annotations

import math

from agents.classify.lexicon import Passage, build_lexicon
from agents.classify.text import words

KEYWORDS = {
    "politics": {"en": {"strong": ["foreign minister*", "elect*"], "weak": ["minister*"]},
                 "ar": {"strong": ["وزير الخارجية", "انتخاب*"]}},
    "sport": {"en": {"strong": ["football"], "medium": ["match*"]}},
}
LEXICON = build_lexicon(KEYWORDS)


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


def test_words_met_in_earlier_articles_match_as_they_would_the_first_time() -> None:
    article = [Passage(words("ولوزير الخارجية رأي في الانتخابات"), 2.0), Passage(words("the foreign minister's match"))]
    warm = build_lexicon(KEYWORDS)
    for earlier in ("the minister", "الخارجية والانتخابات", "foreign matches", "football"):
        warm.evidence([Passage(words(earlier))])

    assert warm.evidence(article) == build_lexicon(KEYWORDS).evidence(article)
    politics = warm.evidence(article)["politics"].mentions
    assert politics == {"وزير الخارجية": 2.0, "انتخاب*": 2.0, "foreign minister*": 1.0}

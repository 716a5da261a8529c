"""Weighted keyword evidence per topic: multi-word, prefix-aware matching over folded Arabic and English words."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from agents.classify.text import keyword_key, variants

TIER_POINTS = {"strong": 3.0, "medium": 2.0, "weak": 1.0}
WORD_CACHE_SIZE = 1 << 16  # distinct words whose readings and candidate keywords are kept


@dataclass(frozen=True)
class Keyword:
    """One keyword of one topic: its words as (key, is_prefix) pairs and the points a mention is worth."""

    topic: str
    text: str
    parts: tuple[tuple[str, bool], ...]
    points: float


@dataclass(frozen=True)
class Passage:
    """A stretch of an article's words and how much a mention in it counts (a title counts more)."""

    words: Sequence[str]
    weight: float = 1.0


@dataclass
class Evidence:
    """What the keywords found for one topic: total points and each keyword's weighted mention count."""

    points: float = 0.0
    mentions: dict[str, float] = field(default_factory=dict)
    shared_points: float = 0.0  # the part of `points` from weak-tier keywords (words shared across subjects)


def compile_keyword(topic: str, text: str, points: float) -> Keyword:
    """A keyword from its written form (`elect*`, `وزير الخارجية`) for a topic."""
    parts = []
    for word in text.split():
        prefix = word.endswith("*")
        parts.append((keyword_key(word.rstrip("*")), prefix))
    return Keyword(topic, text, tuple(parts), points)


class Lexicon:
    """Keywords of many topics, matched in one pass over an article's words."""

    def __init__(self, keywords: Iterable[Keyword]) -> None:
        self._exact: dict[str, list[Keyword]] = defaultdict(list)
        self._prefix: dict[str, list[Keyword]] = defaultdict(list)
        for keyword in keywords:
            key, is_prefix = keyword.parts[0]
            (self._prefix if is_prefix else self._exact)[key].append(keyword)
        self._prefix_lengths = sorted({len(key) for key in self._prefix})
        # News vocabulary repeats from article to article, so a word's readings and the keywords that may start
        # at it are worked out once; bounded, because a long-running worker meets an open vocabulary.
        self._word_entry = lru_cache(maxsize=WORD_CACHE_SIZE)(self._entry)

    def matches(self, words: Sequence[str]) -> list[tuple[Keyword, int]]:
        """Every (keyword, start) found; per topic, a word counts for its longest keyword only."""
        entries = [self._word_entry(word) for word in words]
        readings = [forms for forms, _ in entries]
        found: list[tuple[Keyword, int]] = []
        for start, (_, candidates) in enumerate(entries):
            for candidate in candidates:
                if self._rest_matches(candidate, readings, start):
                    found.append((candidate, start))
        found.sort(key=lambda item: -len(item[0].parts))
        covered: dict[str, set[int]] = defaultdict(set)
        kept = []
        for keyword, start in found:
            span = range(start, start + len(keyword.parts))
            taken = covered[keyword.topic]
            if any(position in taken for position in span):
                continue
            taken.update(span)
            kept.append((keyword, start))
        return kept

    def evidence(self, passages: Iterable[Passage]) -> dict[str, Evidence]:
        """Points per topic: a keyword's points times (1 + ln of its weighted mentions), summed over keywords.

        The logarithm gives repetition diminishing returns, so one word repeated cannot outweigh the
        variety of vocabulary that marks an article as being about a topic.
        """
        mentions: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        points: dict[tuple[str, str], float] = {}
        for passage in passages:
            for keyword, _start in self.matches(passage.words):
                mentions[keyword.topic][keyword.text] += passage.weight
                points[(keyword.topic, keyword.text)] = keyword.points
        result: dict[str, Evidence] = {}
        for topic, counts in mentions.items():
            earned = {
                text: points[(topic, text)] * (1.0 + math.log(count)) if count >= 1 else points[(topic, text)] * count
                for text, count in counts.items()
            }
            shared = sum(value for text, value in earned.items() if points[(topic, text)] <= TIER_POINTS["weak"])
            result[topic] = Evidence(sum(earned.values()), dict(counts), shared)
        return result

    def _entry(self, word: str) -> tuple[tuple[str, ...], tuple[Keyword, ...]]:
        """A word's readings (itself and, in Arabic, its forms without clitics) and the keywords that may start
        at it."""
        forms = variants(word)
        return forms, self._candidates(forms)

    def _candidates(self, forms: Sequence[str]) -> tuple[Keyword, ...]:
        candidates: list[Keyword] = []
        for form in forms:
            candidates.extend(self._exact.get(form, ()))
            for length in self._prefix_lengths:
                if length > len(form):
                    break
                candidates.extend(self._prefix.get(form[:length], ()))
        return tuple(dict.fromkeys(candidates))

    @staticmethod
    def _rest_matches(keyword: Keyword, readings: Sequence[Sequence[str]], start: int) -> bool:
        if start + len(keyword.parts) > len(readings):
            return False
        for offset, (key, is_prefix) in enumerate(keyword.parts[1:], start=1):
            forms = readings[start + offset]
            if not any(form.startswith(key) if is_prefix else form == key for form in forms):
                return False
        return True


def build_lexicon(keywords_by_topic: Mapping[str, Mapping[str, Mapping[str, Sequence[str]]]]) -> Lexicon:
    """A lexicon from `{topic: {language: {tier: [keyword, ...]}}}`."""
    best: dict[tuple[str, str], float] = {}
    for topic, languages in keywords_by_topic.items():
        for tiers in languages.values():
            for tier, texts in tiers.items():
                for text in texts:
                    best[(topic, text)] = max(best.get((topic, text), 0.0), TIER_POINTS[tier])
    return Lexicon(compile_keyword(topic, text, points) for (topic, text), points in best.items())

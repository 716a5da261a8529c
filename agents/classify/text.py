"""Matching keys for topic keywords: folded Arabic and English words, with Arabic clitics peeled off."""

from __future__ import annotations

import re
import unicodedata

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_ARABIC_LETTER = re.compile("[\u0621-\u064a]")

# Proclitics that attach to an Arabic word: conjunction, then preposition, then the article.
_CONJUNCTIONS = ("", "و", "ف")
_PREPOSITIONS = ("", "ب", "ل", "ك")
_MIN_STEM = 3


def fold(text: str) -> str:
    """Text in the form keywords are compared in: NFKC, lower case, Arabic marks removed and letters folded."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _ARABIC_MARKS.sub("", text).translate(_ARABIC_FOLD)


def words(text: str) -> list[str]:
    """The folded words of a text, in order (hyphenated and apostrophised words kept whole)."""
    return _WORD.findall(fold(text))


def is_arabic(word: str) -> bool:
    """Whether a (folded) word is written in Arabic script."""
    return bool(_ARABIC_LETTER.match(word))


def strip_article(word: str) -> str:
    """An Arabic word without its article `ال`, when what remains is still a plausible stem."""
    if word.startswith("ال") and len(word) - 2 >= _MIN_STEM:
        return word[2:]
    return word


def keyword_key(word: str) -> str:
    """The key a keyword word is stored under: folded, and for Arabic without the article."""
    word = fold(word)
    return strip_article(word) if is_arabic(word) else word


def variants(word: str) -> tuple[str, ...]:
    """Every reading of a text word that may be a keyword key: itself, and for Arabic each peeled form.

    `وبالمفاوضات` yields `وبالمفاوضات`, `بالمفاوضات`, `مفاوضات`...; `لل` is `ل` + `ال` with its alef dropped.
    Forms shorter than three letters are not produced, so short words are never peeled into false stems.
    """
    if not is_arabic(word):
        return (word,)
    found = dict.fromkeys([strip_article(word)])
    for conjunction in _CONJUNCTIONS:
        if not word.startswith(conjunction):
            continue
        after_conjunction = word[len(conjunction) :]
        for preposition in _PREPOSITIONS:
            if not after_conjunction.startswith(preposition):
                continue
            rest = after_conjunction[len(preposition) :]
            if preposition == "ل" and rest.startswith("ل") and len(rest) - 1 >= _MIN_STEM:
                found[rest[1:]] = None  # لل: the preposition swallowed the article's alef
            if len(rest) >= _MIN_STEM and (conjunction or preposition):
                found[strip_article(rest)] = None
    return tuple(found)

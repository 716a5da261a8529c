"""The matching key of an entity's surface text, by the scoring rules of shared/annotation.md."""

from __future__ import annotations

import re
import unicodedata

_ARABIC_MARKS = re.compile(r"[\u064b-\u065f\u0670\u0640]")
_SPACES = re.compile(r"\s+")
# Quotes, brackets and punctuation trimmed from both ends (letters, digits and inner marks stay).
_EDGE_PUNCTUATION = "\"'`«»“”„‘’‹›()[]{}<>.,;:!?؟،؛…-–—/\\*_|"
_LEADING_THE = re.compile(r"^the\s+")
_POSSESSIVE = re.compile(r"['’]s$")


def surface_key(text: str) -> str:
    """`text` without Arabic diacritics or tatweel, NFKC, case-folded, spaces folded, edge punctuation
    trimmed, and without an English leading "the" or a possessive "'s"."""
    key = _ARABIC_MARKS.sub("", text)
    key = unicodedata.normalize("NFKC", key).casefold()
    key = _SPACES.sub(" ", key).strip().strip(_EDGE_PUNCTUATION).strip()
    key = _POSSESSIVE.sub("", key)
    key = _LEADING_THE.sub("", key)
    return key.strip().strip(_EDGE_PUNCTUATION).strip()


def script_language(text: str) -> str:
    """`ar` when the text has Arabic letters, else `en` (the two languages the sets are annotated in)."""
    return "ar" if re.search(r"[\u0600-\u06ff]", text) else "en"

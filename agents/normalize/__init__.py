"""Normalize stage: raw article to structured, clean, language-tagged blocks."""

from agents.normalize.keys import match_key, term_key
from agents.normalize.offsets import raw_span, to_raw
from agents.normalize.transform import normalize

__all__ = ["match_key", "normalize", "raw_span", "term_key", "to_raw"]

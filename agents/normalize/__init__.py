"""Normalize stage: raw article to structured, clean, language-tagged blocks."""

"""Wiring of the normalize stage: articles.raw to articles.normalized."""

from __future__ import annotations

from functools import partial

from agents.normalize.transform import normalize
from agents.stage import Stage
from pipeline.config import Settings
from pipeline.topics import NORMALIZED, RAW


def build(settings: Settings) -> Stage:
    """The normalize stage with the configured size cap."""
    return Stage("normalize", RAW, NORMALIZED, partial(normalize, max_chars=settings.max_raw_chars))

"""Wiring of the classify stage: articles.entities to articles.enriched."""

from __future__ import annotations

from agents.classify.transform import load_classifier
from agents.stage import Stage
from pipeline.config import Settings
from pipeline.topics import ENRICHED, ENTITIES


def build(settings: Settings) -> Stage:
    """The classify stage with the configured model (or the built-in one) and threshold."""
    classifier = load_classifier(
        settings.classify_model, threshold=settings.topic_threshold, method=settings.classify_method
    )
    return Stage("classify", ENTITIES, ENRICHED, classifier, model_version=classifier.version)

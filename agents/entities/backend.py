"""Optional model backend: a user-installed spaCy pipeline adds mentions the rules and lists do not know."""

from __future__ import annotations

from typing import Any, Protocol

from agents.entities.mentions import Mention
from pipeline.errors import ConfigError

_LABELS = {"PERSON": "PER", "PER": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}


class ModelBackend(Protocol):
    """Anything that proposes typed spans for a text."""

    def find(self, text: str) -> list[Mention]:
        """Candidate mentions with offsets into `text`."""
        ...


class SpacyBackend:
    """A spaCy pipeline the user installed (e.g. `pip install en_core_web_sm` from a wheel they trust)."""

    def __init__(self, model: str) -> None:
        try:
            import spacy
        except ImportError as error:
            raise ConfigError("the spacy entities backend needs `pip install spacy` and a model") from error
        try:
            self.nlp: Any = spacy.load(model)
        except OSError as error:
            raise ConfigError(f"spaCy model {model!r} is not installed: {error}") from error
        self.name = model

    def find(self, text: str) -> list[Mention]:
        """The model's PER/ORG/LOC spans, below the rules in priority and confidence."""
        mentions = []
        for span in self.nlp(text).ents:
            type_ = _LABELS.get(span.label_)
            if type_ is not None:
                mentions.append(
                    Mention(span.start_char, span.end_char, type_, span.text, None, "", 0.5,
                            f"model.{self.name}", priority=-1)
                )
        return mentions


def from_spec(spec: str) -> ModelBackend:
    """A backend from a `kind:model` string such as `spacy:en_core_web_sm`."""
    kind, _, model = spec.partition(":")
    if kind == "spacy" and model:
        return SpacyBackend(model)
    raise ConfigError(f"unknown entities backend {spec!r}; expected spacy:<model>")

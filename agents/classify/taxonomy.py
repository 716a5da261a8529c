"""The IPTC Media Topics newsflow assigns: codes, English and Arabic labels, levels, and their keyword data."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from pipeline.records import Record

Keywords = dict[str, dict[str, list[str]]]  # language -> tier -> keywords


@dataclass(frozen=True)
class Topic:
    """One IPTC Media Topic: level 1 for the 17 subjects, level 2 for a narrower topic under `parent`."""

    code: str
    label: str
    label_ar: str
    parent: str | None = None
    description: str = ""
    descriptions: dict[str, list[str]] = field(default_factory=dict, hash=False, compare=False)
    keywords: Keywords = field(default_factory=dict, hash=False, compare=False)

    @property
    def level(self) -> int:
        """1 for a top-level subject, 2 for a narrower topic."""
        return 1 if self.parent is None else 2

    def entry(self, score: float) -> Record:
        """This topic as it appears in an enriched record's `topics` list."""
        return {
            "code": self.code,
            "label": self.label,
            "label_ar": self.label_ar,
            "score": round(min(1.0, max(0.0, score)), 4),
            "level": self.level,
            "parent": self.parent,
        }


def _topic(raw: dict[str, Any]) -> Topic:
    return Topic(
        code=raw["code"],
        label=raw["label"],
        label_ar=raw["label_ar"],
        parent=raw.get("parent"),
        description=raw.get("description", ""),
        descriptions={language: list(texts) for language, texts in raw.get("descriptions", {}).items()},
        keywords={
            language: {tier: list(words) for tier, words in tiers.items()}
            for language, tiers in raw.get("keywords", {}).items()
        },
    )


def _data_file() -> Traversable:
    return files("agents.classify").joinpath("data/iptc_topics.toml")


def data_digest(settings: str = "") -> str:
    """The first 8 hex digits of the SHA-256 of the data file (and of `settings`, e.g. the scoring constants):
    names the keywords, descriptions and calibration in a version."""
    return hashlib.sha256(_data_file().read_bytes() + settings.encode()).hexdigest()[:8]


@cache
def iptc_topics() -> tuple[Topic, ...]:
    """Every topic the built-in classifier knows, top level first, in the order of the data file."""
    data = tomllib.loads(_data_file().read_text("utf-8"))
    topics = tuple(_topic(raw) for raw in data["topic"])
    return tuple(sorted(topics, key=lambda topic: topic.level))


@cache
def top_level() -> tuple[Topic, ...]:
    """The 17 IPTC subjects."""
    return tuple(topic for topic in iptc_topics() if topic.level == 1)


@cache
def children(parent_code: str) -> tuple[Topic, ...]:
    """The second-level topics newsflow assigns under one subject."""
    return tuple(topic for topic in iptc_topics() if topic.parent == parent_code)


def by_code() -> dict[str, Topic]:
    """Every topic by its `medtop:` code."""
    return {topic.code: topic for topic in iptc_topics()}


def by_label() -> dict[str, Topic]:
    """Top-level subjects by English label, lower case (how evaluation sets name them)."""
    return {topic.label.lower(): topic for topic in top_level()}

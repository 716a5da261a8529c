"""Gold-annotated articles: a `.txt` raw article beside a `.json` annotation with the same stem."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError

ENTITY_TYPES = frozenset({"PER", "ORG", "LOC", "DATE"})
# IPTC Media Topics, top level (shared/annotation.md): gold may name a topic by label or by code.
IPTC_LABELS = {
    "medtop:01000000": "arts, culture, entertainment and media",
    "medtop:02000000": "crime, law and justice",
    "medtop:03000000": "disaster, accident and emergency incident",
    "medtop:04000000": "economy, business and finance",
    "medtop:05000000": "education",
    "medtop:06000000": "environment",
    "medtop:07000000": "health",
    "medtop:08000000": "human interest",
    "medtop:09000000": "labour",
    "medtop:10000000": "lifestyle and leisure",
    "medtop:11000000": "politics",
    "medtop:12000000": "religion",
    "medtop:13000000": "science and technology",
    "medtop:14000000": "society",
    "medtop:15000000": "sport",
    "medtop:16000000": "conflict, war and peace",
    "medtop:17000000": "weather",
}


def topic_label(topic: str | None) -> str | None:
    """A topic's comparable form: its IPTC label, lower-case, whether given as a label or a code."""
    if not topic:
        return None
    cleaned = str(topic).strip().casefold()
    return IPTC_LABELS.get(cleaned, cleaned)


class GoldError(ConfigError):
    """A gold folder or annotation file that cannot be scored against."""


@dataclass(frozen=True)
class GoldEntity:
    """One annotated entity: type, exact surface text, canonical name."""

    type: str
    text: str
    canonical: str


@dataclass(frozen=True)
class GoldArticle:
    """One annotated article."""

    id: str
    path: Path
    raw: str
    languages: tuple[str, ...]
    primary_topic: str | None
    topics: tuple[str, ...]
    entities: tuple[GoldEntity, ...]
    subtopics: tuple[str, ...] | None = None  # second-level topic labels; None: not annotated

    @property
    def language(self) -> str:
        """The article's primary language."""
        return self.languages[0] if self.languages else "und"


def load_gold(path: Path) -> list[GoldArticle]:
    """Every annotated article under `path` (a folder, or one `.json`/`.txt` file), sorted by file name."""
    if not path.exists():
        raise GoldError(f"{path} does not exist")
    annotations = [path.with_suffix(".json")] if path.is_file() else sorted(path.glob("*.json"))
    articles = [_article(annotation) for annotation in annotations if annotation.with_suffix(".txt").exists()]
    if not articles:
        raise GoldError(f"no annotated articles (a .txt beside a .json with the same stem) in {path}")
    return articles


def _article(annotation: Path) -> GoldArticle:
    try:
        data: Any = json.loads(annotation.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise GoldError(f"{annotation}: not readable JSON ({error})") from error
    if not isinstance(data, dict):
        raise GoldError(f"{annotation}: expected a JSON object")
    entities = []
    for position, item in enumerate(data.get("entities") or []):
        if not isinstance(item, dict) or item.get("type") not in ENTITY_TYPES or not item.get("text"):
            raise GoldError(f"{annotation}: entity #{position} needs a type in PER/ORG/LOC/DATE and a text")
        entities.append(GoldEntity(item["type"], str(item["text"]), str(item.get("canonical") or "")))
    topics = tuple(str(topic) for topic in data.get("topics") or [])
    subtopics = data.get("subtopics")
    if subtopics is not None and not (isinstance(subtopics, list) and all(isinstance(s, str) for s in subtopics)):
        raise GoldError(f"{annotation}: subtopics must be a list of second-level topic labels")
    primary = data.get("primary_topic") or (topics[0] if topics else None)
    return GoldArticle(
        id=str(data.get("id") or annotation.stem),
        path=annotation.with_suffix(".txt"),
        raw=annotation.with_suffix(".txt").read_text(encoding="utf-8"),
        languages=tuple(str(language) for language in data.get("languages") or []),
        primary_topic=str(primary) if primary else None,
        topics=topics,
        entities=tuple(entities),
        subtopics=None if subtopics is None else tuple(subtopics),
    )

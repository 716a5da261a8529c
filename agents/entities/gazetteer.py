"""The packaged gazetteer, loaded once, and clitic-aware multi-pattern lookup of its names in folded text."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from agents.entities.keys import Folded

GAZETTEER_PATH = Path(__file__).parent / "data" / "gazetteer.json"

ARTICLE = "ال"
# Arabic proclitics that may stand before a name: conjunctions و ف, prepositions ب ل and their pairs.
# ك (as, like) is left out: it rarely precedes a name and would make `كلاوس` (Klaus) read as ك + Laos.
CLITICS = frozenset({"و", "ف", "ب", "ل", "وب", "ول", "فب", "فل", "لب"})
# Before a name that carries the article, ل merges with it (ل + الصين -> للصين); the others stay separate.
CLITICS_BEFORE_ARTICLE = frozenset({"و", "ف", "ب", "وب", "فب"})
LAM_VARIANT = "lam"  # marker of an automaton key made for the لل contraction


@dataclass(slots=True)
class Hit:
    """A gazetteer name found in folded text (folded offsets) and the entities it may refer to."""

    start: int
    end: int
    key: str
    ids: tuple[str, ...]


@dataclass(frozen=True)
class Gazetteer:
    """Entities, their names, and the word lists the rules use."""

    entities: dict[str, tuple[str, str]]
    names: dict[str, tuple[str, ...]]
    title_aliases: dict[str, str]
    nationalities: dict[str, str]
    first_names: dict[str, frozenset[str]]
    common: dict[str, frozenset[str]]
    known_words: dict[str, frozenset[str]]
    frequent_ar: tuple[str, ...]  # Arabic words, most frequent first
    cues: dict[str, tuple[str, ...]]
    automaton: ahocorasick.Automaton

    def type_of(self, entity_id: str) -> str:
        """PER, ORG or LOC."""
        return self.entities[entity_id][0]

    def canonical(self, entity_id: str) -> str:
        """The English canonical name."""
        return self.entities[entity_id][1]

    def entity_named(self, key: str, type_: str) -> str | None:
        """The id of the first known entity of `type_` whose name (for a person, or title alias) is exactly `key`."""
        for entity_id in self.names.get(key, ()):
            if self.entities[entity_id][0] == type_:
                return entity_id
        return self.title_aliases.get(key) if type_ == "PER" else None

    def choose(self, ids: tuple[str, ...], folded_text: str) -> str:
        """The entity a shared name refers to: the first one, unless another's cue word is in the article."""
        for entity_id in ids[1:]:
            if any(cue in folded_text for cue in self.cues.get(entity_id, ())):
                return entity_id
        return ids[0]

    def find(self, folded: Folded) -> Iterator[Hit]:
        """Every name occurrence whose boundaries are word boundaries, allowing Arabic proclitics before it."""
        text = folded.text
        length = len(text)
        for end_index, (key, ids, variant) in self.automaton.iter(text):
            end = end_index + 1
            start = end - len(key)
            if end < length and text[end].isalnum():
                continue
            if not left_boundary_ok(text, start, key, variant):
                continue
            yield Hit(start, end, key, ids)


def left_boundary_ok(text: str, start: int, key: str, variant: str | None = None) -> bool:
    """Whether `key` found at `start` begins a word, or follows only Arabic proclitics that may precede it."""
    if start == 0 or not text[start - 1].isalnum():
        return variant is None
    if not is_arabic_letter(key[0]):
        return False
    word_start = start
    while word_start > 0 and text[word_start - 1].isalnum() and start - word_start < 3:
        word_start -= 1
    if word_start > 0 and text[word_start - 1].isalnum():
        return False
    prefix = text[word_start:start]
    if variant == LAM_VARIANT:
        return prefix in {"ل", "ول", "فل"}
    if len(key.replace(" ", "")) < 3:
        return False
    allowed = CLITICS_BEFORE_ARTICLE if key.startswith(ARTICLE) else CLITICS
    return prefix in allowed


def is_arabic_letter(char: str) -> bool:
    """Whether a character of folded text is an Arabic letter."""
    return "\u0621" <= char <= "\u064a"


@functools.cache
def load(path: Path = GAZETTEER_PATH) -> Gazetteer:
    """The gazetteer from its data file, with its automaton built (once per process)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    names = {key: tuple(ids) for key, ids in data["names"].items()}
    automaton = ahocorasick.Automaton()
    for key, ids in names.items():
        automaton.add_word(key, (key, ids, None))
        if key.startswith(ARTICLE) and len(key) > 3:
            contracted = "ل" + key[len(ARTICLE) :]
            if contracted not in names:
                automaton.add_word(contracted, (contracted, ids, LAM_VARIANT))
    automaton.make_automaton()
    return Gazetteer(
        entities={entity_id: (value[0], value[1]) for entity_id, value in data["entities"].items()},
        names=names,
        title_aliases=data["title_aliases"],
        nationalities=data["nationalities"],
        first_names={lang: frozenset(words) for lang, words in data["first_names"].items()},
        common={lang: frozenset(words) for lang, words in data["common"].items()},
        known_words={lang: frozenset(words) for lang, words in data["known_words"].items()},
        frequent_ar=tuple(data["known_words"]["ar"]),
        cues={entity_id: tuple(cues) for entity_id, cues in data["cues"].items()},
        automaton=automaton,
    )

"""The entities transform: a normalized record plus its PER/ORG/LOC/DATE mentions (pure, no I/O)."""

from __future__ import annotations

import bisect
import functools
import os
import re
from collections.abc import Iterable, Sequence
from typing import Any

from agents.entities.arabic import CONNECTORS, EVENT_WORDS, ArabicRules
from agents.entities.backend import ModelBackend, from_spec
from agents.entities.dates import find_dates
from agents.entities.english import EnglishRules
from agents.entities.gazetteer import Gazetteer, Hit, is_arabic_letter, left_boundary_ok, load
from agents.entities.keys import Folded, fold
from agents.entities.mentions import Mention, resolve_overlaps
from pipeline.records import Record

BACKEND_ENV = "NEWSFLOW_ENTITIES_BACKEND"
MIN_SURNAME_CHARS = 3


@functools.cache
def _rules() -> tuple[Gazetteer, ArabicRules, EnglishRules]:
    gazetteer = load()
    return gazetteer, ArabicRules(gazetteer), EnglishRules(gazetteer)


@functools.cache
def _backend() -> ModelBackend | None:
    """The model backend named by NEWSFLOW_ENTITIES_BACKEND (`spacy:<model>`), or none (the default)."""
    spec = os.environ.get(BACKEND_ENV, "").strip()
    return from_spec(spec) if spec else None


def extract_entities(record: Record) -> Record:
    """A new record: `record` unchanged plus `entities`, sorted by start, with offsets into `record["text"]`."""
    entities = find_entities(record["text"], record.get("blocks") or [], record.get("language"))
    return {**record, "entities": entities}


def find_entities(text: str, blocks: Sequence[Record] = (), language: str | None = None) -> list[Record]:
    """Entity dicts for `text`; `blocks` (kind, lang, start, end) give the language of digit-only mentions."""
    gazetteer, arabic, english = _rules()
    folded = fold(text)
    hits = list(gazetteer.find(folded))
    mentions = [_from_hit(gazetteer, folded, hit) for hit in hits if not _adjective_or_event(gazetteer, folded, hit)]
    mentions += arabic.find(folded, hits)
    mentions += english.find(folded)
    mentions += find_dates(folded)
    backend = _backend()
    if backend is not None:
        mentions += backend.find(text)
    resolved = resolve_overlaps(mentions)
    surnames = list(_surname_mentions(gazetteer, folded, resolved))
    if surnames:
        resolved = resolve_overlaps(resolved + surnames)
    languages = _LanguageAt(blocks, language)
    for mention in resolved:
        mention.lang = languages.of(text, mention)
    return [mention.as_entity(text) for mention in resolved]


_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_PREVIOUS_WORD = re.compile(r"([\u0621-\u064a]+)[ ]$")


def _adjective_or_event(gazetteer: Gazetteer, folded: Folded, hit: Hit) -> bool:
    """Whether an Arabic place name is here an adjective (`الهيئة السعودية`) or part of an event's name
    (`دوري أبطال أفريقيا`)."""
    if not hit.key or not is_arabic_letter(hit.key[0]):
        return False
    previous = _PREVIOUS_WORD.search(folded.text, max(0, hit.start - 30), hit.start)
    if previous is None:
        return False
    word = previous.group(1)
    if word in EVENT_WORDS:
        return True
    if hit.key in gazetteer.nationalities and gazetteer.type_of(hit.ids[0]) == "LOC":
        return word.startswith("ال") or word.endswith("ه")
    return False


def _from_hit(gazetteer: Gazetteer, folded: Folded, hit: Hit) -> Mention:
    entity_id = gazetteer.choose(hit.ids, folded.text)
    type_ = gazetteer.type_of(entity_id)
    words = hit.key.count(" ") + 1
    return Mention(
        folded.start(hit.start),
        folded.end(hit.end),
        type_,
        gazetteer.canonical(entity_id),
        entity_id,
        "",
        0.95 if words > 1 or type_ != "LOC" else 0.9,
        "gazetteer",
        priority=2,
    )


def _surname_mentions(
    gazetteer: Gazetteer, folded: Folded, mentions: Iterable[Mention]
) -> Iterable[Mention]:
    """Later (or earlier) mentions of a person by surname alone, linked to the full name's canonical and id.
    A surname that is also a frequent word counts only for a person the lists know."""
    text = folded.text
    common_ar, common_en = gazetteer.common.get("ar", frozenset()), gazetteer.common.get("en", frozenset())
    surnames: dict[str, Mention] = {}
    for mention in mentions:
        if mention.type != "PER":
            continue
        words = _folded_span(folded, mention).split()
        if len(words) < 2 or words[-1] in CONNECTORS or len(words[-1]) < MIN_SURNAME_CHARS:
            continue
        if mention.id is None and (words[-1] in common_ar or words[-1].lower() in common_en):
            continue
        surnames.setdefault(words[-1], mention)
    for surname, person in surnames.items():
        position = text.find(surname)
        while position >= 0:
            end = position + len(surname)
            if (end == len(text) or not text[end].isalnum()) and left_boundary_ok(text, position, surname):
                yield Mention(
                    folded.start(position),
                    folded.end(end),
                    "PER",
                    person.canonical,
                    person.id,
                    "",
                    min(person.confidence, 0.8),
                    "coreference",
                    priority=3,  # a surname beats a same-length place name (`Ueda` the governor, not the city)
                )
            position = text.find(surname, end)


def _folded_span(folded: Folded, mention: Mention) -> str:
    """The folded text of a mention (offsets in the original text mapped back to folded ones)."""
    if folded.origin is None:
        return folded.text[mention.start : mention.end]
    start = bisect.bisect_left(folded.origin, mention.start)
    end = bisect.bisect_left(folded.origin, mention.end)
    return folded.text[start:end]


class _LanguageAt:
    """The language of a mention: its script, else the block it is in, else the article's."""

    def __init__(self, blocks: Sequence[Record], language: str | None) -> None:
        kept = sorted(
            (block["start"], block["end"], block.get("lang"))
            for block in blocks
            if not block.get("dropped") and block.get("start") is not None
        )
        self._starts = [start for start, _, _ in kept]
        self._blocks = kept
        self._default = language or "und"

    def of(self, text: str, mention: Mention) -> str:
        if _ARABIC_SCRIPT.search(text, mention.start, mention.end):
            return "ar"
        if _LATIN_LETTER.search(text, mention.start, mention.end):
            return "en"
        index = bisect.bisect_right(self._starts, mention.start) - 1
        if index >= 0:
            lang: Any = self._blocks[index][2]
            if lang:
                return str(lang)
        return self._default

"""Article metadata from clean text: word count, reading time, exact and near-duplicate fingerprints."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import cache

import numpy as np

from agents.normalize.keys import match_key

# A token of punctuation only (" - ", " : "), found after a space (the text gets one in front).
_NO_WORD_TOKEN = re.compile(r" [^\w\s]+(?=\s|$)")
# Silent reading speed in words per minute (IReST, Trauzettel-Klosinski et al. 2012); others use the mean.
WORDS_PER_MINUTE = {"ar": 138, "en": 228, "fr": 195, "de": 179, "es": 218, "fa": 150, "ur": 150, "tr": 166}
DEFAULT_WORDS_PER_MINUTE = 184
SHINGLE = 5  # characters per shingle of the key text
# Long texts keep one shingle in four (chosen by hash, so the same ones in every text): same result, faster.
SAMPLE_ABOVE = 256
SAMPLE_MASK = 3
_MULTIPLIER = np.uint64(0x100000001B3)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)


def word_count(text: str) -> int:
    """Words in `text`: space-separated tokens with at least one letter or digit."""
    return len(text.split()) - len(_NO_WORD_TOKEN.findall(" " + text))


def reading_seconds(words_by_language: dict[str | None, int]) -> int:
    """Seconds to read so many words in each language at typical silent reading speeds."""
    minutes = sum(
        words / WORDS_PER_MINUTE.get(language or "", DEFAULT_WORDS_PER_MINUTE)
        for language, words in words_by_language.items()
    )
    return round(minutes * 60)


def content_hash(text: str) -> str:
    """SHA-256 hex of the clean text: equal for exact duplicates."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def simhash(text: str) -> str:
    """64-bit SimHash (16 hex digits) over character 5-grams of the folded letters and digits (spaces and
    punctuation dropped): near-duplicate texts differ in few bits."""
    # UTF-16 units index the BMP table directly; surrogate halves map to 0 and drop out with punctuation
    points = _key_table()[np.frombuffer(text.encode("utf-16-le"), dtype=np.uint16)]
    points = points[points != 0].astype(np.uint64)
    if len(points) < SHINGLE:
        points = np.pad(points, (0, SHINGLE - len(points)))
    count = len(points) - SHINGLE + 1
    hashes = np.zeros(count, dtype=np.uint64)
    for offset in range(SHINGLE):
        hashes = hashes * _MULTIPLIER + points[offset : offset + count]
    hashes = _mix(hashes)
    if count >= SAMPLE_ABOVE:
        hashes = hashes[(hashes & np.uint64(SAMPLE_MASK)) == 0]  # the same shingles are kept in every text
    bits = np.unpackbits(hashes.view(np.uint8)).reshape(-1, 64).astype(np.float32)
    majority = np.ones(len(bits), dtype=np.float32) @ bits * 2 > len(bits)
    return bytes(np.packbits(majority)).hex()


@cache
def _key_table() -> np.ndarray:
    """Each BMP code point's match key, 0 for characters that are not letters or digits (and surrogates)."""
    table = np.zeros(0x10000, dtype=np.uint32)
    for point in range(0x10000):
        char = chr(point)
        if unicodedata.category(char)[0] in "LN":
            table[point] = ord(match_key(char))
    return table


def _mix(values: np.ndarray) -> np.ndarray:
    """SplitMix64's finalizer: spreads every input bit over all 64 output bits."""
    values = (values ^ (values >> np.uint64(30))) * _MIX_1
    values = (values ^ (values >> np.uint64(27))) * _MIX_2
    mixed: np.ndarray = values ^ (values >> np.uint64(31))
    return mixed


def hamming(first: str, second: str) -> int:
    """Bits that differ between two SimHashes; a few (<= 10) means near-duplicate text."""
    return (int(first, 16) ^ int(second, 16)).bit_count()

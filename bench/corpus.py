"""A deterministic benchmark corpus: >= 1,000 varied Arabic, English and mixed raw articles built from fixtures."""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import orjson

from pipeline.records import Record, raw_record

ROOT = Path(__file__).resolve().parents[1]
SOURCES = (ROOT / "tests" / "data", ROOT / "seeds", ROOT / "tests" / "unit" / "fixtures" / "normalize")
DEFAULT_SIZE = 1200
DEFAULT_SEED = 20261129

TASHKEEL = "\u064e\u064f\u0650\u0651\u0652\u064b"
INVISIBLES = ("\u200b", "\u200f", "\u200e", "\u202b", "\u202c", "\u2066", "\u2069", "\u00ad")
ARTEFACTS = (
    "undefined",
    "null",
    "NaN",
    "Advertisement",
    "Share this article",
    "Read more:",
    "اقرأ أيضاً",
    "شارك",
    "<div class='ad'></div>",
    "&nbsp;",
)
PRESENTATION_FORMS = {"لا": "ﻻ", "الله": "ﷲ", "ب": "ﺑ", "ي": "ﻳ"}


def load_articles(sources: tuple[Path, ...] = SOURCES) -> list[str]:
    """Every .txt article under the source folders (the dev set, the seeds, the normalize fixtures)."""
    articles = []
    for folder in sources:
        for path in sorted(folder.glob("*.txt")):
            text = path.read_text(encoding="utf-8", errors="replace").strip()
            if text:
                articles.append(text)
    if not articles:
        raise SystemExit(f"no articles found under {', '.join(str(folder) for folder in sources)}")
    return articles


def is_arabic(text: str) -> bool:
    """Whether an article is mostly in Arabic script (by its first 400 characters)."""
    return sum("\u0600" <= char <= "\u06ff" for char in text[:400]) > 40


def build(size: int = DEFAULT_SIZE, seed: int = DEFAULT_SEED) -> list[Record]:
    """`size` raw records, the same for the same seed: fixtures recombined and dirtied the ways scrapers do."""
    rng = random.Random(seed)
    articles = load_articles()
    paragraphs: dict[bool, list[str]] = {True: [], False: []}
    for article in articles:
        for paragraph in article.split("\n\n")[1:]:
            if len(paragraph) > 80:
                paragraphs[is_arabic(paragraph)].append(paragraph)
    corpus = []
    for index in range(size):
        base = articles[index % len(articles)] if index < len(articles) else rng.choice(articles)
        text = _vary(base, rng, paragraphs) if index >= len(articles) else base
        corpus.append(raw_record(text, source=f"bench:{index}", url=f"https://bench.invalid/{seed}/{index}"))
    return corpus


def _vary(article: str, rng: random.Random, paragraphs: dict[bool, list[str]]) -> str:
    """A new article from an old one: body reshuffled and extended, then dirtied at random."""
    title, _, body = article.partition("\n")
    blocks = [block for block in body.split("\n\n") if block.strip()]
    rng.shuffle(blocks)
    arabic = is_arabic(article)
    for _ in range(rng.randrange(0, 4)):
        pool = paragraphs[arabic] or paragraphs[not arabic]
        blocks.insert(rng.randrange(len(blocks) + 1), rng.choice(pool))
    if rng.random() < 0.3 and paragraphs[not arabic]:  # a caption in the other language under the headline
        blocks.insert(0, rng.choice(paragraphs[not arabic]).split(". ")[0])
    for _ in range(rng.randrange(0, 3)):
        blocks.insert(rng.randrange(len(blocks) + 1), rng.choice(ARTEFACTS))
    text = title + "\n\n" + "\n\n".join(blocks)
    return _dirty(text, rng) if rng.random() < 0.7 else text


def _dirty(text: str, rng: random.Random) -> str:
    """Scraper noise: diacritics, tatweel, Arabic-Indic digits, presentation forms, invisibles, HTML, CRLF, BOM."""
    words = text.split(" ")
    for index in rng.sample(range(len(words)), k=min(len(words), rng.randrange(0, 40))):
        word = words[index]
        choice = rng.random()
        if choice < 0.35 and any("\u0621" <= char <= "\u064a" for char in word):
            words[index] = "".join(char + rng.choice(TASHKEEL) if rng.random() < 0.4 else char for char in word)
        elif choice < 0.5 and len(word) > 3:
            words[index] = word[:2] + "\u0640" * rng.randrange(1, 4) + word[2:]
        elif choice < 0.65:
            words[index] = word + rng.choice(INVISIBLES)
        elif choice < 0.75:
            words[index] = f"<b>{word}</b>" if rng.random() < 0.5 else word + "&nbsp;"
        elif choice < 0.85:
            words[index] = word.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
        elif choice < 0.9:
            for plain, form in PRESENTATION_FORMS.items():
                words[index] = words[index].replace(plain, form)
        else:
            words[index] = word + "\u00a0"
    text = " ".join(words)
    if rng.random() < 0.3:
        text = text.replace("\n", "\r\n")
    if rng.random() < 0.1:
        text = "\ufeff" + text
    return text


def main(argv: list[str] | None = None) -> int:
    """Write the corpus as JSON lines (one articles.raw record per line)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, help="file to write (default: stdout)")
    args = parser.parse_args(argv)
    lines = b"".join(orjson.dumps(record) + b"\n" for record in build(args.size, args.seed))
    if args.out:
        args.out.write_bytes(lines)
    else:
        sys.stdout.buffer.write(lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Article pages to text: decoding under wrong or missing charsets, trafilatura's main text, captions kept."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

import charset_normalizer
import lxml.html
import trafilatura
from lxml import etree

from pipeline.ingest.articles import two_letter

META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE)
HTML_LANG = re.compile(r"<html[^>]*\slang\s*=\s*[\"']?([A-Za-z_-]+)", re.IGNORECASE)
SPACES = re.compile(r"\s+")
CAPTION_XPATH = (
    "//figcaption"
    " | //*[@itemprop='caption']"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' caption ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' wp-caption-text ')]"
)
OUTSIDE_ARTICLE = frozenset({"nav", "footer", "header", "aside", "script", "style", "noscript"})
MAX_CAPTION_CHARS = 1000


class NoArticle(ValueError):
    """A page from which no article text could be extracted."""


@dataclass(frozen=True)
class Decoded:
    """A document's text and how it was decoded (`replaced`: undecodable bytes became U+FFFD)."""

    text: str
    encoding: str
    replaced: bool = False


@dataclass(frozen=True)
class Article:
    """What a page holds: main text paragraphs, captions apart, and metadata (any of which may be missing)."""

    title: str | None
    paragraphs: list[str]
    captions: list[str] = field(default_factory=list)
    author: str | None = None
    date: str | None = None
    language: str | None = None
    canonical_url: str | None = None

    def raw(self, title: str | None = None) -> str:
        """The article as one text: title, captions, paragraphs, separated by blank lines (the seeds' layout)."""
        heading = title or self.title
        return "\n\n".join([*([heading] if heading else []), *self.captions, *self.paragraphs])


def _known(encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        return codecs.lookup(encoding.strip().strip("\"'")).name
    except LookupError:
        return None


def decode(body: bytes, declared: str | None = None) -> Decoded:
    """Bytes of an HTML page as text.

    Order: a byte-order mark; valid UTF-8 (pages often declare Latin-1 or Windows-1252 while sending UTF-8,
    and legacy text almost never forms valid UTF-8 by chance); the charset declared in the HTTP header,
    then in a <meta> tag, if it decodes cleanly; charset-normalizer's guess; finally UTF-8 with replacements."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return Decoded(body.decode(encoding, errors="replace").lstrip("\ufeff"), encoding)
    try:
        return Decoded(body.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    meta = META_CHARSET.search(body[:4096])
    candidates = [_known(declared), _known(meta.group(1).decode("ascii") if meta else None)]
    for candidate in candidates:
        if candidate and candidate != "utf-8":
            try:
                return Decoded(body.decode(candidate), candidate)
            except UnicodeDecodeError:
                continue
    guess = charset_normalizer.from_bytes(body).best()
    if guess is not None:
        return Decoded(str(guess), guess.encoding)
    return Decoded(body.decode("utf-8", errors="replace"), "utf-8", replaced=True)


def _collapse(text: str) -> str:
    return SPACES.sub(" ", text).strip()


def captions_of(html: str) -> list[str]:
    """Figure captions, in document order, without duplicates; trafilatura drops these from the main text."""
    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    captions: list[str] = []
    for element in tree.xpath(CAPTION_XPATH):
        if any(ancestor.tag in OUTSIDE_ARTICLE for ancestor in element.iterancestors()):
            continue
        text = _collapse(" ".join(element.itertext()))
        if text and len(text) <= MAX_CAPTION_CHARS and text not in captions:
            captions.append(text)
    # A caption container (class "caption") may hold a <figcaption>: keep the innermost text only once.
    return [text for text in captions if not any(text != other and text in other for other in captions)]


def paragraphs_of_fragment(html: str) -> list[str]:
    """The paragraphs of an HTML fragment, such as a feed entry's content or summary (plain text passes)."""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return [_collapse(html)] if html.strip() else []
    for element in root.iter("script", "style"):
        element.drop_tree()
    for element in root.iter("br"):
        element.tail = "\n" + (element.tail or "")
    blocks = root.xpath(".//p | .//h1 | .//h2 | .//h3 | .//h4 | .//li | .//blockquote | .//figcaption")
    texts = [" ".join(block.itertext()) for block in blocks] or ["\n".join(root.itertext())]
    paragraphs: list[str] = []
    for text in texts:
        for line in text.split("\n"):
            collapsed = _collapse(line)
            if collapsed and collapsed not in paragraphs:
                paragraphs.append(collapsed)
    return paragraphs


def page_language(html: str) -> str | None:
    """The two-letter language of `<html lang>`, lowercased, if it names one."""
    match = HTML_LANG.search(html[:4096])
    return two_letter(match.group(1)) if match else None


def extract(html: str, url: str | None, min_chars: int) -> Article:
    """The article in a page: main text (trafilatura), captions (apart), title, author, date, language.

    Raises NoArticle when the main text is shorter than `min_chars` characters."""
    document = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False, deduplicate=False
    )
    text = getattr(document, "text", None) or ""
    title = _collapse(getattr(document, "title", None) or "") or None
    lines = [_collapse(line) for line in text.splitlines()]
    paragraphs = [line for line in lines if line]
    if paragraphs and title and paragraphs[0] == title:
        paragraphs = paragraphs[1:]  # the page's <h1> repeats the title
    body_chars = sum(len(paragraph) for paragraph in paragraphs)
    if body_chars < min_chars:
        found = f"{body_chars} characters of main text" if body_chars else "no main text"
        raise NoArticle(f"no article found ({found}; at least {min_chars} expected)")
    captions = [caption for caption in captions_of(html) if caption not in paragraphs and caption != title]
    language = page_language(html)
    return Article(
        title=title,
        paragraphs=paragraphs,
        captions=captions,
        author=_collapse(getattr(document, "author", None) or "") or None,
        date=getattr(document, "date", None) or None,
        language=language,
        canonical_url=getattr(document, "url", None) or None,
    )

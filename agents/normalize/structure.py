"""Which unit is what: artefacts, title, captions, credits, datelines, subheadings; languages per unit."""

from __future__ import annotations

from collections import defaultdict

from agents.normalize import classify, langid
from agents.normalize.clean import has_markup
from agents.normalize.keys import match_key, term_key
from agents.normalize.segment import Unit

TITLE_MAX_CHARS = 250
TITLE_MAX_WORDS = 40
CAPTION_MAX_CHARS = 500
# Units with fewer letters do not vote on the article's language while longer ones exist.
VOTING_MIN_LETTERS = 20


def mark_artefacts(units: list[Unit], raw: str) -> None:
    """Drop scraping debris: placeholders, markup-only lines, boilerplate, symbol lines, repeated lines."""
    previous = None
    for unit in units:
        if not unit.text:
            source = raw[unit.piece.raw_start : unit.piece.raw_end]
            unit.drop("markup" if has_markup(source) else "invisible")
        elif reason := classify.artefact_reason(unit.text):
            source = raw[unit.piece.raw_start : unit.piece.raw_end]
            unit.drop("markup" if reason == "no_text" and has_markup(source) else reason)
        elif unit.text == previous:
            unit.drop("duplicate")
        else:
            previous = unit.text


def count_letters(units: list[Unit]) -> None:
    """Each unit's letters by script."""
    for unit in units:
        unit.letters = langid.count_letters(unit.text)


def identify_languages(units: list[Unit]) -> None:
    """Each unit's language: one model call per script over that script's longest units (so short units
    take the language of the longer text around them), one per unit for scripts other than Arabic and Latin."""
    groups: dict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        script = unit.letters.script
        if script is not None:
            groups[script].append(unit)
    for script, members in groups.items():
        if script == langid.OTHER:
            for unit in members:
                unit.lang = langid.identify(unit.text, script)
            continue
        language = langid.identify(langid.sample([unit.text for unit in members]), script)
        for unit in members:
            unit.lang = language


def mark_title(units: list[Unit], hint: str | None) -> Unit | None:
    """The title: the unit matching the record's title hint, else the first short line before the body."""
    if hint and (hint_key := term_key(hint)):
        for unit in units[:3]:
            if match_key(unit.text) == hint_key:
                unit.kind = "title"
                return unit
    for unit in units[:3]:
        if _is_furniture(unit.text):
            continue
        if unit is not units[-1] and len(unit.text) <= TITLE_MAX_CHARS and unit.text.count(" ") < TITLE_MAX_WORDS:
            unit.kind = "title"
            return unit
        return None
    return None


def _is_furniture(text: str) -> bool:
    return classify.is_date_line(text) or classify.is_standalone_dateline(text) or classify.is_credit(text)


def mark_furniture(units: list[Unit], title: Unit | None) -> None:
    """Datelines, credits and captions recognised by their own wording or by where they stand."""
    for unit in units:
        if unit.kind != "paragraph":
            continue
        if classify.is_date_line(unit.text) or classify.is_standalone_dateline(unit.text):
            unit.kind = "dateline"
        elif classify.is_credit(unit.text):
            unit.kind = "credit"
        elif classify.is_caption_marked(unit.text):
            unit.kind = "caption"
    if title is not None:
        index = units.index(title)
        after = units[index + 1 : index + 3]
        # a line in another script between the headline and the body is the lead photo's caption
        if after and after[0].kind == "paragraph" and len(after[0].text) <= CAPTION_MAX_CHARS:
            script = after[0].letters.script
            if script not in (None, title.letters.script) and (len(after) < 2 or after[1].letters.script != script):
                after[0].kind = "caption"


def article_languages(units: list[Unit]) -> tuple[str | None, list[str]]:
    """The primary language (most letters among body paragraphs) and every language present, primary first."""
    body = [unit for unit in units if unit.kind == "paragraph" and unit.lang]
    if any(unit.letters.total >= VOTING_MIN_LETTERS for unit in body):
        body = [unit for unit in body if unit.letters.total >= VOTING_MIN_LETTERS]
    if not body:
        body = [unit for unit in units if unit.lang]
    votes: dict[str, int] = defaultdict(int)
    for unit in body:
        votes[unit.lang or ""] += unit.letters.total
    present: dict[str, int] = defaultdict(int)
    for unit in units:
        if unit.lang:
            present[unit.lang] += unit.letters.total
    if not votes:
        return None, []
    primary = max(votes, key=lambda language: votes[language])
    others = sorted((language for language in present if language != primary), key=lambda lang: -present[lang])
    return primary, [primary, *others]


def mark_body_roles(units: list[Unit], primary: str | None) -> None:
    """Captions left in the body (a foreign-language line between paragraphs) and subheadings."""
    body_started = False
    for index, unit in enumerate(units):
        if unit.kind != "paragraph":
            continue
        before = units[index - 1] if index > 0 else None
        after = units[index + 1] if index + 1 < len(units) else None
        if (
            unit.lang not in (None, primary)
            and len(unit.text) <= CAPTION_MAX_CHARS
            and not classify.ends_sentence(unit.text)
            and (before is None or before.lang == primary)
            and (after is None or after.lang == primary)
        ):
            unit.kind = "caption"
        elif (
            body_started
            and after is not None
            and after.kind == "paragraph"
            and len(after.text) > len(unit.text)
            and classify.looks_like_heading(unit.text)
        ):
            unit.kind = "subheading"
        else:
            body_started = True


def split_dateline(units: list[Unit]) -> list[Unit]:
    """The wire dateline that opens the first paragraph (`CAIRO (Reuters) -`) as a unit of its own."""
    for index, unit in enumerate(units):
        if unit.kind == "paragraph":
            end = classify.dateline_end(unit.text)
            if end is None:
                return units
            dateline = Unit(unit.piece.slice(0, end).strip(), unit.blank_before, "dateline", lang=unit.lang)
            dateline.letters = langid.count_letters(dateline.text)
            unit.piece = unit.piece.slice(end, len(unit.text)).strip()
            unit.blank_before = False
            return [*units[:index], dateline, *units[index:]]
    return units

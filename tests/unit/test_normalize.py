"""The normalize transform: structure, cleaning, languages, metadata, offsets and bad input."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from agents.normalize import match_key, normalize, raw_span, term_key, to_raw
from agents.normalize.clean import clean_line
from agents.normalize.fingerprint import hamming
from agents.stage import Rejected
from pipeline.records import Record, raw_record
from schemas import validator

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_04200ad211698d94.txt"
FIXTURES = Path(__file__).parent / "fixtures" / "normalize"
DEV_SET = sorted(path for path in (ROOT / "tests" / "data").glob("*.txt") if path.name[:3] in ("ar_", "en_"))


def record(raw: str, **fields: Any) -> Record:
    return raw_record(raw, source="test", **fields)


def fixture(name: str) -> str:
    """A fixture decoded the way the producer decodes files: UTF-8, undecodable bytes replaced."""
    return (FIXTURES / name).read_bytes().decode("utf-8", errors="replace")


def kept(result: Record) -> list[dict[str, Any]]:
    return [block for block in result["blocks"] if not block["dropped"]]


def assert_consistent(result: Record) -> None:
    """The invariants every normalized record keeps."""
    text, raw = result["text"], result["raw"]
    assert text == "\n\n".join(block["text"] for block in kept(result))
    for block in result["blocks"]:
        assert 0 <= block["raw_start"] <= block["raw_end"] <= len(raw)
        if block["dropped"]:
            assert block["start"] is None and block["end"] is None and block["reason"]
        else:
            assert text[block["start"] : block["end"]] == block["text"]
            start, end = raw_span(result["offset_map"], block["start"], block["end"])
            assert block["raw_start"] <= start <= end <= block["raw_end"]
    validator("articles.normalized")({**result, "provenance": [*result["provenance"]]})


# --- the seed: exactly the blocks an editor would mark ---------------------------------------------------

SEED_PARAGRAPH_OPENINGS = [
    "اتفقت روسيا واليابان",
    "وفي ختام لقاء مشترك",
    "من جانبه اعتبر وزير",
    "وأوضح لافروف أن بلاده",
    "واتفق الطرفان على إقامة",
]
SEED_BODY_AFTER_SUBHEADING = ["ولم يشر أي من", "وأبدت روسيا قلقها", "وتتنازع اليابان", "وحال النزاع", "وتعتبر طوكيو"]


def test_seed_normalizes_to_the_blocks_an_editor_would_mark() -> None:
    result = normalize(record(SEED.read_text(encoding="utf-8")))

    shape = [(block["kind"], block["lang"], block["dropped"], block["reason"]) for block in result["blocks"]]
    assert shape == [
        ("title", "ar", False, None),
        ("caption", "en", False, None),
        ("artefact", None, True, "placeholder"),
        *[("paragraph", "ar", False, None)] * 5,
        ("subheading", "ar", False, None),
        *[("paragraph", "ar", False, None)] * 5,
        ("credit", "ar", False, None),
    ]
    blocks = result["blocks"]
    assert blocks[0]["text"] == "روسيا واليابان تعززان تعاونهما الأمني"  # shadda removed
    assert blocks[1]["text"].startswith("Russia's Foreign Minister Sergey Lavrov (2nd L)")
    assert blocks[1]["text"].endswith("in Tokyo on November 2, 2013")
    assert blocks[2]["text"] == "undefined"
    openings = [block["text"] for block in blocks if block["kind"] == "paragraph"]
    expected = SEED_PARAGRAPH_OPENINGS + SEED_BODY_AFTER_SUBHEADING
    assert [text[: len(opening)] for text, opening in zip(openings, expected, strict=True)] == expected
    assert blocks[8]["text"] == "الصين وأميركا"
    assert blocks[-1]["text"] == "المصدر : وكالات"
    assert result["title"] == blocks[0]["text"]
    assert result["language"] == "ar"
    assert result["languages"] == ["ar", "en"]
    assert result["flags"] == []
    assert "undefined" not in result["text"]
    assert "\u00a0" not in result["text"] and "  " not in result["text"]
    assert_consistent(result)


def test_seed_keeps_the_letters_people_read() -> None:
    text = normalize(record(SEED.read_text(encoding="utf-8")))["text"]
    # alef maksura, hamza forms and ta marbuta stay as written; folding is for match keys only
    for word in ("فى", "السوفيتى", "إجراء", "أميركي", "الإلكتروني", "الكوريل", "مشاركة"):
        assert word in text


def test_normalize_returns_a_new_record_and_leaves_the_input_alone() -> None:
    original = record(SEED.read_text(encoding="utf-8"), meta={"feed": "seed"})
    before = copy.deepcopy(original)
    result = normalize(original)
    assert original == before
    assert result is not original
    for field, value in before.items():
        if field != "title":
            assert result[field] == value


# --- Unicode cleaning, case by case ----------------------------------------------------------------------

CLEANING_CASES = [
    ("tashkeel", "كَتَبَ الطَّالِبُ الدَّرْسَ", "كتب الطالب الدرس"),
    ("tanwin and dagger alef", "شكرًا هٰذا", "شكرا هذا"),
    ("tatweel", "الـــعـــربـــيـــة جـميـلة", "العربية جميلة"),
    ("presentation forms", "ﺍﻟﻌﺮﺑﻴﺔ ﻻ ﷲ", "العربية لا الله"),
    ("bidi controls", "\u202bمرحبا\u202c \u200fعالم\u200e \u2067x\u2069", "مرحبا عالم x"),
    ("zero width", "foo\u200bbar\u200c\u200d baz\u2060", "foobar baz"),
    ("arabic-indic digits", "عام ٢٠٢٤ بنسبة ٣٫٥٪", "عام 2024 بنسبة 3.5%"),
    ("persian digits", "سال ۱۴۰۳", "سال 1403"),
    ("nfc", "cafe\u0301 ا\u0654ن", "café أن"),
    ("html leftovers", "<p>Hello <b>world</b> &amp; friends<br/>again</p>", "Hello world & friends again"),
    ("html entities", "Tom &quot;Jr&quot; &#1575;&#1604; &nbsp; x", 'Tom "Jr" ال x'),
    ("spaces", "a\u00a0 b \t  c\u2003d", "a b c d"),
    ("bom and soft hyphen", "\ufeffinter\u00adnational", "international"),
    ("letters and punctuation kept", "إلى مدرسة على، لماذا؟ نعم؛ «لا»", "إلى مدرسة على، لماذا؟ نعم؛ «لا»"),
    ("less-than is not a tag", "a < b && c > d", "a < b && c > d"),
]


@pytest.mark.parametrize(("name", "raw", "expected"), CLEANING_CASES, ids=[case[0] for case in CLEANING_CASES])
def test_cleaning(name: str, raw: str, expected: str) -> None:
    piece = clean_line(raw, 0)
    assert piece.text == expected
    for offset, char in enumerate(piece.text):
        source = raw[piece.to_raw(offset)]
        if char in expected and char in raw and not char.isspace() and char not in "&\"'<>.%":
            assert source == char or source in "&<" or not source.isalnum() or char.isdigit()


@pytest.mark.parametrize(("name", "raw", "expected"), CLEANING_CASES, ids=[case[0] for case in CLEANING_CASES])
def test_cleaning_through_normalize(name: str, raw: str, expected: str) -> None:
    result = normalize(record(f"Headline\n\n{raw} and more text here."))
    assert f"{expected} and more text here." in result["text"]
    assert_consistent(result)


def test_unchanged_characters_map_back_to_themselves() -> None:
    raw = "\ufeffعنوان\u200f الخبر\r\n\r\nقال الوزير\u00a0إن الـحكومة   ستدعم ٣ مشاريع.\r\n"
    result = normalize(record(raw))
    text = result["text"]
    for offset, char in enumerate(text):
        if char not in " \n3":
            assert raw[to_raw(result["offset_map"], offset)] == char
    assert text == "عنوان الخبر\n\nقال الوزير إن الحكومة ستدعم 3 مشاريع."


def test_crlf_and_bom() -> None:
    raw = fixture("crlf_bom.bin")
    result = normalize(record(raw))
    assert "\r" not in result["text"] and "\ufeff" not in result["text"]
    assert [block["kind"] for block in result["blocks"]] == ["title", "paragraph", "paragraph"]
    for block in result["blocks"]:
        assert raw[block["raw_start"] : block["raw_end"]].replace("\ufeff", "") == block["text"]
    assert_consistent(result)


# --- structure -----------------------------------------------------------------------------------------------


def test_english_wire_story() -> None:
    result = normalize(record(fixture("en_wire_hard_wrapped.txt")))
    shape = [(block["kind"], block["reason"]) for block in result["blocks"]]
    assert shape == [
        ("title", None),
        ("credit", None),  # byline
        ("dateline", None),  # publication date line
        ("dateline", None),  # CAIRO (Reuters) -
        ("paragraph", None),
        ("paragraph", None),
        ("artefact", "boilerplate"),
        ("artefact", "boilerplate"),
        ("paragraph", None),
        ("artefact", "boilerplate"),  # Read more: ...
        ("credit", None),
    ]
    blocks = result["blocks"]
    assert blocks[3]["text"] == "CAIRO (Reuters) -"
    # hard-wrapped lines are one paragraph, the line break read as a space
    assert blocks[4]["text"].startswith(
        "Egypt's central bank raised its overnight interest rates by 600 basis points on"
    )
    assert blocks[4]["text"].endswith("International Monetary Fund.")
    assert result["language"] == "en" and result["languages"] == ["en"]
    assert_consistent(result)


def test_arabic_story_with_english_caption() -> None:
    result = normalize(record(fixture("ar_english_caption.txt")))
    assert [(block["kind"], block["lang"]) for block in result["blocks"]] == [
        ("title", "ar"),
        ("caption", "en"),
        ("paragraph", "ar"),
        ("paragraph", "ar"),
        ("credit", "ar"),
    ]
    assert "لمدة 3 أشهر" in result["text"] and "شخصا" in result["text"]
    assert result["language"] == "ar" and result["languages"] == ["ar", "en"]
    assert_consistent(result)


ARTEFACT_CASES = [
    ("undefined", "placeholder"),
    ("null", "placeholder"),
    ("NaN", "placeholder"),
    ("[object Object]", "placeholder"),
    ("<div class='ad'></div>", "markup"),
    ("&nbsp;", "markup"),
    ("\u200b\u200b", "invisible"),
    ("* * *", "no_text"),
    ("Share this article", "boilerplate"),
    ("Advertisement", "boilerplate"),
    ("اقرأ أيضاً", "boilerplate"),
    ("اقرأ أيضا: الحكومة تعلن خطة جديدة", "boilerplate"),
    ("شارك", "boilerplate"),
    ("تابعونا على تويتر", "boilerplate"),
]


@pytest.mark.parametrize(("line", "reason"), ARTEFACT_CASES, ids=[case[0] for case in ARTEFACT_CASES])
def test_artefacts_are_dropped_with_their_reason(line: str, reason: str) -> None:
    raw = f"عنوان الخبر هنا\n\nالفقرة الأولى من الخبر طويلة بما يكفي.\n{line}\nالفقرة الثانية من الخبر طويلة أيضا."
    result = normalize(record(raw))
    dropped = [block for block in result["blocks"] if block["dropped"]]
    assert [(block["kind"], block["reason"], block["text"]) for block in dropped] == [("artefact", reason, line)]
    assert line not in result["text"]
    assert_consistent(result)


def test_a_repeated_line_is_dropped_as_duplicate() -> None:
    raw = "Title of the story\n\nA caption line. (AP Photo/John Doe)\nA caption line. (AP Photo/John Doe)\n\nBody text."
    result = normalize(record(raw))
    assert [(block["kind"], block["reason"]) for block in result["blocks"]] == [
        ("title", None),
        ("caption", None),
        ("artefact", "duplicate"),
        ("paragraph", None),
    ]


def test_title_hint_picks_the_title() -> None:
    raw = "Breaking\n\nMarkets fall sharply on Monday\n\nStocks fell across Asia on Monday after weak data."
    result = normalize(record(raw, title="Markets fall sharply on Monday"))
    assert result["title"] == "Markets fall sharply on Monday"
    assert [block["kind"] for block in result["blocks"]] == ["paragraph", "title", "paragraph"]


def test_untitled_article_uses_the_hint_and_is_flagged() -> None:
    raw = "Stocks fell across Asia on Monday after weak data from China. " * 6
    result = normalize(record(raw, title="Asian stocks fall"))
    assert result["title"] == "Asian stocks fall"
    assert "untitled" in result["flags"]
    assert [block["kind"] for block in result["blocks"]] == ["paragraph"]


# --- languages -----------------------------------------------------------------------------------------------


def test_short_and_mixed_blocks_do_not_flip_the_article_language() -> None:
    raw = (
        "الحكومة تعلن خطة جديدة\n\n"
        "The Prime Minister speaks to reporters in the capital on Monday, March 4, 2024, after the cabinet meeting\n\n"
        "أعلنت الحكومة خطة لدعم شركة Microsoft وشركة Google في السوق المحلية.\n\n"
        "OK\n\n"
        "وقال الوزير إن الخطة ستبدأ الشهر المقبل.\n\n"
        "Source: Reuters"
    )
    result = normalize(record(raw))
    langs = {block["text"][:10]: block["lang"] for block in result["blocks"]}
    assert result["language"] == "ar"
    assert langs["أعلنت الحك"] == "ar"  # Arabic with English names is Arabic
    assert langs["The Prime "] == "en"
    assert result["languages"][0] == "ar" and set(result["languages"]) == {"ar", "en"}


def test_other_arabic_script_languages_are_told_apart() -> None:
    persian = "ایران و روسیه توافق کردند\n\nوزیر امور خارجه ایران گفت که دو کشور همکاری‌های اقتصادی خود را گسترش می‌دهند."
    result = normalize(record(persian))
    assert result["language"] == "fa"
    assert "همکاریهای" in result["text"]  # the zero-width non-joiner is removed like every invisible


@pytest.mark.skipif(not DEV_SET, reason="the dev set (tests/data/*.txt) is not there")
def test_language_of_every_dev_article_matches_its_file_prefix() -> None:
    wrong = []
    for path in DEV_SET:
        expected = path.name[:2]
        result = normalize(record(path.read_text(encoding="utf-8")))
        if result["language"] != expected:
            wrong.append(path.name)
    assert wrong == []


# --- metadata ------------------------------------------------------------------------------------------------


def test_metadata() -> None:
    result = normalize(record(fixture("crlf_bom.bin")))
    assert result["word_count"] == 3 + 9 + 6
    assert result["reading_time_s"] == round(18 / 228 * 60)
    assert len(result["content_hash"]) == 64 and len(result["simhash"]) == 16


def test_exact_duplicates_share_a_content_hash() -> None:
    first = normalize(record("Title\r\n\r\nSame body text.\r\n"))
    second = normalize(record("\ufeffTitle\n\nSame\u00a0body text.\n\n\n"))
    assert first["content_hash"] == second["content_hash"]


def test_near_duplicates_have_close_simhashes() -> None:
    story = SEED.read_text(encoding="utf-8")
    rewritten = story.replace("اليوم السبت", "أمس السبت").replace("المصدر : وكالات", "المصدر : رويترز")
    rewritten = "روسيا واليابان: تعاون أمني أوثق\n\n" + rewritten.split("\n", 1)[1]
    other = fixture("ar_english_caption.txt")
    base = normalize(record(story))["simhash"]
    assert hamming(base, normalize(record(rewritten))["simhash"]) <= 8
    assert hamming(base, normalize(record(other))["simhash"]) >= 16


# --- match keys ----------------------------------------------------------------------------------------------

MATCH_KEY_CASES = [
    ("أحمد إبراهيم آل", "احمد ابراهيم ال"),
    ("مصطفى على", "مصطفي علي"),
    ("القاهرة مدينة", "القاهره مدينه"),
    ("مسؤول رئيس", "مسوول رييس"),
    ("Café Zürich", "cafe zurich"),
    ("İstanbul", "istanbul"),
]


@pytest.mark.parametrize(("text", "key"), MATCH_KEY_CASES)
def test_match_key_folds_one_character_for_one(text: str, key: str) -> None:
    assert match_key(text) == key
    assert len(match_key(text)) == len(text)


def test_term_key_cleans_lexicon_terms_first() -> None:
    assert term_key("القَاهِرَة") == match_key("القاهرة") == "القاهره"
    assert term_key("ﺍﻟﻘﺎﻫﺮﺓ") == "القاهره"


# --- bad input -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["", "   \n\n\t", "undefined\nnull\n\n", "<div></div>\n<br>", "\u200b\ufeff"])
def test_nothing_left_after_cleaning_is_rejected_as_empty(raw: str) -> None:
    with pytest.raises(Rejected) as rejected:
        normalize(record(raw))
    assert rejected.value.reason == "empty"
    assert "no text left" in str(rejected.value)


def test_binary_junk_is_rejected() -> None:
    with pytest.raises(Rejected) as rejected:
        normalize(record(fixture("binary.bin")))
    assert rejected.value.reason == "rejected"
    assert "binary" in str(rejected.value)


def test_text_in_another_encoding_is_rejected_as_undecodable() -> None:
    raw = "عنوان الخبر\n\nقال الوزير إن الحكومة ستدعم المشاريع الصغيرة.".encode("cp1256").decode("utf-8", "replace")
    with pytest.raises(Rejected) as rejected:
        normalize(record(raw))
    assert rejected.value.reason == "decode"


def test_invalid_utf8_is_flagged_and_kept() -> None:
    result = normalize(record(fixture("invalid_utf8.bin"), meta={"decode_errors": True}))
    assert result["flags"] == ["invalid_utf8"]
    assert "Stocks rose 3\ufffd\ufffd percent" in result["text"]
    assert_consistent(result)


def test_decode_errors_in_meta_alone_set_the_flag() -> None:
    result = normalize(record("Title\n\nBody text here.", meta={"decode_errors": True}))
    assert "invalid_utf8" in result["flags"]


def test_over_the_cap_is_truncated_at_a_block_boundary() -> None:
    paragraphs = [f"Paragraph number {index} says something about the news of the day." for index in range(50)]
    raw = "A long story\n\n" + "\n\n".join(paragraphs)
    result = normalize(record(raw), max_chars=500)
    assert len(result["text"]) <= 500
    assert "truncated" in result["flags"]
    assert result["blocks"][-1]["text"] in paragraphs  # whole blocks only
    assert_consistent(result)
    assert "truncated" not in normalize(record(raw))["flags"]


def test_a_single_block_over_the_cap_is_cut_at_a_space() -> None:
    raw = "word " * 1000
    result = normalize(record(raw), max_chars=103)
    assert len(result["text"]) <= 103 and result["text"].endswith("word")
    assert result["flags"] == ["truncated", "untitled"]
    assert_consistent(result)

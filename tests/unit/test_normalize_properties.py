"""Properties of normalize on arbitrary input: it never crashes, and its offsets always lead back into raw."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents.normalize import match_key, normalize, raw_span, to_raw
from agents.normalize.clean import clean_line
from agents.stage import Rejected
from pipeline.records import Record, raw_record

# Characters normalization keeps as they are (no tashkeel, no digits to map, no markup openers)...
PLAIN = st.sampled_from(list("abcXYZ .,:-'\"()") + list("ابتثجحخدذرزسشصضطظعغفقكلمنهويىةأإآؤئء،؛؟"))
# ...and characters it removes or replaces: spacing, invisibles, tashkeel, tatweel, line breaks.
NOISE = st.sampled_from(
    ["\u00a0", "\t", "  ", "\u200b", "\u200f", "\u202b", "\ufeff", "\u0651", "\u064e", "\u0640", "\n", "\r\n", "\n\n"]
)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def normalized_or_none(raw: str) -> Record | None:
    try:
        return normalize(raw_record(raw, source="property"))
    except Rejected as rejected:
        assert rejected.reason in {"empty", "rejected", "decode"}
        return None


def assert_offsets_lead_into_raw(result: Record) -> None:
    raw, text, offset_map = result["raw"], result["text"], result["offset_map"]
    assert [anchor[0] for anchor in offset_map] == sorted({anchor[0] for anchor in offset_map})
    assert all(0 <= raw_offset <= len(raw) for _, raw_offset in offset_map)
    for block in result["blocks"]:
        assert 0 <= block["raw_start"] <= block["raw_end"] <= len(raw)
        if block["dropped"]:
            continue
        assert text[block["start"] : block["end"]] == block["text"]
        start, end = raw_span(offset_map, block["start"], block["end"])
        assert block["raw_start"] <= start <= end <= block["raw_end"]
        for offset in range(block["start"], block["end"]):
            assert 0 <= to_raw(offset_map, offset) < len(raw)


@SETTINGS
@given(st.text(max_size=400))
def test_normalize_never_raises_on_arbitrary_text(raw: str) -> None:
    result = normalized_or_none(raw)
    if result is not None:
        assert result["text"]
        assert_offsets_lead_into_raw(result)


@SETTINGS
@given(st.lists(st.one_of(PLAIN, PLAIN, PLAIN, NOISE), max_size=200).map("".join))
def test_unchanged_characters_map_to_the_same_raw_character(raw: str) -> None:
    result = normalized_or_none(raw)
    if result is None:
        return
    assert_offsets_lead_into_raw(result)
    text = result["text"]
    for block in result["blocks"]:
        if block["dropped"]:
            continue
        for offset in range(block["start"], block["end"]):
            if text[offset] != " ":
                assert raw[to_raw(result["offset_map"], offset)] == text[offset]


@SETTINGS
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=120))
def test_clean_line_spans_stay_inside_the_line(line: str) -> None:
    line = " ".join(line.split())  # a stripped line, as the segmenter passes it
    piece = clean_line(line, 7)
    assert piece.raw_start == 7 and piece.raw_end == 7 + len(line)
    for offset in range(len(piece.text) + 1):
        assert 7 <= piece.to_raw(offset) <= 7 + len(line)
    for start in range(len(piece.text)):
        low, high = raw_span(piece.anchors, start, len(piece.text))
        assert 7 <= low <= high <= 7 + len(line)


@SETTINGS
@given(st.text(max_size=200))
def test_match_key_keeps_the_length(text: str) -> None:
    assert len(match_key(text)) == len(text)


def test_a_line_ending_in_a_deleted_control_character_still_spans_the_whole_line() -> None:
    line = "\U00010f46 \x1b"  # an astral letter (the character-by-character path), a space, ESC (deleted)
    piece = clean_line(line, 7)
    assert (piece.text, piece.raw_start, piece.raw_end) == ("\U00010f46", 7, 7 + len(line))

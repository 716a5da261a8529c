"""Reading article files: formats, directories, bad items and bad paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.sources import InputProblem, expand_paths, read_articles


def test_a_txt_file_is_one_raw_article(seed_paths: list[Path]) -> None:
    [record] = read_articles(seed_paths)
    assert not isinstance(record, InputProblem)
    assert record["raw"] == seed_paths[0].read_text(encoding="utf-8")
    assert record["source"] == f"file:{seed_paths[0]}"


def test_reading_twice_gives_the_same_ids(seed_paths: list[Path]) -> None:
    first = [r["id"] for r in read_articles(seed_paths) if not isinstance(r, InputProblem)]
    second = [r["id"] for r in read_articles(seed_paths) if not isinstance(r, InputProblem)]
    assert first == second


def test_jsonl_reports_bad_lines_with_their_number(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(
        '{"url": "https://e.com/1", "text": "First"}\n\nnot json\n{"title": "no text"}\n[1]\n', encoding="utf-8"
    )
    items = list(read_articles([path]))
    assert [item["url"] for item in items if not isinstance(item, InputProblem)] == ["https://e.com/1"]
    problems = [item for item in items if isinstance(item, InputProblem)]
    assert [p.where for p in problems] == [f"{path}:3", f"{path}:4", f"{path}:5"]
    assert "not valid JSON" in problems[0].message
    assert "no article text" in problems[1].message


def test_json_file_may_hold_one_object_or_a_list(tmp_path: Path) -> None:
    (tmp_path / "one.json").write_text('{"raw": "A", "title": "T", "url": "https://e.com/a"}', encoding="utf-8")
    (tmp_path / "many.json").write_text('[{"raw": "B"}, {"content": "C"}]', encoding="utf-8")
    records = [r for r in read_articles([tmp_path]) if not isinstance(r, InputProblem)]
    assert sorted(r["raw"] for r in records) == ["A", "B", "C"]
    [titled] = [r for r in records if r["raw"] == "A"]
    assert (titled["title"], titled["url"]) == ("T", "https://e.com/a")


def test_invalid_utf8_is_decoded_with_replacement_and_flagged(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes("عنوان\n\n".encode() + b"\xff\xfe broken")
    [record] = read_articles([path])
    assert not isinstance(record, InputProblem)
    assert "\ufffd" in record["raw"]
    assert record["meta"] == {"decode_errors": True}


def test_a_bom_is_not_part_of_the_text(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfTitle\n\nBody")
    [record] = read_articles([path])
    assert not isinstance(record, InputProblem)
    assert record["raw"] == "Title\n\nBody"


@pytest.mark.parametrize(
    ("name", "message"),
    [("missing.txt", "no such file or directory"), ("article.xml", "unknown format '.xml'")],
)
def test_bad_paths_are_clear_errors(tmp_path: Path, name: str, message: str) -> None:
    if name.endswith(".xml"):
        (tmp_path / name).write_text("<a/>", encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        expand_paths([tmp_path / name])


def test_a_directory_without_articles_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no \.txt, \.json, \.jsonl files"):
        expand_paths([tmp_path])

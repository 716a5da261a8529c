"""Reading articles from files: raw `.txt`, `.json` and `.jsonl`, and directories of them, as raw records."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from pipeline.errors import ConfigError
from pipeline.records import Record, raw_record

SUPPORTED_SUFFIXES = (".txt", ".json", ".jsonl")
JSON_TEXT_FIELDS = ("raw", "text", "content", "body")


@dataclass(frozen=True)
class InputProblem:
    """An item in an input file that cannot become an article, with where it is."""

    where: str
    message: str


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files to read: each file as given, each directory's supported files in sorted order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in SUPPORTED_SUFFIXES)
            if not found:
                raise ConfigError(f"{path}: no {', '.join(SUPPORTED_SUFFIXES)} files in this directory")
            files.extend(found)
        elif path.is_file():
            if path.suffix not in SUPPORTED_SUFFIXES:
                raise ConfigError(
                    f"{path}: unknown format {path.suffix or '(no suffix)'!r}; "
                    f"expected one of {', '.join(SUPPORTED_SUFFIXES)}"
                )
            files.append(path)
        elif path.exists():
            raise ConfigError(f"{path}: not a regular file or directory")
        else:
            raise ConfigError(f"{path}: no such file or directory")
    return files


def read_text(path: Path) -> tuple[str, bool]:
    """A file's text as UTF-8 (BOM allowed); undecodable bytes become U+FFFD and the flag is True."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from error
    try:
        return data.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        return data.decode("utf-8-sig", errors="replace"), True


def record_from_json(item: Any, source: str) -> Record:
    """A raw record from a JSON object carrying the article's text under `raw`, `text`, `content` or `body`."""
    if not isinstance(item, dict):
        raise ValueError(f"expected a JSON object, got {type(item).__name__}")
    raw = next((item[field] for field in JSON_TEXT_FIELDS if isinstance(item.get(field), str)), None)
    if raw is None:
        raise ValueError(f"no article text: expected a string field, one of {', '.join(JSON_TEXT_FIELDS)}")
    meta = item.get("meta") if isinstance(item.get("meta"), dict) else {}
    return raw_record(
        raw,
        source=str(item.get("source") or source),
        url=item.get("url") or None,
        title=item.get("title") or None,
        published_at=item.get("published_at") or None,
        lang_hint=item.get("lang_hint") or item.get("language") or None,
        meta=meta,
    )


def read_file(path: Path) -> Iterator[Record | InputProblem]:
    """Every article in one file, or a problem for each item that is not one."""
    text, replaced = read_text(path)
    source = f"file:{path}"
    if path.suffix == ".txt":
        yield raw_record(text, source=source, meta={"decode_errors": True} if replaced else {})
        return
    if path.suffix == ".json":
        try:
            document = orjson.loads(text)
        except orjson.JSONDecodeError as error:
            yield InputProblem(str(path), f"not valid JSON: {error}")
            return
        items = document if isinstance(document, list) else [document]
        for index, item in enumerate(items):
            yield _record_or_problem(item, source, f"{path}[{index}]")
        return
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            yield InputProblem(f"{path}:{line_number}", f"not valid JSON: {error}")
            continue
        yield _record_or_problem(item, source, f"{path}:{line_number}")


def _record_or_problem(item: Any, source: str, where: str) -> Record | InputProblem:
    try:
        return record_from_json(item, source)
    except ValueError as error:
        return InputProblem(where, str(error))


def read_articles(paths: Iterable[Path]) -> Iterator[Record | InputProblem]:
    """Every article under the given paths, in order; bad paths raise before anything is read."""
    for path in expand_paths(paths):
        yield from read_file(path)

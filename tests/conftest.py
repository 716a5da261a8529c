"""Fixtures shared by unit and integration tests: paths and article factories."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pipeline.records import Record, raw_record

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DEV_SET = ROOT / "tests" / "data"


@pytest.fixture
def seed_paths() -> list[Path]:
    """The seed article files."""
    return sorted(SEEDS.glob("*.txt"))


@pytest.fixture
def make_raw() -> Callable[..., Record]:
    """A factory of `articles.raw` records: `make_raw("text", url=...)`."""

    def make(raw: str = "Headline\n\nA paragraph about Tokyo.", **fields: Any) -> Record:
        fields.setdefault("source", "test")
        return raw_record(raw, **fields)

    return make

"""The main-subject model: fitted on primaries, a distribution over subjects, saved and read back unchanged."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from agents.classify.corpus_model import main_subject_model
from agents.classify.features import ENCODER_DIMENSIONS
from agents.classify.main_subject import (
    fit_main_subject_model,
    load_main_subject_model,
    save_main_subject_model,
)
from agents.classify.taxonomy import top_level
from pipeline.errors import ConfigError

CODES = ("medtop:04000000", "medtop:11000000", "medtop:15000000")


def clustered_embeddings(per_code: int = 20) -> tuple[np.ndarray, list[str]]:
    """Unit vectors around one random direction per code, so the main subject is learnable."""
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(len(CODES), ENCODER_DIMENSIONS))
    rows, primaries = [], []
    for centre, code in zip(centres, CODES, strict=True):
        for _ in range(per_code):
            vector = centre + 0.5 * rng.normal(size=ENCODER_DIMENSIONS)
            rows.append(vector / np.linalg.norm(vector))
            primaries.append(code)
    return np.asarray(rows, dtype=np.float32), primaries


def test_it_learns_the_main_subject_and_gives_a_distribution() -> None:
    embeddings, primaries = clustered_embeddings()
    model = fit_main_subject_model(embeddings, primaries, "sha")
    probabilities = model.probabilities(embeddings)
    assert model.codes == CODES
    assert probabilities.shape == (len(primaries), len(CODES))
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert [model.codes[i] for i in probabilities.argmax(axis=1)] == primaries


def test_saved_and_loaded_it_is_the_same_model(tmp_path: Path) -> None:
    embeddings, primaries = clustered_embeddings()
    model = fit_main_subject_model(embeddings, primaries, "corpus-sha")
    save_main_subject_model(model, tmp_path / "main.npz")
    loaded = load_main_subject_model(tmp_path / "main.npz")
    assert (loaded.codes, loaded.sources_sha256, loaded.version) == (model.codes, "corpus-sha", model.version)
    assert np.array_equal(loaded.probabilities(embeddings), model.probabilities(embeddings))


def test_a_damaged_file_is_a_clear_error(tmp_path: Path) -> None:
    damaged = tmp_path / "main.npz"
    damaged.write_bytes(b"not an npz")
    with pytest.raises(ConfigError, match="main-subject model"):
        load_main_subject_model(damaged)


def test_one_subject_is_not_enough() -> None:
    embeddings, _ = clustered_embeddings(per_code=2)
    with pytest.raises(ConfigError, match="at least two subjects"):
        fit_main_subject_model(embeddings, [CODES[0]] * len(embeddings), "sha")


def test_the_shipped_model_knows_every_subject() -> None:
    model = main_subject_model()
    assert set(model.codes) == {topic.code for topic in top_level()}
    assert model.version.startswith("main-")

"""The main-subject model: which one subject an article is mainly about, read from its encoder embedding (a
multinomial logistic regression fitted on the corpus's primary labels)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from agents.classify.features import ENCODER_DIMENSIONS, Matrix
from pipeline.errors import ConfigError

REGULARIZATION = 10.0  # inverse regularisation strength (C), chosen on the corpus (docs/classify.md)


@dataclass(frozen=True)
class MainSubjectModel:
    """Weights over the encoder's 512 dimensions, one row per subject code, and the corpus they were fitted on."""

    codes: tuple[str, ...]
    coefficients: Matrix
    intercepts: Matrix
    sources_sha256: str

    @property
    def version(self) -> str:
        """`main-` and 8 hex digits of the weights' SHA-256 (what the classifier's version names)."""
        digest = hashlib.sha256(self.coefficients.tobytes() + self.intercepts.tobytes() + "|".join(self.codes).encode())
        return f"main-{digest.hexdigest()[:8]}"

    def probabilities(self, embeddings: Matrix) -> NDArray[np.float64]:
        """One row per embedding: the probability that each subject (in `codes` order) is the main one."""
        logits = embeddings.astype(np.float64) @ self.coefficients.T.astype(np.float64) + self.intercepts
        logits -= logits.max(axis=1, keepdims=True)
        weights = np.exp(logits)
        result: NDArray[np.float64] = weights / weights.sum(axis=1, keepdims=True)
        return result


def fit_main_subject_model(
    embeddings: Matrix, primaries: Sequence[str], sources_sha256: str, regularization: float = REGULARIZATION
) -> MainSubjectModel:
    """Fit on articles' embeddings and their primary subject codes (every code needs at least one article)."""
    from sklearn.linear_model import LogisticRegression

    codes = tuple(sorted(set(primaries)))
    if len(codes) < 2:
        raise ConfigError("the main-subject model needs articles of at least two subjects")
    targets = np.asarray([codes.index(code) for code in primaries])
    model = LogisticRegression(C=regularization, max_iter=3000).fit(embeddings, targets)
    return MainSubjectModel(
        codes, model.coef_.astype(np.float32), model.intercept_.astype(np.float32), sources_sha256
    )


def save_main_subject_model(model: MainSubjectModel, path: Path) -> None:
    """Write the model as one `.npz` of plain arrays (nothing pickled)."""
    np.savez(
        path,
        codes=np.asarray(model.codes),
        coefficients=model.coefficients,
        intercepts=model.intercepts,
        sources_sha256=np.asarray(model.sources_sha256),
    )


def load_main_subject_model(path: Path) -> MainSubjectModel:
    """Read a model written by `save_main_subject_model`."""
    try:
        with np.load(path, allow_pickle=False) as arrays:
            model = MainSubjectModel(
                tuple(str(code) for code in arrays["codes"]),
                arrays["coefficients"].astype(np.float32),
                arrays["intercepts"].astype(np.float32),
                str(arrays["sources_sha256"]),
            )
    except (OSError, KeyError, ValueError) as error:
        raise ConfigError(f"cannot read the main-subject model {path}: {error}") from error
    if model.coefficients.shape != (len(model.codes), ENCODER_DIMENSIONS):
        raise ConfigError(f"{path}: weights of shape {model.coefficients.shape} do not fit {len(model.codes)} codes")
    return model

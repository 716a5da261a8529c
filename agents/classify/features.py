"""Features of a trainable classifier: the encoder's embedding beside a TF-IDF bag of folded words."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from agents.classify.article import embedding_text, title_and_body
from agents.classify.encoder import Encoder, embed
from agents.classify.text import variants, words
from pipeline.records import Record

Matrix = NDArray[np.float32]
ENCODER_DIMENSIONS = 512


def terms(text: str) -> list[str]:
    """The terms a text is counted by: folded words, Arabic words without their attached particles."""
    return [variants(word)[-1] for word in words(text)]


def fit_vocabulary(texts: Sequence[str], max_terms: int, min_count: int = 2) -> dict[str, float]:
    """The most widespread terms (in at least `min_count` texts) with their smoothed inverse document frequency."""
    document_counts: Counter[str] = Counter()
    for text in texts:
        document_counts.update(set(terms(text)))
    common = [term for term, count in document_counts.most_common() if count >= min_count][:max_terms]
    total = len(texts)
    return {term: math.log((1 + total) / (1 + document_counts[term])) + 1.0 for term in sorted(common)}


def tfidf(texts: Sequence[str], vocabulary: Mapping[str, float]) -> Matrix:
    """Sublinear TF times IDF over the vocabulary, each row scaled to unit length."""
    if not vocabulary:  # an encoder-only model: no words to count
        return np.zeros((len(texts), 0), dtype=np.float32)
    index = {term: position for position, term in enumerate(vocabulary)}
    weights = np.asarray(list(vocabulary.values()), dtype=np.float32)
    matrix = np.zeros((len(texts), len(index)), dtype=np.float32)
    for row, text in enumerate(texts):
        for term, count in Counter(terms(text)).items():
            column = index.get(term)
            if column is not None:
                matrix[row, column] = (1.0 + math.log(count)) * weights[column]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit: Matrix = matrix / np.maximum(norms, 1e-12)
    return unit


def featurize(
    records: Sequence[Record],
    vocabulary: Mapping[str, float],
    encoder: Encoder | None = None,
    embeddings: Matrix | None = None,
) -> Matrix:
    """One row per record: the 512 encoder dimensions (headline and start), then TF-IDF columns (all text).

    `embeddings` are the records' `embedding_text` vectors when the caller has already computed them."""
    if not records:
        return np.zeros((0, ENCODER_DIMENSIONS + len(vocabulary)), dtype=np.float32)
    dense = embed([embedding_text(record) for record in records], encoder) if embeddings is None else embeddings
    sparse = tfidf([full_text(record) for record in records], vocabulary)
    return np.hstack([dense, sparse]).astype(np.float32)


def full_text(record: Record) -> str:
    """Headline and body of a record, as one text."""
    title, body = title_and_body(record)
    return f"{title}\n{body}"

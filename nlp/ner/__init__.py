"""aiwatch's own statistical recogniser: spaCy NER for Japanese and Chinese (configs,
training-data builders and the trained models)."""

from __future__ import annotations

import hashlib
from pathlib import Path

MODELS = Path(__file__).parent / "models"


def models_digest(root: Path = MODELS) -> str:
    """A digest of every shipped model file, read without spaCy: part of
    nlp.process.pipeline_version, so each article's article_nlp_state row says which models
    read it (`aiwatch process --all` re-reads the store after a model change)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()

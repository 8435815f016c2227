"""aiwatch's own statistical recogniser: spaCy NER for Japanese and Chinese (configs,
training-data builders and the trained models)."""

from __future__ import annotations

import hashlib
from pathlib import Path

MODELS = Path(__file__).parent / "models"


def models_digest(root: Path = MODELS) -> str:
    """A digest of every shipped model file, so that a store re-processes its articles when a
    model changes (nlp.process.pipeline_version), read without spaCy."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()

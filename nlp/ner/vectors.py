"""Static word vectors for the Japanese NER model, read from the installed ja_ginza package
(chiVe, 300 dimensions, 20,000 rows for 480k Sudachi surface forms) rather than shipped:
they are 30 MB that the dependency already brings. The model's config names them
(`[nlp.after_creation]`), so training and loading both go through `package_vectors`.
"""

from __future__ import annotations

from collections.abc import Callable

import spacy
from spacy.language import Language
from spacy.util import registry
from spacy.vectors import Vectors


def package_vectors(package: str) -> Vectors:
    """The vectors of an installed spaCy pipeline package, without loading its pipeline (or
    its 480k strings: keys are hashes)."""
    root = spacy.util.get_package_path(package)
    (vocab,) = root.glob(f"{package}-*/vocab")
    return Vectors().from_disk(vocab, exclude=["strings"])


@registry.callbacks("aiwatch_package_vectors_v1")
def make_package_vectors(package: str) -> Callable[[Language], Language]:
    """An after_creation callback that gives the pipeline an installed package's vectors,
    so the shipped model needs no copy of them."""

    def add_vectors(nlp: Language) -> Language:
        nlp.vocab.vectors = package_vectors(package)
        return nlp

    return add_vectors

"""spaCy components aiwatch registers, used by the pipelines in nlp/pipelines.py."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans, minibatch

from nlp.gazetteer import Gazetteer
from nlp.ner import MODELS
from nlp.ner.tokenizer import fold_hanzi  # also registers aiwatch_char_tokenizer_v1
from nlp.ner.vectors import make_package_vectors  # noqa: F401 - registers its callback


class GazetteerRuler:
    """Sets the known entities (label and canonical key as kb_id) before any statistical
    recognizer runs, so `ner` cannot relabel 百度 as a Frequency."""

    def __init__(self, gazetteer_path: str) -> None:
        self.gazetteer = Gazetteer.load(Path(gazetteer_path) if gazetteer_path else None)

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for match in self.gazetteer.match(doc.text):
            span = doc.char_span(
                match.start,
                match.end,
                label=match.label,
                kb_id=match.key,
                alignment_mode="expand",
            )
            if span is not None:
                spans.append(span)
        doc.ents = filter_spans([*spans, *doc.ents])
        return doc


@Language.factory("aiwatch_gazetteer_ruler_v1", default_config={"gazetteer_path": ""})
def make_gazetteer_ruler(nlp: Language, name: str, gazetteer_path: str) -> GazetteerRuler:
    return GazetteerRuler(gazetteer_path)


class NerRecognizer:
    """aiwatch's trained NER (nlp/ner/models/<model>, built by `make models`), run on every
    sentence with the model's own tokenizer (Sudachi words for ja, characters for zh); its
    spans are set on the caller's doc by character offsets. With `fold_hanzi`, traditional
    characters are read as simplified ones, as the Chinese model was trained (folding keeps
    every offset)."""

    def __init__(self, model: str, fold_hanzi: bool) -> None:
        path = MODELS / model
        if not (path / "meta.json").exists():
            raise OSError(f"NER model {model!r} missing at {path}: run `make models`")
        self.nlp = spacy.load(path)
        self.fold_hanzi = fold_hanzi

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 256) -> Iterator[Doc]:
        for batch in minibatch(docs, batch_size):
            texts = [fold_hanzi(d.text) if self.fold_hanzi else d.text for d in batch]
            for doc, predicted in zip(batch, self.nlp.pipe(texts), strict=True):
                spans = [
                    doc.char_span(e.start_char, e.end_char, label=e.label_, alignment_mode="expand")
                    for e in predicted.ents
                ]
                doc.ents = [s for s in spans if s is not None]
                yield doc


@Language.factory("aiwatch_ner_v1", default_config={"model": "ja", "fold_hanzi": False})
def make_ner_recognizer(nlp: Language, name: str, model: str, fold_hanzi: bool) -> NerRecognizer:
    return NerRecognizer(model, fold_hanzi)

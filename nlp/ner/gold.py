"""Our own hand-labelled sentences (nlp/ner/labelled/<lang>.yaml): the one source of gold spans
for Chinese, where no openly licensed news NER set exists. A stable hash of each sentence puts
it in `train` (nlp/ner/build.py) or `test` (bench/ner_zh.py), so neither ever sees the other.

A record names its entities by surface ("surface|TYPE") rather than by offsets, so that a
sentence can be edited without recounting characters; `load` turns them into offsets and
refuses a record whose surface is not in its sentence.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import yaml

LABELLED = Path(__file__).with_name("labelled")
TYPES = ("ORG", "GOV", "PERSON", "PRODUCT", "MODEL", "LAW")
Spans = list[tuple[int, int, str]]


@dataclass(frozen=True)
class Sentence:
    text: str
    spans: tuple[tuple[int, int, str], ...]

    @property
    def split(self) -> str:
        """`test` for a stable ~30 % of the sentences, `train` for the rest."""
        return "test" if zlib.crc32(self.text.encode()) % 10 < 3 else "train"


def locate(text: str, entities: list[str]) -> Spans:
    """Offsets of every occurrence of each "surface|TYPE", longer surfaces first, so that
    华为 does not claim the first two characters of a listed 华为云."""
    parsed = []
    for item in entities:
        surface, sep, label = str(item).rpartition("|")
        if not sep or not surface or label not in TYPES:
            raise ValueError(f"{item!r}: expected 'surface|TYPE', TYPE one of {TYPES}")
        parsed.append((surface, label))
    spans: Spans = []
    for surface, label in sorted(parsed, key=lambda p: -len(p[0])):
        found = [
            (start, start + len(surface))
            for start in _occurrences(text, surface)
            if all(start + len(surface) <= s or start >= e for s, e, _ in spans)
        ]
        if not found:
            raise ValueError(
                f"{surface!r} ({label}) is not in (or only inside a longer name of) {text!r}"
            )
        spans += [(s, e, label) for s, e in found]
    return sorted(spans)


def _occurrences(text: str, surface: str) -> list[int]:
    starts, at = [], text.find(surface)
    while at >= 0:
        starts.append(at)
        at = text.find(surface, at + len(surface))
    return starts


def load(lang: str = "zh", path: Path | None = None) -> list[Sentence]:
    """Every record of the language's file, validated: known types, each surface found,
    no sentence twice."""
    records = yaml.safe_load((path or LABELLED / f"{lang}.yaml").read_text(encoding="utf-8"))
    sentences, seen = [], set()
    for number, record in enumerate(records, 1):
        text = str(record["t"]).strip()
        if text in seen:
            raise ValueError(f"record {number}: sentence listed twice: {text!r}")
        seen.add(text)
        try:
            spans = locate(text, record.get("e") or [])
        except ValueError as error:
            raise ValueError(f"record {number}: {error}") from None
        sentences.append(Sentence(text, tuple(spans)))
    return sentences


def split(lang: str, part: str) -> list[Sentence]:
    """The `train` or `test` part of the language's labelled sentences."""
    return [s for s in load(lang) if s.split == part]

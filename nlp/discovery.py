"""New model names the gazetteer does not know yet.

Two patterns, both explainable: a known model family or developer followed by a version
(文心X2, GLM-5, Qwen3.5, DeepSeek-V4), and a quoted name next to a model word
(「混元T2」モデル, 《灵犀》大模型, "Aurora" model).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.fold import fold
from nlp.gazetteer import Gazetteer, Match

VERSION = (  # not a share or a date: 寒武纪20%, 百度17日 are no models
    r"(?:[-\s]?(?:[A-Za-z]{1,2}\d+(?:\.\d+)?|\d+(?:\.\d+)?[A-Za-z]?)"
    r"(?![0-9A-Za-z]|\.\d|\s?[%％日月年号時时点]))"
)
_VERSION_AFTER = re.compile(VERSION + r"(?:[-\s](?:Pro|Max|Mini|Turbo|Plus|Flash|Lite))?")
_LATIN_FAMILY = re.compile(r"(?<![0-9A-Za-z])([A-Za-z][A-Za-z]+)(?=" + VERSION + ")")
_QUOTED = re.compile(r"[「《“\"]([^」》”\"\n]{2,24})[」》”\"]")
MODEL_WORDS = ("大模型", "模型", "モデル", "model", "大規模言語モデル", "llm", "基座")
_MODEL_WORD_NEAR = 12


@dataclass(frozen=True)
class Discovered:
    start: int
    end: int
    surface: str
    key: str
    name_en: str | None
    family: str | None  # the known family or developer it was derived from


def slugify(name: str) -> str:
    """English-style slug; names with no Latin letters keep their (folded) characters."""
    slug = re.sub(r"[^0-9a-z\u3040-\u30ff\u3400-\u9fff]+", "-", fold(name).lower()).strip("-")
    return slug or "unnamed"


def discover_models(text: str, gazetteer: Gazetteer, known: list[Match]) -> list[Discovered]:
    covered = [(m.start, m.end) for m in known]
    found: list[Discovered] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in covered) and all(
            end <= d.start or start >= d.end for d in found
        )

    families = [m for m in known if m.label in ("MODEL", "ORG")]
    for latin in _LATIN_FAMILY.finditer(text):
        entry = gazetteer.lookup(latin.group(1))
        if entry and entry.type in ("model", "org") and free(latin.start(), latin.end()):
            families.append(Match(latin.start(), latin.end(), latin.group(1), entry.key, ""))
    for match in sorted(families, key=lambda m: m.start):
        version = _VERSION_AFTER.match(text, match.end)
        if version is None or not re.search(r"\d", version.group()):
            continue
        if gazetteer.lookup(version.group().strip(" -")):
            continue  # 英伟达H800: a maker next to a known product, not a new version
        entry = gazetteer.entries[match.key]
        family = entry.key if entry.type == "model" else None
        base = entry.names.get("en") or match.surface
        name_en = f"{base} {version.group().strip(' -')}"
        surface = text[match.start : version.end()]
        found.append(
            Discovered(
                match.start,
                version.end(),
                surface,
                f"model:{slugify(name_en)}",
                name_en,
                family or match.key,
            )
        )
        if (match.start, match.end) in covered:
            covered.remove((match.start, match.end))
    folded = fold(text)
    for quoted in _QUOTED.finditer(text):
        start, end = quoted.span(1)
        near = folded[max(0, quoted.start() - _MODEL_WORD_NEAR) : quoted.end() + _MODEL_WORD_NEAR]
        if not any(word in near for word in MODEL_WORDS) or not free(start, end):
            continue
        name = quoted.group(1).strip()
        if any(word in fold(name) for word in MODEL_WORDS) or len(name) > 20:
            continue
        latin = name if re.search(r"[A-Za-z]", name) else None
        found.append(Discovered(start, end, name, f"model:{slugify(name)}", latin, None))
    return found

"""New names the gazetteer does not know yet, and the aliases reporters write next to them.

Two patterns for new models, both explainable: a known model family or developer followed by
a version (文心X2, GLM-5, Qwen3.5, DeepSeek-V4), and a quoted name next to a model word
(「混元T2」モデル, 《灵犀》大模型, "Aurora" model).

An appositive in parentheses names the same entity another way: 月之暗面（Moonshot AI）,
ムーンショットAI（Moonshot AI、月之暗面）, X（以下、Y）. Those aliases are what ties a
katakana name in one article to a Chinese name in another (nlp.store_entities).
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
_OPEN, _CLOSE = "（(", "）)"
MAX_ALIAS_CHARS = 24
_ALIAS_LEAD = re.compile(  # 以下、Y / 简称“Y” / formerly Y: a lead-in, not part of the name
    r"^(?:(?:以下简称|以下|下称|简称|略称|通称|旧称|英文名|英語名|中国名|中文名|又称|又名|"
    r"formerly|also known as|known as|aka)[、，,:：\s]*)+",
    re.IGNORECASE,
)
_ALIAS_SEPARATOR = re.compile(r"[、，,;；/／]")
_QUOTES = "「」『』“”\"'《》〈〉"


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


def aliases_after(text: str, end: int) -> list[str]:
    """The names in parentheses written right after the name ending at `end`:
    月之暗面（Moonshot AI） gives ["Moonshot AI"], X（以下、Y） gives ["Y"]."""
    end += text.startswith(" ", end)  # Zhipu AI (智谱)
    if end >= len(text) or text[end] not in _OPEN:
        return []
    close = next(
        (i for i in range(end + 1, len(text)) if text[i] in _CLOSE or text[i] in "（(\n。"), None
    )
    if close is None or text[close] not in _CLOSE:
        return []
    aliases = []
    for part in _ALIAS_SEPARATOR.split(text[end + 1 : close]):
        alias = _ALIAS_LEAD.sub("", part.strip()).strip(_QUOTES + " ")
        if 2 <= len(alias) <= MAX_ALIAS_CHARS:
            aliases.append(alias)
    return aliases


def heads_before(text: str, start: int) -> list[str]:
    """For a name written inside parentheses (Moonshot AI in 月之暗面（Moonshot AI）), every
    tail of the text before the opening parenthesis that can be the name it glosses,
    longest first; the caller keeps the one that is a known name."""
    opening = next((i for i in range(start - 1, -1, -1) if text[i] in _OPEN + _CLOSE + "\n"), -1)
    if opening < 0 or text[opening] not in _OPEN:
        return []
    between = _ALIAS_LEAD.sub("", text[opening + 1 : start].strip())
    if between.strip(_QUOTES + " ") and not _ALIAS_SEPARATOR.search(between[-1:]):
        return []  # the name does not open the parenthesis or follow a separator
    before = text[max(0, opening - MAX_ALIAS_CHARS) : opening].rstrip(" ")
    return [before[i:] for i in range(len(before) - 1) if not before[i].isspace()]

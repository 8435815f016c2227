"""Language of a text: ja, zh-Hans, zh-Hant, en or other.

Japanese prose is full of kana, so kana that make up a real share of the text settle
Japanese; a katakana name quoted in a Chinese article does not. Text with no such share is
decided by the characters themselves, counted as evidence:

- Japanese: shinjitai that neither simplified nor traditional Chinese writes (発, 団, 広);
- Chinese: simplified forms Japanese does not use (发, 团, 这) and traditional forms Japanese
  replaced (發, 價, 國).

Characters both write (当, 国, 会, 公開) are no evidence. A kanji-only Japanese headline
(騰訊、推論AI「混元T1」公開) has Japanese evidence or none; without any evidence, forms of
both Chinese scripts side by side (国 and 規), Japanese headline typography, or pycld2
decide. Chinese is then simplified or traditional by which forms it uses more.
The tables (seeds/lang/han_evidence.txt) are built by crawler/lang_tables.py from OpenCC's
Japanese and Taiwan conversions, jieba's dictionary and ja-ginza's vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import pycld2

_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc\uff66-\uff9d]")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_JA_TYPOGRAPHY = re.compile(r"[「」、\u3000]")
_ZH_PUNCTUATION = re.compile(r"[，“”《》]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
SAMPLE = 4000
LANGS = ("ja", "zh-Hans", "zh-Hant", "en", "other")
KANA_SHARE = 0.2  # kana per Han character above which a text is Japanese prose
LATIN_SHARE = 10  # Latin letters per CJK character above which a text is Latin-script
_TABLES = ("japanese-only", "chinese-only", "simplified", "traditional")


@dataclass(frozen=True)
class _Tables:
    japanese_only: frozenset[str]
    chinese_only: frozenset[str]  # simplified forms and traditional forms Japanese replaced
    simplified: frozenset[str]  # has a different traditional form
    traditional: frozenset[str]  # has a different simplified form


def detect(text: str) -> str:
    sample = _CONTROL.sub(" ", text[:SAMPLE])
    kana = len(_KANA.findall(sample))
    han = _HAN.findall(sample)
    latin = len(_LATIN.findall(sample))
    if latin >= 3 and latin > LATIN_SHARE * (len(han) + kana):  # English naming 南沙群島
        return "en" if _cld2(sample) in ("en", "un") else "other"
    if kana >= 2 and kana >= KANA_SHARE * len(han):
        return "ja"
    if not han:
        return "ja" if kana else "other"
    tables = _tables()
    japanese = kana + sum(1 for c in han if c in tables.japanese_only)
    chinese = sum(1 for c in han if c in tables.chinese_only)
    simplified = sum(1 for c in han if c in tables.simplified)
    traditional = sum(1 for c in han if c in tables.traditional)
    if japanese > chinese:
        return "ja"
    if not chinese and ((simplified and traditional) or _looks_japanese(sample)):
        return "ja"  # 国 beside 規: Chinese writes one script or the other, Japanese mixes
    return "zh-Hant" if traditional > simplified else "zh-Hans"


def _looks_japanese(text: str) -> bool:
    """For text without character evidence: Japanese headline typography (「」 quotes, 、
    after a subject, a full-width space between phrases; no Chinese comma or quotes), else
    pycld2's guess."""
    if _JA_TYPOGRAPHY.search(text) and not _ZH_PUNCTUATION.search(text):
        return True
    return _cld2(text) == "ja"


def _cld2(text: str) -> str:
    try:
        _reliable, _bytes, details = pycld2.detect(text)
    except pycld2.error:
        return "un"
    return details[0][1] if details else "un"


@cache
def _tables() -> _Tables:
    text = files("seeds").joinpath("lang", "han_evidence.txt").read_text(encoding="utf-8")
    rows = dict(line.split("\t", 1) for line in text.splitlines() if not line.startswith("#"))
    return _Tables(**{name.replace("-", "_"): frozenset(rows[name]) for name in _TABLES})

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

import numpy as np
import pycld2

_KANA = ((0x3041, 0x3096), (0x30A1, 0x30FA), (0x30FC, 0x30FC), (0xFF66, 0xFF9D))
_HAN = ((0x3400, 0x9FFF), (0xF900, 0xFAFF))
_LATIN = ((0x41, 0x5A), (0x61, 0x7A))
_JA_TYPOGRAPHY = re.compile(r"[「」、\u3000]")
_ZH_PUNCTUATION = re.compile(r"[，“”《》]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# What `detect` counts, by code point (_codes): kana, Latin letters, and Han characters
# by the tables that hold them (_HAN_CODE + bit i for _TABLES[i]); anything else is 0.
_KANA_CODE, _LATIN_CODE, _HAN_CODE = 1, 2, 0x10
_BMP_END = 0x10000  # the tables' end: this code point and every one after count as nothing
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
    sample = text[:SAMPLE]
    points = np.frombuffer(sample.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    codes = np.take(_codes(), points, mode="clip")  # past the BMP: the last code, nothing
    counts = np.bincount(codes, minlength=_HAN_CODE + (1 << len(_TABLES)))
    kana, latin = int(counts[_KANA_CODE]), int(counts[_LATIN_CODE])
    by_tables = counts[_HAN_CODE:].tolist()  # by_tables[bits]: Han characters in those tables
    han = sum(by_tables)
    if latin >= 3 and latin > LATIN_SHARE * (han + kana):  # English naming 南沙群島
        return "en" if _cld2(sample) in ("en", "un") else "other"
    if kana >= 2 and kana >= KANA_SHARE * han:
        return "ja"
    if not han:
        return "ja" if kana else "other"
    japanese, chinese, simplified, traditional = (
        sum(n for bits, n in enumerate(by_tables) if bits & 1 << i) for i in range(len(_TABLES))
    )
    japanese += kana
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
        _reliable, _bytes, details = pycld2.detect(_CONTROL.sub(" ", text))
    except pycld2.error:
        return "un"
    return details[0][1] if details else "un"


@cache
def _tables() -> _Tables:
    text = files("seeds").joinpath("lang", "han_evidence.txt").read_text(encoding="utf-8")
    rows = dict(line.split("\t", 1) for line in text.splitlines() if not line.startswith("#"))
    return _Tables(**{name.replace("-", "_"): frozenset(rows[name]) for name in _TABLES})


@cache
def _codes() -> np.ndarray:
    """What each code point counts as in `detect`, by code point (one array lookup counts
    a whole sample, where a regular expression or a loop per character cost half a
    millisecond a page)."""
    codes = np.zeros(_BMP_END + 1, dtype=np.uint8)
    for ranges, code in ((_KANA, _KANA_CODE), (_LATIN, _LATIN_CODE), (_HAN, _HAN_CODE)):
        for low, high in ranges:
            codes[low : high + 1] = code
    for bit, name in enumerate(_TABLES):
        for c in getattr(_tables(), name.replace("-", "_")):
            if ord(c) < _BMP_END and codes[ord(c)] >= _HAN_CODE:  # Han characters only
                codes[ord(c)] |= 1 << bit
    return codes

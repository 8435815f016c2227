"""Language of a text: ja, zh-Hans, zh-Hant, en or other.

Kana settles Japanese. Kanji-only Japanese headlines have no kana, so pycld2 decides
between Japanese and Chinese next; Chinese is then split into simplified and traditional
by hanzidentifier.
"""

from __future__ import annotations

import itertools
import re

import hanzidentifier
import pycld2

_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc\uff66-\uff9d]")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
# Shinjitai found in Japanese but in neither simplified nor traditional Chinese.
_JA_ONLY = re.compile(
    "[発経済価売図気円転広楽対応関駅険検験権鉄歩歴戦払拡挙擬沢浜渋団弁弾従徳恵悪"
    "晩栄桜様歳殻県塩当碁稲穂粋絵継続総縄緑縦聴臓薬蔵覚誉読豊賛践軽辺郷酔釈鋭録"
    "隠雑霊頼顔駆騒髄黒齢]"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
SAMPLE = 4000
LANGS = ("ja", "zh-Hans", "zh-Hant", "en", "other")


def detect(text: str) -> str:
    sample = _CONTROL.sub(" ", text[:SAMPLE])
    kana = sum(1 for _ in itertools.islice(_KANA.finditer(sample), 2))  # 2 settle it
    if kana >= 2:
        return "ja"
    han = len(_HAN.findall(sample))
    if kana and kana * 10 >= han:
        return "ja"
    if han:
        han_only = "".join(_HAN.findall(sample))
        if _JA_ONLY.search(han_only) or _cld2(sample) == "ja":
            return "ja"
        return _chinese_script(han_only)
    if len(_LATIN.findall(sample)) >= 3:
        return "en" if _cld2(sample) in ("en", "un") else "other"
    return "other"


def _cld2(text: str) -> str:
    try:
        _reliable, _bytes, details = pycld2.detect(text)
    except pycld2.error:
        return "un"
    return details[0][1] if details else "un"


def _chinese_script(han_only: str) -> str:
    """Simplified or traditional; a short text mixing both is a kanji-only Japanese headline
    (Japanese writes 国 like simplified Chinese but 規 like traditional)."""
    script = hanzidentifier.identify(han_only)
    if script == hanzidentifier.MIXED and len(han_only) <= 40:
        return "ja"
    return "zh-Hant" if script == hanzidentifier.TRADITIONAL else "zh-Hans"

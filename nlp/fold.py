"""Folding text so that one name written many ways matches once.

Width and case fold, and Japanese shinjitai and traditional Chinese fold to simplified
Chinese: 騰訊, 腾讯 and ＴＥＮＣＥＮＴ fold alike. Hiragana is left alone: names are
written in katakana, and folding hiragana would make everyday words (めた) match names
(メタ). Folding never changes the length of the text, so offsets found in folded text are
offsets in the original.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import opencc

_JP_TO_TRAD = opencc.OpenCC("jp2t")
_TRAD_TO_SIMP = opencc.OpenCC("t2s")

# Shinjitai that stand for several traditional characters, where OpenCC's jp2t picks one
# that the names and terms of this field do not use: 弁 is 辦 in 弁法 / 弁公室 / 網信弁
# (not 辨), 予 is 預 in 予算 / 予定 (豫 only in 猶予).
_SHINJITAI_IN_NAMES = {"弁": "办", "予": "预"}


@lru_cache(maxsize=65536)
def fold_char(char: str) -> str:
    if char.isascii():
        return char.lower()
    code = ord(char)
    if 0xFF01 <= code <= 0xFF5E:  # fullwidth ASCII
        return chr(code - 0xFEE0).lower()
    if code == 0x3000:
        return " "
    if char in _SHINJITAI_IN_NAMES:
        return _SHINJITAI_IN_NAMES[char]
    if "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff":
        if _simplified_already(char):  # 研 沪 郎 翻: jp2t would make them 硏 濾 郞 飜
            return char
        simplified = _TRAD_TO_SIMP.convert(_JP_TO_TRAD.convert(char))
        return simplified if len(simplified) == 1 else char
    normalized = unicodedata.normalize("NFKC", char).lower()
    return normalized if len(normalized) == 1 else char


def _simplified_already(char: str) -> bool:
    """A character of the simplified Chinese standard set (GB 2312) that simplifying leaves
    as it is: OpenCC's jp2t reads it as a shinjitai and takes it to a variant the text
    never meant (研究 folded to 硏究, which jieba then splits)."""
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return _TRAD_TO_SIMP.convert(char) == char


def fold(text: str) -> str:
    """`text` folded character by character; len(fold(text)) == len(text)."""
    return "".join(map(fold_char, text))

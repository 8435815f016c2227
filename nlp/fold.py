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


@lru_cache(maxsize=65536)
def fold_char(char: str) -> str:
    if char.isascii():
        return char.lower()
    code = ord(char)
    if 0xFF01 <= code <= 0xFF5E:  # fullwidth ASCII
        return chr(code - 0xFEE0).lower()
    if code == 0x3000:
        return " "
    if "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff":
        simplified = _TRAD_TO_SIMP.convert(_JP_TO_TRAD.convert(char))
        return simplified if len(simplified) == 1 else char
    normalized = unicodedata.normalize("NFKC", char).lower()
    return normalized if len(normalized) == 1 else char


def fold(text: str) -> str:
    """`text` folded character by character; len(fold(text)) == len(text)."""
    return "".join(map(fold_char, text))

"""Whether a span the statistical recogniser proposes can be a name at all.

The character-level model sometimes marks descriptions and everyday words as names (API,
エキスパート, 美国发布, 'Mamba架构，输出价格…'). A name has no sentence punctuation inside,
is not a bare acronym of a few capitals (the gazetteer lists the organisations that go by
one), and is not one everyday word of the language: a word that Japanese's dictionary
(Sudachi, bundled with ja-ginza) files as a common noun or a place, or that Chinese's
(jieba's) files under a part of speech other than a person, organisation or other proper
name.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

MAX_NAME_CHARS = 24
_PUNCTUATION = re.compile(r"[，。、；：！？（）()「」『』《》〈〉【】“”\"'…—,;:!?]")
_ACRONYM = re.compile(r"^[A-Z]{1,4}s?$")
_HAN_ONLY = re.compile(r"^[\u3400-\u9fff]+$")
PROPER_TAGS = ("nr", "nrt", "nrfg", "nt", "nz")  # jieba: person, organisation, other proper


def can_be_name(surface: str, lang: str) -> bool:
    if len(surface) > MAX_NAME_CHARS or _PUNCTUATION.search(surface) or _ACRONYM.match(surface):
        return False
    if lang == "ja":
        return not _common_japanese_word(surface)
    if lang.startswith("zh") and _HAN_ONLY.match(surface):
        return _chinese_words().get(surface, PROPER_TAGS[0]) in PROPER_TAGS
    return True


def _common_japanese_word(surface: str) -> bool:
    tokens = _sudachi().tokenize(surface)
    if len(tokens) != 1:
        return False
    pos = tokens[0].part_of_speech()
    return pos[1] == "普通名詞" or pos[2] == "地名"


@cache
def _sudachi():  # type: ignore[no-untyped-def]
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="core").create(SplitMode.C)


@cache
def _chinese_words() -> dict[str, str]:
    """Every word of jieba's dictionary with its part of speech."""
    import jieba

    words: dict[str, str] = {}
    with (Path(jieba.__file__).parent / "dict.txt").open(encoding="utf-8") as lines:
        for line in lines:
            word, _frequency, *tag = line.split()
            words[word] = tag[0] if tag else ""
    return words

"""Whether a span the statistical recogniser proposes can be a name at all.

The character-level model sometimes marks descriptions and everyday words as names (API,
エキスパート, 美国发布, AI機能, 'Mamba架构，输出价格…'). A name has no sentence punctuation
inside, is not a bare acronym of a few capitals (the gazetteer lists the organisations that
go by one), and is not one everyday word of the language: a word that Japanese's dictionary
(Sudachi, bundled with ja-ginza) files as a common noun or a place, or that Chinese's
(jieba's) files under a part of speech other than a person, organisation or other proper
name. An organisation or product written in CJK characters is not a description either:
words with no proper noun among them (Sudachi), or a Chinese phrase with a verb in it, or
of dictionary words ending in a common noun with no proper noun before it (jieba).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

MAX_NAME_CHARS = 24
_PUNCTUATION = re.compile(r"[，。、；：！？（）()「」『』《》〈〉【】“”\"'…—,;:!?]")
_ACRONYM = re.compile(r"^[A-Z]{1,4}s?$")
_HAN_ONLY = re.compile(r"^[\u3400-\u9fff]+$")
_HAN = re.compile(r"[\u3400-\u9fff]")
PROPER_TAGS = ("nr", "nrt", "nrfg", "nt", "nz")  # jieba: person, organisation, other proper


DESCRIBED = ("ORG", "PRODUCT", "MODEL")  # labels whose spans can be descriptions
_LATIN = re.compile(r"[A-Za-z]")


def can_be_name(surface: str, lang: str, label: str = "ORG") -> bool:
    if len(surface) > MAX_NAME_CHARS or _PUNCTUATION.search(surface) or _ACRONYM.match(surface):
        return False
    describable = label in DESCRIBED and not _LATIN.search(surface)
    if lang == "ja":
        return not _common_japanese_word(surface) and not (
            describable and _japanese_description(surface)
        )
    if lang.startswith("zh"):
        if _HAN_ONLY.match(surface) and _chinese_words().get(surface, "nr") not in PROPER_TAGS:
            return False
        return label == "PERSON" or not _chinese_description(surface, describable)
    return True


def _japanese_description(surface: str) -> bool:
    """Common nouns ending in a kanji head (クラウド基盤, 米国製品); katakana compounds of common
    words (ミナトロボティクス) are how new companies are named, so they stay."""
    tokens = _sudachi().tokenize(surface)
    if any(t.part_of_speech()[1] == "固有名詞" for t in tokens):
        return False
    return bool(_HAN.search(tokens[-1].surface()))


def _chinese_description(surface: str, describable: bool) -> bool:
    import jieba.posseg

    words = jieba.posseg.lcut(surface, HMM=False)
    if any(w.flag.startswith("v") for w in words):
        return True
    proper = any(w.flag in (*PROPER_TAGS, "ns") for w in words)
    known = all(len(w.word) > 1 for w in words)  # 智元机器人: an unknown 智元 may be a name
    return describable and words[-1].flag == "n" and known and not proper


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

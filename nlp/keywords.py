"""Content words of Japanese, Chinese and English text, tokenized properly: jieba for
Chinese, Sudachi (through spaCy's Japanese tokenizer) for Japanese, words for English.
Used for story labels and topic labels; never a space-split bag of CJK characters."""

from __future__ import annotations

import logging
import re
from collections import Counter
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language


_EN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-.]+")
_HAS_CONTENT = re.compile(r"[\u3040-\u30ff\u3400-\u9fffA-Za-z]")
STOP = {
    "ja": {
        "こと",
        "もの",
        "ため",
        "よう",
        "これ",
        "それ",
        "同社",
        "発表",
        "今回",
        "以上",
        "関係",
        "日本",
        "中国",
        "企業",
        "大手",
        "新た",
    },
    "zh": {
        "今天",
        "公司",
        "表示",
        "宣布",
        "发布",
        "进行",
        "已经",
        "目前",
        "相关",
        "方面",
        "其中",
        "中国",
        "我们",
        "他们",
        "这一",
        "一个",
        "以及",
        "可以",
    },
    "en": {"the", "and", "for", "with", "that", "this", "from", "its", "has", "will", "said"},
}


@cache
def _japanese() -> Language:
    import spacy  # imported on first use: it is slow to import

    return spacy.blank("ja")


def tokens(text: str, lang: str) -> list[str]:
    """Content words of `text` (nouns for ja, words of 2+ characters for zh and en)."""
    if lang == "ja":
        words = [
            t.text
            for t in _japanese()(text[:10_000])
            if t.tag_.startswith(("名詞", "固有名詞")) and not t.tag_.startswith("名詞-数詞")
        ]
    elif lang.startswith("zh"):
        import jieba

        jieba.setLogLevel(logging.WARNING)
        words = list(jieba.cut(text, HMM=False))  # dictionary words only: no 成各大 fragments
    else:
        words = [w.lower() for w in _EN_WORD.findall(text)]
    stop = STOP["zh" if lang.startswith("zh") else lang if lang in STOP else "en"]
    return [w for w in words if len(w) >= 2 and _HAS_CONTENT.search(w) and w not in stop]


def top_keywords(
    texts: list[str], lang: str, n: int = 3, exclude: set[str] = frozenset()
) -> list[str]:
    """The `n` words found in the most `texts`; a tie goes to the word that comes first
    (texts in order, words in reading order), so the same texts give the same words in
    every process."""
    counts = Counter(w for text in texts for w in _distinct(text, lang) if w not in exclude)
    return [w for w, _ in counts.most_common(n)]


@lru_cache(maxsize=4096)
def _distinct(text: str, lang: str) -> tuple[str, ...]:
    """A story's label counts the words of its latest titles again for every new article;
    in reading order, not a set's, whose order changes with the process's hash seed."""
    return tuple(dict.fromkeys(tokens(text, lang)))

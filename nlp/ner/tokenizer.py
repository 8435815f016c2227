"""A character tokenizer for the NER models: each CJK character (and each other symbol) is a
token, a run of Latin letters or digits is one token.

Why: a word segmenter (Sudachi, jieba) per sentence is the slowest part of a spaCy pipeline
and makes an unknown name's boundaries depend on its dictionary; a character tokenizer runs at
regex speed and lets the model draw the boundaries itself. Each token also carries its two
character bigrams (with the token before, as `tag_`, and after, as `lemma_`), which the
model embeds like words: the standard features of character-level CJK NER, at no
segmenter's cost.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy
from spacy.attrs import LEMMA, TAG
from spacy.language import Language
from spacy.strings import hash_string
from spacy.tokens import Doc
from spacy.util import registry
from spacy.vocab import Vocab

from nlp.fold import fold_char

_TOKEN = re.compile(r"[0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+| |\s+|\S")


def fold_hanzi(text: str) -> str:
    """Traditional (and Japanese) forms of Chinese characters as simplified ones, everything
    else untouched (Latin case is a name cue): the Chinese model reads 華為 as 华为."""
    return "".join(fold_char(c) if "\u3400" <= c <= "\u9fff" else c for c in text)


class CharTokenizer:
    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        spaces: list[bool] = []
        for token in _TOKEN.findall(text):
            if token == " " and words and not spaces[-1] and not words[-1].isspace():
                spaces[-1] = True  # one space after a token is its trailing whitespace
                continue
            words.append(token)
            spaces.append(False)
        doc = Doc(self.vocab, words=words, spaces=spaces)
        if words:
            # hashed, not added to the vocab's strings: a daemon's StringStore would only grow
            padded = ["<s>", *words, "</s>"]
            bigrams = [
                [hash_string(a + b), hash_string(b + c)]
                for a, b, c in zip(padded, words, padded[2:], strict=False)
            ]
            doc.from_array([TAG, LEMMA], numpy.array(bigrams, dtype="uint64"))
        return doc

    # spaCy serializes a pipeline's tokenizer with the model; this one has no state.
    def to_bytes(self, **kwargs: object) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs: object) -> CharTokenizer:
        return self

    def to_disk(self, path: object, **kwargs: object) -> None:
        return None

    def from_disk(self, path: object, **kwargs: object) -> CharTokenizer:
        return self


@registry.tokenizers("aiwatch_char_tokenizer_v1")
def make_char_tokenizer() -> Callable[[Language], CharTokenizer]:
    def create(nlp: Language) -> CharTokenizer:
        return CharTokenizer(nlp.vocab)

    return create

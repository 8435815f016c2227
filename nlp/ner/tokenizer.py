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
from bisect import bisect_right
from collections.abc import Callable

import numpy
from spacy.attrs import LEMMA, NORM, TAG
from spacy.lang.ja import JapaneseTokenizer
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


def char_words(text: str) -> tuple[list[str], list[bool]]:
    """The tokens of `text` and whether each has a trailing space: they join up to `text`."""
    words: list[str] = []
    spaces: list[bool] = []
    for token in _TOKEN.findall(text):
        if token == " " and words and not spaces[-1] and not words[-1].isspace():
            spaces[-1] = True  # one space after a token is its trailing whitespace
            continue
        words.append(token)
        spaces.append(False)
    return words, spaces


def expanded_spans(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """`spans` (start, end, label; in order, as a recogniser returns them) widened to whole
    character tokens of `text`, as `Doc.char_span(..., alignment_mode="expand")` and
    `Doc.ents` would on a CharTokenizer doc of `text` (a span that becomes empty is
    dropped, overlapping ones raise), without building that doc."""
    if not spans:
        return []
    starts: list[int] = []
    ends: list[int] = []  # the token's own end, without its trailing space
    at = 0
    for word, space in zip(*char_words(text), strict=True):
        starts.append(at)
        ends.append(at + len(word))
        at += len(word) + space
    out: list[tuple[int, int, str]] = []
    for start_char, end_char, label in spans:
        if not (0 <= start_char < len(text) and 0 < end_char <= len(text)):
            continue  # no token holds it: char_span gives None
        first = bisect_right(starts, start_char) - 1
        last = bisect_right(starts, end_char - 1) - 1
        if start_char == ends[first]:  # on a trailing space: not part of that token
            first += 1
        if first > last:
            continue
        if out and starts[first] < out[-1][1]:
            raise ValueError(f"overlapping entity spans at {start_char}-{end_char} of {text!r}")
        out.append((starts[first], ends[last], label))
    return out


class SudachiWords:
    """The Japanese model's words as spaCy's JapaneseTokenizer cuts them (Sudachi split mode
    A, a run of spaces one token, the text between words a token of its own) with the same
    normalized forms as NORM, and nothing the model does not read (tags, lemmas,
    readings, morphology): building those took two thirds of the tokenizer's time."""

    def __init__(self, japanese: JapaneseTokenizer) -> None:
        self.vocab = japanese.vocab
        self.sudachi = japanese.tokenizer

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        norms: list[str] = []
        after_space = False
        for morpheme in self.sudachi.tokenize(text):
            surface = morpheme.surface()
            if not surface:
                continue
            space = surface.isspace() and _is_space_tag(morpheme.part_of_speech())
            if space and after_space:
                continue  # continuous spaces: the first stands for them all
            after_space = space
            words.append(surface)
            norms.append(morpheme.normalized_form())
        if "".join("".join(words).split()) != "".join(text.split()):
            raise ValueError(f"Sudachi's words do not make up the text: {text!r}")
        if words and all(w.isspace() for w in words):
            return self._doc([text], [False], [text])
        out_words: list[str] = []
        out_norms: list[str] = []
        spaces: list[bool] = []
        at = 0
        for i, (word, norm) in enumerate(zip(words, norms, strict=True)):
            if word.isspace():
                continue
            start = text.index(word, at)
            if start > at:  # what lies between two words is a word of its own
                out_words.append(text[at:start])
                out_norms.append(text[at:start])
                spaces.append(False)
            out_words.append(word)
            out_norms.append(norm)
            spaces.append(False)
            at = start + len(word)
            if i + 1 < len(words) and words[i + 1] == " ":
                spaces[-1] = True
                at += 1
        if at < len(text):
            out_words.append(text[at:])
            out_norms.append(text[at:])
            spaces.append(False)
        return self._doc(out_words, spaces, out_norms)

    def _doc(self, words: list[str], spaces: list[bool], norms: list[str]) -> Doc:
        doc = Doc(self.vocab, words=words, spaces=spaces)
        if words:
            hashes = [[self.vocab.strings.add(n)] for n in norms]
            doc.from_array([NORM], numpy.array(hashes, dtype="uint64"))
        return doc


def _is_space_tag(pos: tuple[str, ...]) -> bool:
    """Sudachi's 空白 (whitespace) part of speech, as spaCy joins the tag."""
    return pos[0] == "空白" and all(p == "*" for p in pos[1:4])


class CharTokenizer:
    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words, spaces = char_words(text)
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

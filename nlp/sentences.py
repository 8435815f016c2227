"""Sentences with their offsets: the unit events are decided and explained by."""

from __future__ import annotations

import re
from typing import NamedTuple

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?|[^.\n]+(?:\.(?=\s|$))?")


class Sentence(NamedTuple):
    start: int
    end: int
    text: str


def sentences(text: str) -> list[Sentence]:
    """Japanese and Chinese sentences end at 。！？, English ones at a full stop and a space."""
    return [
        Sentence(m.start(), m.end(), m.group())
        for m in _SENTENCE.finditer(text)
        if m.group().strip()
    ]

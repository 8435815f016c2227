"""The spaCy pipelines per language, described as data and built on first use.

Japanese and Chinese: character tokens (nlp/ner/tokenizer.py) and aiwatch's trained NER
(`aiwatch_ner_v1`, models in nlp/ner/models/, each with its own tokenizer: Sudachi words for
Japanese). English: blank en, the trained English NER and, after it, the gazetteer ruler, so
that a known name wins over the model's span.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import spacy
from spacy.language import Language

import nlp.components  # noqa: F401 - registers the aiwatch_* factories

CHAR_TOKENS = {"nlp": {"tokenizer": {"@tokenizers": "aiwatch_char_tokenizer_v1"}}}
PIPELINES: dict[str, dict[str, Any]] = {
    "ja": {"blank": "ja", "config": CHAR_TOKENS, "add": [("aiwatch_ner_v1", {"model": "ja"})]},
    "zh": {
        "blank": "zh",
        "config": CHAR_TOKENS,
        "add": [("aiwatch_ner_v1", {"model": "zh", "fold_hanzi": True})],
    },
    "en": {
        "blank": "en",
        "add": [("aiwatch_ner_v1", {"model": "en"}), ("aiwatch_gazetteer_ruler_v1", {})],
    },
}


def pipeline_lang(lang: str) -> str:
    return "zh" if lang.startswith("zh") else lang if lang in PIPELINES else "en"


def has_recognizer(lang: str) -> bool:
    """Whether `lang`'s pipeline has a statistical recognizer (`aiwatch_ner_v1`)."""
    spec = PIPELINES[pipeline_lang(lang)]
    return any(factory == "aiwatch_ner_v1" for factory, _ in spec["add"])


def load_pipeline(lang: str, gazetteer_path: str = "") -> Language:
    """`gazetteer_path` matters only to a pipeline with a gazetteer ruler: the others are
    loaded once whatever the path (a pool worker finds the models its fork server loaded)."""
    name = pipeline_lang(lang)
    reads_gazetteer = any("gazetteer" in factory for factory, _ in PIPELINES[name]["add"])
    return _pipeline(name, gazetteer_path if reads_gazetteer else "")


@cache  # per pipeline, not per language tag: zh-Hans and zh-Hant share the Chinese model
def _pipeline(lang: str, gazetteer_path: str) -> Language:
    spec = PIPELINES[lang]
    nlp = spacy.blank(spec["blank"], config=spec.get("config", {}))
    for factory, config in spec["add"]:
        if "gazetteer" in factory:
            config = {**config, "gazetteer_path": gazetteer_path}
        nlp.add_pipe(factory, config=config)
    return nlp

"""The spaCy pipelines per language, described as data and built on first use.

Japanese: ginza's tokenizer and NER (parser and morphology excluded), the gazetteer ruler
before `ner`, ginza's labels mapped to ours. Chinese: blank zh with the jieba segmenter,
the gazetteer ruler, Baidu LAC. English: blank en with the gazetteer ruler.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

import spacy
from spacy.language import Language

import nlp.components  # noqa: F401 - registers the aiwatch_* factories

PIPELINES: dict[str, dict[str, Any]] = {
    "ja": {
        "load": "ja_ginza",
        "exclude": ["parser", "morphologizer", "compound_splitter", "bunsetu_recognizer"],
        "add": [
            ("aiwatch_gazetteer_ruler_v1", {"before": "ner"}),
            ("aiwatch_ginza_labels_v1", {"after": "ner"}),
        ],
    },
    "zh": {
        "blank": "zh",
        "config": {"nlp": {"tokenizer": {"segmenter": "jieba"}}},
        "add": [("aiwatch_gazetteer_ruler_v1", {}), ("aiwatch_lac_ner_v1", {})],
    },
    "en": {"blank": "en", "add": [("aiwatch_gazetteer_ruler_v1", {})]},
}


def pipeline_lang(lang: str) -> str:
    return "zh" if lang.startswith("zh") else lang if lang in PIPELINES else "en"


@cache
def load_pipeline(lang: str, gazetteer_path: str = "") -> Language:
    spec = PIPELINES[pipeline_lang(lang)]
    if spec.get("blank") == "zh":
        import jieba

        jieba.setLogLevel(logging.WARNING)  # its dictionary build logs to stderr
    if "load" in spec:
        nlp = spacy.load(spec["load"], exclude=spec.get("exclude", []))
    else:
        nlp = spacy.blank(spec["blank"], config=spec.get("config", {}))
    for factory, where in spec["add"]:
        config = {"gazetteer_path": gazetteer_path} if "gazetteer" in factory else {}
        nlp.add_pipe(factory, config=config, **where)
    return nlp

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.ner import gold


def test_gold_zh_file_loads_with_every_surface_found() -> None:
    sentences = gold.load("zh")
    assert len(sentences) >= 400
    for sentence in sentences:
        for start, end, label in sentence.spans:
            assert label in gold.TYPES
            assert 0 <= start < end <= len(sentence.text)
    labels = {label for s in sentences for *_, label in s.spans}
    assert labels == set(gold.TYPES)


def test_gold_zh_splits_are_disjoint_and_about_a_third_test() -> None:
    train, test = gold.split("zh", "train"), gold.split("zh", "test")
    assert not {s.text for s in train} & {s.text for s in test}
    assert 0.2 < len(test) / (len(train) + len(test)) < 0.4


@pytest.mark.parametrize(
    ("text", "entities", "spans"),
    [
        # a longer name claims its characters first; the shorter one is found elsewhere
        ("华为云与华为合作", ["华为|ORG", "华为云|ORG"], [(0, 3, "ORG"), (4, 6, "ORG")]),
        # every occurrence is labelled
        ("李明说，李明认为", ["李明|PERSON"], [(0, 2, "PERSON"), (4, 6, "PERSON")]),
        ("今年是元年", [], []),
    ],
)
def test_gold_locate_offsets(text: str, entities: list[str], spans: list) -> None:
    assert gold.locate(text, entities) == spans


@pytest.mark.parametrize(
    "entities",
    [["腾讯|ORG"], ["百度|COMPANY"], ["百度"], ["华为云|ORG", "华为|ORG"]],
)
def test_gold_locate_refuses_bad_records(entities: list[str]) -> None:
    # 腾讯 is absent; COMPANY is not a type; no type; 华为 only inside the listed 华为云
    with pytest.raises(ValueError):
        gold.locate("百度华为云", entities)


def test_gold_load_refuses_a_sentence_listed_twice(tmp_path: Path) -> None:
    path = tmp_path / "zh.yaml"
    path.write_text("- {t: 百度发布, e: [百度|ORG]}\n- {t: 百度发布, e: [百度|ORG]}\n", "utf-8")
    with pytest.raises(ValueError, match="twice"):
        gold.load("zh", path)


class _StubLac:
    """LAC's (word, tag) pairs for one sentence, without the model."""

    def __init__(self, words: list[tuple[str, str]]) -> None:
        self.words = words

    def run(self, sentence: str) -> list[tuple[str, str]]:
        return self.words


def test_build_labelled_gold_wins_and_lac_adds_only_places() -> None:
    from nlp.gazetteer import Gazetteer
    from nlp.ner.build import labelled

    text = "青岚智能在杭州发布产品，顾明远说"
    sentence = gold.Sentence(text, tuple(gold.locate(text, ["青岚智能|ORG", "顾明远|PERSON"])))
    lac = _StubLac(
        [
            ("青岚", "PER"),
            ("智能", "n"),
            ("在", "p"),
            ("杭州", "LOC"),
            ("发布", "v"),
            ("产品", "n"),
            ("，", "w"),
            ("顾明远", "PER"),
            ("说", "v"),
        ]
    )
    spans, missing = labelled(sentence, Gazetteer.load(), lac)
    assert sorted(spans) == [(0, 4, "ORG"), (5, 7, "LOC"), (12, 15, "PERSON")]
    assert missing == []

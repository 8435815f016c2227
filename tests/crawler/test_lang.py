"""Language identification on 300+ labelled texts: kanji-only Japanese headlines, Chinese
that shares characters with Japanese, simplified vs traditional, mixed pages."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from crawler.lang import detect

DATA = Path(__file__).parent / "data"
OWN = [(lang, text) for lang, text in yaml.safe_load((DATA / "lang_own.yaml").read_text())]
PUBLIC = [
    (case["lang"], case["text"]) for case in yaml.safe_load((DATA / "lang_public.yaml").read_text())
]
CASES = OWN + PUBLIC


def test_the_labelled_set_is_large_and_covers_every_language() -> None:
    assert len(CASES) >= 300
    assert {lang for lang, _ in CASES} == {"ja", "zh-Hans", "zh-Hant", "en"}


@pytest.mark.parametrize(
    ("lang", "text"), CASES, ids=[f"{i}-{lang}" for i, (lang, _) in enumerate(CASES)]
)
def test_detect_labelled_text(lang: str, text: str) -> None:
    assert detect(text) == lang


def test_mixed_page_follows_its_body() -> None:
    chinese_quote = "「我们将继续开源」"
    japanese_body = "同社は声明で" + chinese_quote + "と述べ、今後の計画を説明した。" * 3
    assert detect(japanese_body) == "ja"
    chinese_body = (
        "该公司在日本推出了名为「アシスタント」的应用，" + "并计划在明年扩大服务范围。" * 3
    )
    assert detect(chinese_body) == "zh-Hans"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("\ud800同社は声明で今後の計画を説明した。\udfff", "ja"),  # lone surrogates
        ("𠮷野家が新しいアプリを発表した😀", "ja"),  # characters past U+FFFF
        ("😀🎉\U0010ffff", "other"),
    ],
)
def test_detect_counts_characters_past_the_bmp_and_lone_surrogates_as_nothing(
    text: str, lang: str
) -> None:
    assert detect(text) == lang

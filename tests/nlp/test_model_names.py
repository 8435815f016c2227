from __future__ import annotations

import pytest

from nlp.entities import Found
from nlp.gazetteer import Entry, Gazetteer
from nlp.model_names import ModelNames, identity

GAZETTEER = Gazetteer(
    [
        Entry("org:deepseek", {"en": "DeepSeek", "zh": "深度求索"}),
        Entry("org:alibaba", {"en": "Alibaba", "zh": "阿里巴巴"}),
        Entry("model:qwen", {"en": "Qwen", "zh": "通义千问"}, links={"developer": "org:alibaba"}),
        Entry(
            "model:qwen3",
            {"en": "Qwen3"},
            links={"developer": "org:alibaba", "family": "model:qwen"},
        ),
        Entry("model:deepseek-r1", {"en": "DeepSeek-R1"}, links={"developer": "org:deepseek"}),
        Entry("model:deepseek-v3.2-exp", {"en": "DeepSeek-V3.2-Exp"}),
        Entry("model:glm-4.5", {"en": "GLM-4.5"}),
    ]
)
NAMES = ModelNames(GAZETTEER)


def _discovered(surface: str, key: str) -> Found:
    return Found(0, len(surface), surface, "MODEL", key, "discovery", surface)


def _known(text: str) -> list[Found]:
    return [
        Found(m.start, m.end, m.surface, m.label, m.key, "gazetteer") for m in GAZETTEER.match(text)
    ]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Qwen 3", "Qwen3"),
        ("qwen-3", "QWEN3"),
        ("ＧＬＭ－４.５", "glm-4.5"),
        ("model:step-3", "Step 3"),
    ],
)
def test_identity_ignores_separators(a: str, b: str) -> None:
    assert identity(a) == identity(b)


@pytest.mark.parametrize(("a", "b"), [("GLM-4.5", "GLM-45"), ("Qwen3", "Qwen3.5")])
def test_identity_keeps_version_dots(a: str, b: str) -> None:
    assert identity(a) != identity(b)


@pytest.mark.parametrize("surface", ["Qwen 3", "qwen-3", "QWEN3"])
def test_discovered_spelling_resolves_to_gazetteer_model(surface: str) -> None:
    ref = NAMES.resolve(_discovered(surface, "model:qwen-3"))
    assert ref.key == "model:qwen3"


def test_unknown_spellings_share_one_identity() -> None:
    one = NAMES.resolve(_discovered("Kimi K9", "model:kimi-k9"))
    other = NAMES.resolve(_discovered("Kimi-K9", "model:kimi-k9"))
    assert one.identity == other.identity and one.key == "model:kimi-k9"


def test_family_is_not_a_version() -> None:
    assert NAMES.is_family("model:qwen")
    assert not NAMES.is_family("model:qwen3")
    assert not NAMES.is_family("model:deepseek-r1")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DeepSeek今天更新了R1。", "model:deepseek-r1"),
        ("深度求索公开实验版「V3.2-Exp」", "model:deepseek-v3.2-exp"),
    ],
)
def test_bare_version_resolves_against_developer(text: str, expected: str) -> None:
    assert [f.key for f in NAMES.bare_versions(text, _known(text))] == [expected]


def test_bare_version_without_its_developer_is_nothing() -> None:
    text = "阿里巴巴表示R1很强。"
    assert NAMES.bare_versions(text, _known(text)) == []

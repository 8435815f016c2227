from __future__ import annotations

import re
from pathlib import Path

import pytest

from nlp.discovery import discover_models
from nlp.fold import fold
from nlp.gazetteer import Entry, Gazetteer, GazetteerError, write_without
from nlp.names import chinese_word_around, words_of


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load()


def test_gazetteer_has_at_least_150_entities_of_every_type(gazetteer: Gazetteer) -> None:
    assert len(gazetteer.entries) >= 150
    assert {e.type for e in gazetteer.entries.values()} == {
        "org",
        "person",
        "model",
        "product",
        "gov",
        "law",
        "chip",
    }


@pytest.mark.parametrize("text", ["騰訊", "腾讯", "テンセント", "Tencent", "ＴＥＮＣＥＮＴ"])
def test_linking_folds_scripts_width_and_case(gazetteer: Gazetteer, text: str) -> None:
    assert [m.key for m in gazetteer.match(f"今日{text}が発表")] == ["org:tencent"]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("通义千问", "model:qwen"),
        ("通義千問", "model:qwen"),
        ("Qwen", "model:qwen"),
        ("百度", "org:baidu"),
        ("バイドゥ", "org:baidu"),
        ("Baidu", "org:baidu"),
        ("国家网信办", "gov:cn-cac"),
        ("国家インターネット情報弁公室", "gov:cn-cac"),
        ("生成式人工智能服务管理暂行办法", "law:cn-genai-interim-measures"),
        ("生成AIサービス管理暫定弁法", "law:cn-genai-interim-measures"),
        ("昇騰910B", "chip:ascend-910b"),
        ("昇腾910B", "chip:ascend-910b"),
    ],
)
def test_linking_across_languages(gazetteer: Gazetteer, text: str, key: str) -> None:
    assert [m.key for m in gazetteer.match(text)] == [key]


def test_fold_keeps_length() -> None:
    text = "ＡＩ騰訊テンセント通義千問ばいどぅ🤖\x00"
    assert len(fold(text)) == len(text)


@pytest.mark.parametrize(
    ("japanese", "chinese"),
    [("国家網信弁", "国家网信办"), ("暫定弁法", "暂定办法"), ("予算", "预算")],
)
def test_fold_reads_shinjitai_as_names_write_them(japanese: str, chinese: str) -> None:
    assert fold(japanese) == fold(chinese)


@pytest.mark.parametrize("simplified", ["研究", "沪深两市", "新郎", "翻译", "概念", "欠款"])
def test_fold_leaves_simplified_chinese_as_it_is(simplified: str) -> None:
    """Characters that are simplified Chinese already are not read as shinjitai (研 -> 硏)."""
    assert fold(simplified) == simplified


@pytest.mark.parametrize(("traditional", "simplified"), [("後來", "后来"), ("於是", "于是")])
def test_fold_still_simplifies_traditional_in_the_standard_set(
    traditional: str, simplified: str
) -> None:
    assert fold(traditional) == simplified


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        (
            "字节跳动的豆包大模型调用量创新高,豆包用户增长",
            ["org:bytedance", "model:doubao", "model:doubao"],
        ),
        ("早餐吃了一个豆包和一碗豆浆", []),  # the steamed bun
        ("Yield curves and GLM-4.5", ["model:glm-4.5"]),  # ASCII names stand alone
        ("今年はめたに見ない暑さ", []),  # hiragana is not the katakana name メタ
    ],
)
def test_ambiguous_names_need_context(gazetteer: Gazetteer, text: str, keys: list[str]) -> None:
    assert [m.key for m in gazetteer.match(text)] == keys


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("百度は「文心X2」を公開した", [("文心X2", "model:ernie-x2")]),
        ("智谱发布新一代开源大模型GLM-5", [("GLM-5", "model:glm-5")]),
        (
            "Qwen3.5和通义千问3.5",
            [("Qwen3.5", "model:qwen-3-5"), ("通义千问3.5", "model:qwen-3-5")],
        ),
        ("DeepSeek-V4を公開", [("DeepSeek-V4", "model:deepseek-v4")]),
        ("《灵犀》大模型正式上线", [("灵犀", "model:灵犀")]),
        ("英伟达H800集群", []),  # a maker next to a known chip is not a new model
        ("2026年に「台風」が来た", []),  # quotes without a model word
    ],
)
def test_discovery_of_new_models(
    gazetteer: Gazetteer, text: str, found: list[tuple[str, str]]
) -> None:
    result = discover_models(text, gazetteer, gazetteer.match(text))
    assert [(d.surface, d.key) for d in result] == found


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("org:x: {en: X, developer: org:missing}\n", "org:missing"),
        ("Org X: {en: X}\n", "not <type>:<slug>"),
        ("term:x: {en: X-Bench, developer: org:x}\norg:x: {en: X}\n", "unknown fields"),
        ("term:x: {en: X-Bench}\norg:y: {en: Y, parent: term:x}\n", "term:x is not in"),
    ],
)
def test_gazetteer_errors_name_the_record(tmp_path: Path, text: str, error: str) -> None:
    """Terms take names only, and no record links to one."""
    bad = tmp_path / "g.yaml"
    bad.write_text(text)
    with pytest.raises(GazetteerError, match=error):
        Gazetteer.load(bad)


def test_gazetteer_folder_reads_every_file_and_refuses_a_key_twice(tmp_path: Path) -> None:
    good, twice = tmp_path / "good", tmp_path / "twice"
    for folder in (good, twice):
        folder.mkdir()
        (folder / "orgs.yaml").write_text("org:x: {en: X Corp}\n")
        (folder / "models.yaml").write_text("model:x-1: {en: X-1, developer: org:x}\n")
    (twice / "more.yaml").write_text("org:x: {en: X again}\n")
    assert set(Gazetteer.load(good).entries) == {"org:x", "model:x-1"}
    with pytest.raises(GazetteerError, match="defined twice"):
        Gazetteer.load(twice)


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("米商務省産業安全保障局は", ["gov:us-commerce", "gov:us-bis"]),
        ("美国商务部工业和安全局宣布", ["gov:us-commerce", "gov:us-bis"]),
        ("産業安全保障局は", ["gov:us-bis"]),
    ],
)
def test_a_name_made_of_parent_and_own_name_is_both(
    gazetteer: Gazetteer, text: str, keys: list[str]
) -> None:
    assert [m.key for m in gazetteer.match(text)] == keys


def test_terms_are_matched_only_to_be_left_out(gazetteer: Gazetteer) -> None:
    text = "Released under the MIT License, it beats rivals on MMLU-Pro. MIT researchers agree."
    assert [m.key for m in gazetteer.match(text)] == ["org:mit"]
    terms = [m for m in gazetteer.match(text, terms=True) if m.label == "TERM"]
    assert [m.key for m in terms] == ["term:mit-license", "term:mmlu-pro"]
    assert not set(gazetteer.terms) & set(gazetteer.entries)


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("各地教育部门加强管理", []),  # 教育部 inside the word 教育部门
        ("教育部等部门联合发布", ["gov:cn-moe"]),
        ("アラブ首長国連邦と国連が協議", ["gov:un"]),  # 国連 inside アラブ首長国連邦
        ("李彦宏会長が登壇", ["person:robin-li"]),  # a tokenizer's cut through a name
        ("第790号国务院令", ["gov:cn-state-council"]),  # a word that only adds to the name
    ],
)
def test_a_cjk_name_inside_a_longer_word_is_no_mention(
    gazetteer: Gazetteer, text: str, keys: list[str]
) -> None:
    assert [m.key for m in gazetteer.match(text)] == keys


@pytest.mark.parametrize(
    "text",
    [
        "各地教育部门加强管理",
        "第790号国务院令公布",
        "中华人民共和国国家互联网信息办公室发布",
        "華為技術有限公司",
    ],
)
def test_the_dictionary_check_finds_every_longer_word_jieba_cuts(text: str) -> None:
    """chinese_word_around spares jieba only where jieba has no longer word around a span
    with a Han character (the gazetteer asks about no other: a run of Latin letters or
    digits is one word of jieba's without being in its dictionary)."""
    words = words_of(text, False)
    for start in range(len(text)):
        for end in range(start + 2, len(text) + 1):
            if not re.search(r"[\u3400-\u9fff]", text[start:end]):
                continue
            inside = any(s <= start and end <= e and e - s > end - start for s, e in words)
            assert not inside or chinese_word_around(text, start, end), text[start:end]


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("通过百度智能云千帆大模型平台调用", ["org:baidu-ai-cloud", "product:qianfan"]),
        ("阿里云百炼上线", ["product:bailian"]),  # one name covers as much as two: one
    ],
)
def test_names_are_chosen_to_cover_the_most_text(
    gazetteer: Gazetteer, text: str, keys: list[str]
) -> None:
    assert [m.key for m in gazetteer.match(text)] == keys


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("星辰实验室发布Nova 3模型。", "Nova 3"),  # listed as Nova-3 only
        ("Nova3の性能は高い。", "Nova3"),
        ("Meet NOVA-3 today.", "NOVA-3"),
    ],
)
def test_a_version_is_linked_however_its_separator_is_written(text: str, surface: str) -> None:
    gazetteer = Gazetteer(
        [Entry("model:nova-3", {"en": "Nova-3"}), Entry("model:o1", {"en": "o1"})]
    )
    assert [(m.surface, m.key) for m in gazetteer.match(text)] == [(surface, "model:nova-3")]


def test_other_spellings_of_a_version_need_its_capital_and_a_brand() -> None:
    gazetteer = Gazetteer(
        [Entry("model:nova-3", {"en": "Nova-3"}), Entry("model:o1", {"en": "o1"})]
    )
    assert gazetteer.match("nova 3: install the package") == []  # a how-to's step
    assert gazetteer.match("o 1 and o-1") == []  # no brand of three letters


def test_a_gazetteer_without_some_records_knows_nothing_of_them(
    gazetteer: Gazetteer, tmp_path: Path
) -> None:
    """What aiwatch would know were the CAC and its rules new: no record, no link to them."""
    gone = {"gov:cn-cac", "law:cn-genai-interim-measures"}
    smaller = Gazetteer.load(write_without(gone, tmp_path / "gazetteer.yaml"))
    assert not gone & set(smaller.entries)
    assert len(smaller.entries) == len(gazetteer.entries) - 2
    assert gazetteer.entries["law:cn-deep-synthesis-provisions"].links["issuer"] == "gov:cn-cac"
    assert "issuer" not in smaller.entries["law:cn-deep-synthesis-provisions"].links
    assert smaller.lookup("网信办") is None and gazetteer.lookup("网信办") is not None

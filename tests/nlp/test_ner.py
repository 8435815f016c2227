from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from spacy.util import registry
from sqlalchemy import select

from nlp.entities import EntityRecognizer
from nlp.gazetteer import Gazetteer
from nlp.ner import MODELS, models_digest
from nlp.ner.tokenizer import CharTokenizer, SudachiWords, expanded_spans, fold_hanzi
from nlp.pipelines import PIPELINES, has_recognizer, load_pipeline
from nlp.process import process_pending
from nlp.store_entities import discovered_entities, learnt_entries
from store.articles import ArticleRecord, save_article
from store.models import Source
from tests.conftest import Cli, StoreHandle

# Sentences written for this test; none of these people or companies is in the gazetteer.
UNKNOWN = [
    (
        "ja",
        "東京のスタートアップ、ミナトロボティクスの松井秀明社長は記者会見で新しいAIサービスを発表した。",
        "松井秀明",
        "PERSON",
    ),
    (
        "ja",
        "ミナトロボティクスの高森修一社長は新しいAIモデルを発表した。",
        "ミナトロボティクス",
        "ORG",
    ),
    (
        "zh-Hans",
        "杭州云图智能科技有限公司创始人陈立新在发布会上表示，新模型将于下月开源。",
        "陈立新",
        "PERSON",
    ),
    (
        "zh-Hans",
        "深圳星河数智科技有限公司今天宣布完成新一轮融资。",
        "深圳星河数智科技有限公司",
        "ORG",
    ),
]


def test_char_tokenizer_keeps_text_and_latin_runs() -> None:
    import spacy

    nlp = spacy.blank("ja")
    text = "百度のRobin Li氏は  GPT-4.5を発表"
    doc = CharTokenizer(nlp.vocab)(text)
    assert doc.text == text
    assert [t.text for t in doc][:6] == ["百", "度", "の", "Robin", "Li", "氏"]
    assert fold_hanzi("華為Huawei") == "华为Huawei"


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("百度のRobin Li氏はGPT-4.5を発表", [(0, 2, "ORG"), (5, 7, "PERSON"), (14, 15, "MODEL")]),
        ("アリババのQwen3000を", [(5, 9, "PRODUCT")]),  # inside a Latin run: the whole run
        ("Robin Li氏  が", [(5, 8, "PERSON"), (11, 12, "ORG")]),  # on a trailing space
        ("A  B", [(1, 2, "ORG"), (3, 4, "ORG")]),  # a space that is a token of its own
        ("短い", [(0, 3, "ORG"), (2, 2, "ORG")]),  # past the end
    ],
)
def test_expanded_spans_are_what_a_char_token_doc_sets(
    text: str, spans: list[tuple[int, int, str]]
) -> None:
    import spacy

    doc = CharTokenizer(spacy.blank("ja").vocab)(text)
    expanded = [doc.char_span(s, e, label=label, alignment_mode="expand") for s, e, label in spans]
    doc.ents = [s for s in expanded if s is not None]
    assert expanded_spans(text, spans) == [(e.start_char, e.end_char, e.label_) for e in doc.ents]


def test_expanded_spans_that_overlap_raise_as_doc_ents_does() -> None:
    import spacy

    text, spans = "Qwen3000", [(0, 4, "MODEL"), (5, 8, "MODEL")]
    doc = CharTokenizer(spacy.blank("ja").vocab)(text)
    with pytest.raises(ValueError):
        doc.ents = [doc.char_span(s, e, label=lb, alignment_mode="expand") for s, e, lb in spans]
    with pytest.raises(ValueError, match="overlapping"):
        expanded_spans(text, spans)


@pytest.mark.parametrize(
    "text",
    [
        "ミナトロボティクスの高森修一社長は新しいAIモデルを発表した。",
        "  百度の Robin Li 氏は\u3000「文心X2」を  発表 。\n\nGPT-4.5 ",
        "",
        " \u3000 ",
        "…",
    ],
)
def test_sudachi_words_are_the_japanese_tokenizers_words_and_norms(text: str) -> None:
    from spacy.lang.ja import JapaneseTokenizer

    spacy_words = JapaneseTokenizer(load_pipeline("ja").vocab, split_mode="A")
    ours = SudachiWords(spacy_words)
    assert [(t.text, t.whitespace_, t.norm_) for t in ours(text)] == [
        (t.text, t.whitespace_, t.norm_) for t in spacy_words(text)
    ]


def test_one_pipeline_per_language_whatever_the_tag() -> None:
    assert load_pipeline("zh-Hans") is load_pipeline("zh-Hant") is load_pipeline("zh")


def test_ner_component_registered_in_pipeline_config() -> None:
    for lang in ("ja", "zh"):
        assert [f for f, _ in PIPELINES[lang]["add"]] == ["aiwatch_ner_v1"]
        assert has_recognizer(lang)
    assert PIPELINES["zh"]["add"][0][1]["fold_hanzi"] is True
    assert has_recognizer("en")  # the English NER before the gazetteer ruler
    assert registry.factories.get("aiwatch_ner_v1")


def test_ner_models_digest_changes_with_any_model_file(tmp_path: Path) -> None:
    shutil.copytree(MODELS / "ja" / "ner", tmp_path / "ja" / "ner")
    before = models_digest(tmp_path)
    assert models_digest(tmp_path) == before
    (tmp_path / "ja" / "ner" / "cfg").write_text("{}", encoding="utf-8")
    assert models_digest(tmp_path) != before


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["ja", "zh"])
def test_ner_model_ships_small_and_loads_offline(lang: str) -> None:
    model = MODELS / lang
    size = sum(f.stat().st_size for f in model.rglob("*") if f.is_file())
    assert size < 10_000_000, size
    assert (model / "NOTICE.md").exists()
    assert not (model.parent.parent / "training").is_relative_to(model)
    # a fresh interpreter that cannot reach any hub loads it from the repo
    code = f"from nlp.pipelines import load_pipeline; print(load_pipeline({lang!r}).pipe_names)"
    env = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['aiwatch_ner_v1']"
    model_nlp = load_pipeline(lang).get_pipe("aiwatch_ner_v1").nlp
    assert {"ORG", "PERSON", "PRODUCT", "GOV", "MODEL"} <= set(model_nlp.get_pipe("ner").labels)
    # Japanese reads ja_ginza's vectors from the installed package; none are shipped
    assert not (model / "vocab" / "vectors").exists()
    assert model_nlp.vocab.vectors.shape == ((20000, 300) if lang == "ja" else (0, 0))


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "text", "name", "label"), UNKNOWN)
def test_ner_finds_unknown_names(lang: str, text: str, name: str, label: str) -> None:
    found = {(f.surface, f.label, f.method) for f in EntityRecognizer().find(text, lang)}
    assert (name, label, "ner") in found


@pytest.mark.slow
def test_ner_span_overlapping_gazetteer_match_is_linked_to_it(tmp_path: Path) -> None:
    text = UNKNOWN[2][1]
    alone = EntityRecognizer(gazetteer=Gazetteer([])).find(text, "zh-Hans")
    assert ("杭州云图智能科技有限公司", "ner") in {(f.surface, f.method) for f in alone}
    # the firm's registered name (the known name and a legal form) is the known entity
    gazetteer = tmp_path / "orgs.yaml"
    gazetteer.write_text("org:yuntu: {zh: 杭州云图智能, en: Yuntu}\n", encoding="utf-8")
    found = EntityRecognizer(gazetteer_path=gazetteer).find(text, "zh-Hans")
    assert ("杭州云图智能科技有限公司", "org:yuntu", "gazetteer") in {
        (f.surface, f.key, f.method) for f in found
    }
    assert not [f for f in found if f.method == "ner" and f.start < 6]


def _report(store: StoreHandle, items: list[tuple[str, str, str, str]]) -> None:
    """Articles (url, outlet, lang, body), each outlet a source in the store."""
    with store.sessions.begin() as s:
        known = set(s.scalars(select(Source.name)))
        for name in sorted({outlet for _, outlet, _, _ in items} - known):
            s.add(Source(name=name, kind="news", lang="zh"))
        s.flush()
        for url, outlet, lang, body in items:
            record = ArticleRecord(
                url,
                body[:12],
                body,
                lang,
                source=outlet,
                published_at=datetime(2026, 5, 1, tzinfo=UTC),
            )
            save_article(s, record)


NEW_PERSON = "杭州云图智能科技有限公司创始人陈立新在发布会上表示，新模型将于下月开源。"


@pytest.mark.slow
def test_discovered_entity_needs_two_sources_and_is_listed(
    store: StoreHandle, cli_store: Cli
) -> None:
    _report(
        store,
        [
            ("https://a/1", "outlet-a", "zh-Hans", NEW_PERSON),
            ("https://a/2", "outlet-a", "zh-Hans", "陈立新说，公司的新模型将于下月开源。"),
            (
                "https://c/1",
                "outlet-c",
                "zh-Hans",
                "深圳星河数智科技有限公司今天宣布完成新一轮融资。",
            ),
        ],
    )
    assert cli_store("process").code == 0
    with store.sessions() as s:
        assert not {"person:陈立新", "org:深圳星河数智科技有限公司"} & {
            d.key for d in discovered_entities(s)
        }
        assert "person:陈立新" not in {e.key for e in learnt_entries(s, Gazetteer.load())}
    _report(
        store,
        [
            (
                "https://b/1",
                "outlet-b",
                "zh-Hant",
                "杭州雲圖智能創辦人陳立新表示，新模型將於年內開源。",
            )
        ],
    )
    process_pending(store.sessions)
    with store.sessions() as s:
        person = {d.key: d for d in discovered_entities(s)}["person:陈立新"]
        assert "person:陈立新" in {e.key for e in learnt_entries(s, Gazetteer.load())}
    assert (person.type, person.sources, person.mentions) == ("person", 2, 5)  # 2 in titles
    assert person.names == {"zh": "陈立新"}  # the more frequent of 陈立新 and 陳立新
    result = cli_store("entities", "list", "--discovered", "--type", "person", "--json")
    assert result.code == 0, result.err
    rows = {row["key"]: row for row in json.loads(result.out)}
    assert rows["person:陈立新"]["sources"] == 2 and rows["person:陈立新"]["name_zh"] == "陈立新"
    assert all(row["type"] == "person" for row in rows.values())
    orgs = json.loads(cli_store("entities", "list", "--discovered", "--type", "org", "--json").out)
    assert "org:深圳星河数智科技有限公司" not in {row["key"] for row in orgs}  # one source only

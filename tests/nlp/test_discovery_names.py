"""Discovered names unify across scripts and languages: Han variants fold to one key, a
parenthetical alias ties a name to the entity it glosses, and a discovered entity's type is
the one most of its names were proposed with. Sentences and names written for this test;
the spans are given as the recogniser proposes them, so the test does not depend on a model."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nlp.discovery import aliases_after, heads_before, slugify
from nlp.entities import LABEL_TO_TYPE, Found
from nlp.gazetteer import Gazetteer
from nlp.store_entities import discovered_entities, entity_for, learnt_entries, sync_gazetteer
from store.articles import ArticleRecord, save_article
from store.models import Entity, EntityName, Mention, Source
from tests.conftest import StoreHandle


@pytest.mark.parametrize(
    ("text", "name", "aliases"),
    [
        ("光年跃迁（Lightyear Leap）今天发布新模型。", "光年跃迁", ["Lightyear Leap"]),
        (
            "ライトイヤーAI（Lightyear AI、光年跃迁）が発表した。",
            "ライトイヤーAI",
            ["Lightyear AI", "光年跃迁"],
        ),
        ("北京光年跃迁科技有限公司（以下简称“光年”）表示", "北京光年跃迁科技有限公司", ["光年"]),
        ("東雲ロボティクス（以下、東雲）は", "東雲ロボティクス", ["東雲"]),
        ("Lightyear Leap (光年跃迁) said on Monday", "Lightyear Leap", ["光年跃迁"]),
        ("光年跃迁（北京）科技", "光年跃迁", ["北京"]),  # kept here, filtered as an everyday word
        ("光年跃迁发布（新品）。", "光年跃迁", []),  # the parenthesis does not follow the name
        ("光年跃迁（Lightyear Leap", "光年跃迁", []),  # never closed
    ],
)
def test_aliases_after_reads_the_parenthesis_next_to_a_name(
    text: str, name: str, aliases: list[str]
) -> None:
    end = text.index(name) + len(name)
    assert aliases_after(text, end) == aliases


def test_heads_before_offers_the_glossed_name_for_a_name_in_parentheses() -> None:
    text = "报道称，光年跃迁（Lightyear Leap、LYL）今天发布"
    assert "光年跃迁" in heads_before(text, text.index("Lightyear"))
    assert "光年跃迁" in heads_before(text, text.index("LYL"))
    assert heads_before("光年跃迁（新品Lightyear）", len("光年跃迁（新品")) == []
    assert heads_before("光年跃迁发布了Lightyear", 7) == []


def _article(store: StoreHandle, url: str, body: str, lang: str, outlet: str) -> int:
    with store.sessions.begin() as s:
        if s.scalar(select(Source.id).where(Source.name == outlet)) is None:
            s.add(Source(name=outlet, kind="news"))
            s.flush()
        record = ArticleRecord(url, url.rsplit("/", 1)[1], body, lang, source=outlet)
        return save_article(s, record).article_id


def _recognised(
    store: StoreHandle, article_id: int, body: str, lang: str, spans: list[tuple[str, str]]
) -> list[str]:
    """What the NLP stage does with recogniser spans (surface, label): an entity for each
    and a mention row; returns the entity keys, in order."""
    keys = []
    with store.sessions.begin() as s:
        for surface, label in spans:
            start = body.index(surface)
            key = f"{LABEL_TO_TYPE[label]}:{slugify(surface)}"
            found = Found(start, start + len(surface), surface, label, key, "ner")
            entity_id, _ = entity_for(s, found, lang, article_id)
            s.add(
                Mention(
                    article_id=article_id,
                    entity_id=entity_id,
                    field="body",
                    surface=surface,
                    start_char=found.start,
                    end_char=found.end,
                    method="ner",
                )
            )
            s.flush()
            keys.append(s.get(Entity, entity_id).key)
    return keys


def _report(
    store: StoreHandle, url: str, body: str, lang: str, spans: list[tuple[str, str]]
) -> list[str]:
    outlet = url.split("/")[2]
    return _recognised(store, _article(store, url, body, lang, outlet), body, lang, spans)


def test_traditional_simplified_and_shinjitai_names_share_one_entity(store: StoreHandle) -> None:
    keys = [
        *_report(
            store,
            "https://a.example/1",
            "雲圖數智今日發表新模型。",
            "zh-Hant",
            [("雲圖數智", "ORG")],
        ),
        *_report(
            store,
            "https://b.example/1",
            "云图数智今天发布新模型。",
            "zh-Hans",
            [("云图数智", "ORG")],
        ),
        *_report(
            store,
            "https://c.example/1",
            "雲図数智は新モデルを発表した。",
            "ja",
            [("雲図数智", "PRODUCT")],
        ),
    ]
    assert keys == ["org:云图数智"] * 3


def test_a_parenthetical_alias_bridges_katakana_and_chinese_names(store: StoreHandle) -> None:
    zh = _report(
        store,
        "https://zh.example/1",
        "光年跃迁（Lightyear Leap）今天发布了新的推理模型。",
        "zh-Hans",
        [("光年跃迁", "ORG"), ("Lightyear Leap", "ORG")],
    )
    ja = _report(
        store,
        "https://ja.example/1",
        "中国の新興企業ライトイヤーリープ（Lightyear Leap）は新モデルを公開した。",
        "ja",
        [("ライトイヤーリープ", "ORG")],
    )
    later = _report(
        store,
        "https://ja.example/2",
        "ライトイヤーリープは資金調達を発表した。",
        "ja",
        [("ライトイヤーリープ", "ORG")],
    )
    assert zh + ja + later == ["org:光年跃迁"] * 4
    with store.sessions() as s:
        (entity,) = discovered_entities(s)
        names = set(s.execute(select(EntityName.lang, EntityName.name).join(Entity)).tuples().all())
        (learnt,) = learnt_entries(s, Gazetteer.load())
    assert (entity.key, entity.sources) == ("org:光年跃迁", 2)
    assert entity.names == {"ja": "ライトイヤーリープ", "zh": "光年跃迁"}
    assert {("ja", "ライトイヤーリープ"), ("zh", "光年跃迁"), ("en", "Lightyear Leap")} <= names
    # the next run matches every name, the alias too, as it matches a gazetteer name
    assert {"光年跃迁", "Lightyear Leap", "ライトイヤーリープ"} <= set(learnt.surfaces)


def test_a_name_in_parentheses_joins_the_known_name_it_glosses(store: StoreHandle) -> None:
    with store.sessions.begin() as s:
        sync_gazetteer(s, Gazetteer.load())
    body = "華為技術（ホワウェイ）は新しい半導体を発表した。"
    assert _report(store, "https://ja.example/1", body, "ja", [("ホワウェイ", "ORG")]) == [
        "org:huawei"
    ]
    again = "ホワウェイの新製品が話題だ。"  # an earlier article tied this surface to Huawei
    assert _report(store, "https://ja.example/2", again, "ja", [("ホワウェイ", "PRODUCT")]) == [
        "org:huawei"
    ]
    with store.sessions() as s:  # a curated entity keeps its type and its names
        huawei = s.scalar(select(Entity).where(Entity.key == "org:huawei"))
        assert huawei.type == "org" and "ホワウェイ" not in huawei.aliases.get("aka", [])


def test_asides_in_parentheses_are_no_aliases(store: StoreHandle) -> None:
    body = "雲図数智の評価弁法（試行）と雲図数智ラボ（約3億円）"
    _report(
        store, "https://ja.example/1", body, "ja", [("評価弁法", "LAW"), ("雲図数智ラボ", "ORG")]
    )
    with store.sessions() as s:
        names = set(s.scalars(select(EntityName.name)))
    assert names == {"評価弁法", "雲図数智ラボ"}


def test_a_discovered_entity_takes_the_type_most_names_were_proposed_with(
    store: StoreHandle,
) -> None:
    first = _report(
        store, "https://a.example/1", "星岚说，模型下月开源。", "zh-Hans", [("星岚", "PERSON")]
    )
    _report(store, "https://b.example/1", "星嵐發布新模型。", "zh-Hant", [("星嵐", "ORG")])
    _report(store, "https://c.example/1", "星嵐は新モデルを発表した。", "ja", [("星嵐", "ORG")])
    assert first == ["person:星岚"]
    with store.sessions() as s:
        (entity,) = s.scalars(select(Entity)).all()
        mentions = s.scalars(select(Mention.entity_id)).all()
    assert (entity.key, entity.type) == ("org:星岚", "org")
    assert set(mentions) == {entity.id}


def test_entities_an_alias_tied_after_both_were_stored_become_one_at_the_next_run(
    store: StoreHandle,
) -> None:
    _report(
        store,
        "https://ja.example/1",
        "ライトイヤーリープが発表した。",
        "ja",
        [("ライトイヤーリープ", "ORG")],
    )
    _report(store, "https://zh.example/1", "光年跃迁发布新模型。", "zh-Hans", [("光年跃迁", "ORG")])
    tied = "ライトイヤーリープ（光年跃迁）は資金を調達した。"  # both already stored: no merge yet
    _report(store, "https://ja.example/2", tied, "ja", [("ライトイヤーリープ", "ORG")])
    with store.sessions.begin() as s:
        assert len(s.scalars(select(Entity)).all()) == 2
        sync_gazetteer(s, Gazetteer([]))  # what a run does first
    with store.sessions() as s:
        (entity,) = s.scalars(select(Entity)).all()
        mentions = s.scalars(select(Mention.entity_id)).all()
    assert entity.key == "org:ライトイヤーリープ" and set(mentions) == {entity.id}
    assert {"ライトイヤーリープ", "光年跃迁"} <= set(entity.aliases["aka"])
    assert entity.aliases["types"] == {"org": 3}  # its three sightings

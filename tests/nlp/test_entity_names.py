"""Every name of every entity in v_entity_names, and search that finds an entity in any
script (real SQLite and PostgreSQL, the real CLI)."""

from __future__ import annotations

import json

from sqlalchemy import select, text

from nlp.entity_names import alias_lang, entity_ids_named
from nlp.gazetteer import Gazetteer
from nlp.store_entities import merge, sync_gazetteer
from store.articles import ArticleRecord, save_article
from store.models import Entity, Mention
from tests.conftest import Cli, StoreHandle


def test_alias_language_is_read_off_its_script() -> None:
    assert [alias_lang(n) for n in ("ファーウェイ", "Huawei", "華為技術", "华为技术")] == [
        "ja",
        "en",
        "zh-Hant",
        "zh",
    ]


def test_entity_names_view_lists_every_name_per_language(store: StoreHandle) -> None:
    with store.sessions.begin() as s:
        sync_gazetteer(s, Gazetteer.load())
    with store.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT lang, name, preferred FROM v_entity_names WHERE entity_key = 'org:huawei'")
        ).all()
    names = {(lang, name): bool(preferred) for lang, name, preferred in rows}
    assert names[("ja", "ファーウェイ")] and names[("zh", "华为")] and names[("en", "Huawei")]
    assert names[("zh-Hant", "華為")] is True  # derived from the simplified name
    assert names[("zh", "华为技术")] is False
    with store.sessions.begin() as s:  # a second sync changes nothing
        assert sync_gazetteer(s, Gazetteer.load()) == 0


def test_merge_moves_names_to_the_target(store: StoreHandle) -> None:
    with store.sessions.begin() as s:
        sync_gazetteer(s, Gazetteer.load())
        s.add(Entity(key="org:hw-new", type="org", name_zh="华为终端新公司", discovered=True))
        s.flush()
        merge(s, "org:hw-new", "org:huawei")
        assert entity_ids_named(s, "华为终端新公司") == entity_ids_named(s, "Huawei")


def test_search_finds_an_entity_written_in_another_script(
    store: StoreHandle, cli_store: Cli
) -> None:
    with store.sessions.begin() as s:
        sync_gazetteer(s, Gazetteer.load())
        huawei = s.scalar(select(Entity.id).where(Entity.key == "org:huawei"))
        named = save_article(
            s,
            ArticleRecord("https://e.example/1", "华为发布芯片", "华为今天发布新芯片。", "zh-Hans"),
        ).article_id
        s.add(
            Mention(
                article_id=named,
                entity_id=huawei,
                field="body",
                surface="华为",
                start_char=0,
                end_char=2,
                method="gazetteer",
            )
        )
        save_article(
            s,
            ArticleRecord("https://e.example/2", "天气", "今天北京天气晴朗，气温回升。", "zh-Hans"),
        )
        save_article(
            s,
            ArticleRecord(
                "https://e.example/3",
                "人工智能标识办法",
                "人工智能生成内容的标识办法公布。",
                "zh-Hans",
            ),
        )
    for query in ("ファーウェイ", "華為", "Huawei", "huawei"):
        result = cli_store("search", query, "--json")
        assert result.code == 0, result.err
        assert [h["article_id"] for h in json.loads(result.out)] == [named], query
    both = cli_store("search", "人工智能", "标识", "--json")
    assert [h["url"] for h in json.loads(both.out)] == ["https://e.example/3"]
    assert json.loads(cli_store("search", "人工智能", "天气", "--json").out) == []

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from store.articles import ArticleRecord, save_article
from store.search import search_articles
from tests.conftest import StoreHandle

ARTICLES = [
    (
        "https://a.example/1",
        "阿里巴巴发布通义千问新版本",
        "阿里云在杭州宣布推出通义千问系列的新模型,开放权重。",
        "zh-Hans",
        1,
    ),
    (
        "https://a.example/2",
        "百度文心大模型降价",
        "百度宣布文心一言的企业版价格下调,面向开发者。",
        "zh-Hans",
        2,
    ),
    (
        "https://a.example/3",
        "通義千問の新版が登場",
        "アリババは通義千問の新しいモデルを公開した。",
        "ja",
        3,
    ),
    (
        "https://a.example/4",
        "生成AIの規制強化",
        "中国の国家インターネット情報弁公室が新しい規定を公表した。",
        "ja",
        4,
    ),
]


@pytest.fixture
def filled(store: StoreHandle) -> StoreHandle:
    with store.sessions.begin() as s:
        for url, title, body, lang, day in ARTICLES:
            published = datetime(2026, 5, day, tzinfo=UTC)
            save_article(s, ArticleRecord(url, title, body, lang, published_at=published))
    return store


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("通义千问", ["https://a.example/1"]),  # simplified, trigram index
        ("通義千問", ["https://a.example/3"]),  # Japanese shinjitai, trigram index
        ("百度", ["https://a.example/2"]),  # two characters: substring fallback
        ("規定", ["https://a.example/4"]),
        ("模型 开放权重", ["https://a.example/1"]),  # every term must match
        ("新", ["https://a.example/4", "https://a.example/3", "https://a.example/1"]),
        ("存在しない語", []),
        ('引号"内', []),  # quotes cannot break the FTS query
        ("100%", []),  # LIKE wildcards are literal
    ],
)
def test_search_finds_cjk_terms_newest_first(
    filled: StoreHandle, query: str, expected: list[str]
) -> None:
    with filled.sessions() as s:
        hits = search_articles(s, query)
    assert [h.url for h in hits] == expected


def test_sqlite_index_merges_segments_lazily_and_still_finds_every_article(
    store: StoreHandle,
) -> None:
    if store.dialect != "sqlite":
        pytest.skip("FTS5 is SQLite's index; PostgreSQL maintains pg_trgm itself")
    with store.sessions() as s:
        automerge = s.execute(text("SELECT v FROM articles_fts_config WHERE k = 'automerge'"))
        assert automerge.scalar_one() == 16
    for n in range(40):  # one transaction each: forty segments to merge or read
        with store.sessions.begin() as s:
            save_article(
                s, ArticleRecord(f"https://b.example/{n}", f"記事{n}", f"本文{n}です。", "ja")
            )
    with store.sessions() as s:
        assert len(search_articles(s, "です。", limit=100)) == 40
        assert [h.url for h in search_articles(s, "本文17")] == ["https://b.example/17"]

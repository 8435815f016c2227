from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from store.articles import ArticleRecord, save_article
from store.search import PENDING, index_pending, search_articles
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


@pytest.fixture(params=["just stored", "indexed"])
def filled(store: StoreHandle, request: pytest.FixtureRequest) -> StoreHandle:
    """The articles as the crawl leaves them, and after the NLP stage has indexed them."""
    with store.sessions.begin() as s:
        for url, title, body, lang, day in ARTICLES:
            published = datetime(2026, 5, day, tzinfo=UTC)
            save_article(s, ArticleRecord(url, title, body, lang, published_at=published))
    if request.param == "indexed":
        assert index_pending(store.sessions) == (len(ARTICLES) if store.dialect == "sqlite" else 0)
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
    for n in range(40):  # indexed one at a time: forty segments to merge or read
        with store.sessions.begin() as s:
            save_article(
                s, ArticleRecord(f"https://b.example/{n}", f"記事{n}", f"本文{n}です。", "ja")
            )
        assert index_pending(store.sessions) == 1
    with store.sessions() as s:
        assert s.scalar(text(f"SELECT count(*) FROM {PENDING}")) == 0
        assert len(search_articles(s, "です。", limit=100)) == 40
        assert [h.url for h in search_articles(s, "本文17")] == ["https://b.example/17"]


def test_sqlite_index_holds_the_current_text_of_articles_changed_or_deleted_at_any_time(
    store: StoreHandle,
) -> None:
    """Changed and deleted before and after indexing: the index never keeps old text
    (FTS5's integrity check compares it with the articles)."""
    if store.dialect != "sqlite":
        pytest.skip("FTS5 is SQLite's index; PostgreSQL maintains pg_trgm itself")

    def store_two(first: int) -> None:
        with store.sessions.begin() as s:
            for n in (first, first + 1):
                record = ArticleRecord(f"https://c.example/{n}", f"標題{n}", f"旧本文{n}", "ja")
                save_article(s, record)

    def change_and_delete(first: int) -> None:
        with store.sessions.begin() as s:
            s.execute(
                text("UPDATE articles SET body = :body WHERE url = :url"),
                {"body": f"新本文{first}", "url": f"https://c.example/{first}"},
            )
            s.execute(text("DELETE FROM articles WHERE url = :url"), {"url": f"https://c.example/{first + 1}"})

    store_two(1)
    assert index_pending(store.sessions) == 2
    change_and_delete(1)  # indexed, then changed
    store_two(3)
    change_and_delete(3)  # changed before it was indexed
    assert index_pending(store.sessions) == 2  # 1 again and 3; 4 was deleted first
    with store.sessions() as s:
        s.execute(text("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)"))
        assert s.scalar(text(f"SELECT count(*) FROM {PENDING}")) == 0
        assert [h.url for h in search_articles(s, "旧本文")] == []
        found = [h.url for h in search_articles(s, "新本文", limit=10)]
        assert sorted(found) == ["https://c.example/1", "https://c.example/3"]


@pytest.mark.parametrize("query", ["通义千问", "百度", "規定", "存在しない語", '引号"内'])
def test_datasette_search_query_finds_what_aiwatch_search_finds(
    filled: StoreHandle, query: str
) -> None:
    from aiwatch.serve.metadata import SEARCH_SQL

    if filled.dialect != "sqlite":
        pytest.skip("aiwatch serve serves SQLite files")
    with filled.sessions() as s:
        served = s.execute(text(SEARCH_SQL), {"q": query}).all()
        assert sorted(row.url for row in served) == sorted(h.url for h in search_articles(s, query))


def test_sqlite_index_survives_migrating_down_and_up_again(store: StoreHandle) -> None:
    """0007 down indexes what is noted and puts back indexing on write; up notes again."""
    from alembic import command

    from store.schema import _alembic_config

    if store.dialect != "sqlite":
        pytest.skip("0007 changes SQLite's index only")

    def migrate(step: object, revision: str) -> None:
        cfg = _alembic_config()
        with store.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            step(cfg, revision)  # type: ignore[operator]

    def add(n: int) -> None:
        with store.sessions.begin() as s:
            save_article(s, ArticleRecord(f"https://d.example/{n}", f"見出し{n}", f"本文{n}", "ja"))

    add(1)  # noted, not indexed
    migrate(command.downgrade, "0006")
    add(2)  # indexed on write, as before 0007
    with store.sessions() as s:
        assert s.scalar(text("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH '見出し'")) == 2
    migrate(command.upgrade, "head")
    add(3)
    assert index_pending(store.sessions) == 1
    with store.sessions() as s:
        s.execute(text("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)"))
        assert len(search_articles(s, "本文", limit=10)) == 3

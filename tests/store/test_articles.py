from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text

from store.articles import ArticleRecord, save_article, save_articles
from store.models import Article, ArticleUrl, Source
from tests.conftest import StoreHandle

JST = timezone(timedelta(hours=9))
BODY = (
    "百度は北京で新しい大規模言語モデル「文心一言4.5」を発表した。"
    "同社によると、推論性能は前の版より大きく向上し、企業向けのクラウドでも提供される。"
    "発表会では開発者向けの料金も示され、国内の競合各社との価格競争が続く見通しだ。"
)


def _record(url: str, body: str = BODY, **kw: object) -> ArticleRecord:
    fields: dict[str, object] = {
        "url": url,
        "title": "百度が新モデルを発表",
        "body": body,
        "lang": "ja",
        "published_at": datetime(2026, 3, 16, 10, 30, tzinfo=JST),
    }
    fields.update(kw)
    return ArticleRecord(**fields)  # type: ignore[arg-type]


def test_save_article_is_idempotent(store: StoreHandle) -> None:
    with store.sessions.begin() as s:
        first = save_article(s, _record("https://news.example.jp/a/1"))
    with store.sessions.begin() as s:
        again = save_article(s, _record("https://news.example.jp/a/1"))
    assert first.outcome == "new"
    assert again.outcome == "known" and again.article_id == first.article_id
    with store.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Article)) == 1
        assert s.scalar(select(func.count()).select_from(ArticleUrl)) == 1


def test_save_article_keeps_utc_and_original_offset(store: StoreHandle) -> None:
    with store.sessions.begin() as s:
        saved = save_article(s, _record("https://news.example.jp/a/2"))
    with store.sessions() as s:
        article = s.get(Article, saved.article_id)
        assert article is not None
        assert article.published_at == datetime(2026, 3, 16, 1, 30, tzinfo=UTC_)
        assert article.published_at.utcoffset() == timedelta(0)
        assert article.published_offset_minutes == 540


UTC_ = UTC


@pytest.mark.parametrize(
    "variant",
    [
        BODY,  # identical text at another URL
        BODY + "(転載元:テックニュース)",  # syndicated copy with a different footer
        BODY.replace("。", "。\n"),  # different whitespace
    ],
)
def test_save_article_stores_same_text_once_with_both_urls(
    store: StoreHandle, variant: str
) -> None:
    with store.sessions.begin() as s:
        first = save_article(s, _record("https://news.example.jp/a/3"))
    with store.sessions.begin() as s:
        copy = save_article(s, _record("https://mirror.example.cn/x/9", body=variant))
    assert copy.outcome == "duplicate" and copy.article_id == first.article_id
    with store.sessions() as s:
        urls = set(
            s.scalars(select(ArticleUrl.url).where(ArticleUrl.article_id == first.article_id))
        )
    assert urls == {"https://news.example.jp/a/3", "https://mirror.example.cn/x/9"}


def test_save_article_different_text_is_new(store: StoreHandle) -> None:
    other = "アリババは杭州で通義千問の新版を公開し、オープンウェイトで配布すると明らかにした。" * 3
    with store.sessions.begin() as s:
        save_article(s, _record("https://news.example.jp/a/4"))
        result = save_article(s, _record("https://news.example.jp/a/5", body=other))
    assert result.outcome == "new"


def test_save_article_rolls_back_whole_article_on_failure(store: StoreHandle) -> None:
    with pytest.raises(RuntimeError), store.sessions.begin() as s:
        save_article(s, _record("https://news.example.jp/a/6"))
        raise RuntimeError("crash mid-batch")
    with store.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Article)) == 0
        assert s.scalar(select(func.count()).select_from(ArticleUrl)) == 0


def test_save_article_links_known_source(store: StoreHandle) -> None:
    with store.sessions.begin() as s:
        s.add(Source(name="テックニュース", kind="news", lang="ja", config={}))
    with store.sessions.begin() as s:
        saved = save_article(s, _record("https://news.example.jp/a/7", source="テックニュース"))
    with store.sessions() as s:
        row = s.execute(
            text("SELECT source, lang FROM v_articles WHERE article_id = :i"),
            {"i": saved.article_id},
        ).one()
    assert tuple(row) == ("テックニュース", "ja")


def test_save_articles_batch_sees_its_own_articles(store: StoreHandle) -> None:
    other = "アリババは杭州で通義千問の新版を公開し、オープンウェイトで配布すると明らかにした。" * 3
    batch = [
        _record("https://news.example.jp/b/1"),  # new
        _record("https://news.example.jp/b/1"),  # the same URL again
        _record("https://mirror.example.cn/b/1", body=BODY + "(転載)"),  # near-duplicate
        _record("https://news.example.jp/b/2", body=other),  # new
        _record("https://news.example.jp/b/3", body=other, other_urls=("https://t.example/b2",)),
    ]
    with store.sessions.begin() as s:
        results = save_articles(s, batch)
    first, second = results[0].article_id, results[3].article_id
    assert [r.outcome for r in results] == ["new", "known", "duplicate", "new", "duplicate"]
    assert [r.article_id for r in results] == [first, first, first, second, second]
    with store.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Article)) == 2
        urls = dict(s.execute(select(ArticleUrl.url, ArticleUrl.article_id)).tuples().all())
    assert urls == {
        "https://news.example.jp/b/1": first,
        "https://mirror.example.cn/b/1": first,
        "https://news.example.jp/b/2": second,
        "https://news.example.jp/b/3": second,
        "https://t.example/b2": second,
    }
    with store.sessions.begin() as s:  # and the next batch sees them as stored
        again = save_articles(s, [_record("https://t.example/b2"), _record("https://x.example/9")])
    assert [(r.outcome, r.article_id) for r in again] == [("known", second), ("duplicate", first)]

"""The hostile corner of the local news site (tests/newssite/hostile.py), crawled for real:
no text lost or corrupted, no link rewritten, every refused entry point a logged failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from store.db import make_engine, session_factory
from store.models import Article, ArticleUrl
from tests.conftest import Cli, NewsSite
from tests.crawler.test_crawl import _setup
from tests.newssite.hostile import ITEM_IDS, PAGES, SHARED, _paragraphs

PAGE_SOURCES = """
[[source]]
name = "hostile-pages"
feeds = ["{base}/hostile/pages.rss"]

[[source]]
name = "hostile-links"
feeds = ["{base}/hostile/links.rss"]
"""
REFUSED = {  # source: (entry point, what its one log line must say)
    "gzip-bomb": ("/hostile/sitemap.xml.gz", "decompresses to more than 5000000 bytes"),
    "laughs": ("/hostile/laughs.xml", "declares XML entities"),
    "empty-sitemap": ("/hostile/empty-sitemap.xml", "empty sitemap"),
}
REFUSED_SOURCES = "".join(
    f'\n[[source]]\nname = "{name}"\nsitemaps = ["{{base}}{path}"]\n'
    for name, (path, _) in REFUSED.items()
)
TRACKING = ("fbclid", "utm_", "_ga", "_gl", "mkt_tok", "igshid", "msclkid", "yclid")


def _stored(tmp_path: Path) -> tuple[dict[str, Article], list[str]]:
    """Articles by canonical URL, and every URL any article was found at."""
    sessions = session_factory(make_engine(f"sqlite:///{tmp_path / 'aiwatch.db'}"))
    with sessions() as s:
        articles = {a.url: a for a in s.scalars(select(Article))}
        urls = list(s.scalars(select(ArticleUrl.url)))
    return articles, urls


@pytest.fixture
def crawled(tmp_path: Path, news_site: NewsSite) -> tuple[dict[str, Article], list[str], str]:
    cli = _setup(tmp_path, news_site, PAGE_SOURCES)  # one extraction worker sees every page
    result = cli("crawl", "--json")
    assert result.code == 0, result.err
    assert {row["status"] for row in json.loads(result.out)} == {"ok"}, result.out
    return (*_stored(tmp_path), news_site.base)


def test_hostile_pages_stored_with_their_whole_text(
    crawled: tuple[dict[str, Article], list[str], str],
) -> None:
    """Wrong charset, U+FFFF, NUL, a lone surrogate, a paragraph every page repeats: each
    page is stored, in correct Unicode, with every paragraph (the repeated one too)."""
    articles, _urls, base = crawled
    for path, page in PAGES.items():
        article = articles.get(f"{base}{path}")
        assert article is not None, path
        assert article.title.startswith(page.title), (path, article.title)
        first, second = page.paragraphs[:2]
        assert first in article.body.replace("\ufffd", "") and second in article.body, path
        assert SHARED in article.body, path
        assert article.lang == "zh-Hans", path
        for bad in ("\x00", "\uffff", "\ud800", "&#x"):
            assert bad not in article.body, path


def test_feed_links_kept_as_written_and_tracking_stripped(
    crawled: tuple[dict[str, Article], list[str], str],
) -> None:
    articles, urls, base = crawled
    stored_ids = {
        int(url.rsplit("id=", 1)[1]) for url in articles if url.startswith(f"{base}/hostile/item")
    }
    assert stored_ids == ITEM_IDS  # ?id=7&fbclid=abc did not become ?id=7=abc
    assert _paragraphs(7)[0] in articles[f"{base}/hostile/item.html?id=7"].body
    # `&undefined;` is kept literally in the link it was fetched at, not dropped
    assert f"{base}/hostile/item.html?id=20&undefined%3Blang=zh" in urls
    assert not [url for url in urls if any(key in url for key in TRACKING)]


def test_refused_entry_points_fail_with_one_logged_reason_each(
    tmp_path: Path, news_site: NewsSite
) -> None:
    cli: Cli = _setup(tmp_path, news_site, PAGE_SOURCES + REFUSED_SOURCES)
    result = cli("crawl", "--json")
    assert result.code == 0, result.err  # the good sources still worked
    summary = {row["source"]: row for row in json.loads(result.out)}
    for name, (path, reason) in REFUSED.items():
        row = summary[name]
        assert (row["status"], row["errors"], row["new"]) == ("failed", 1, 0), row
        assert reason in row["reason"] and path in row["reason"]
        lines = [line for line in result.err.splitlines() if f"source={name} " in line]
        assert len(lines) == 1 and reason in lines[0], lines
    assert summary["hostile-pages"]["status"] == "ok"

"""Crawling the local news site end to end through `aiwatch crawl`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from store.db import make_engine, session_factory
from store.models import Article, ArticleUrl, CrawlRun
from tests.conftest import Cli, NewsSite
from tests.newssite.articles import ARTICLES, SYNDICATED

CLEAN_SOURCES = """
[[source]]
name = "site-rss"
lang = "ja"
feeds = ["{base}/feed.rss"]

[[source]]
name = "site-atom"
feeds = ["{base}/feed.atom"]

[[source]]
name = "site-sitemap"
sitemaps = ["{base}/sitemap.xml"]

[[source]]
name = "site-listing"
kind = "regulator"
listings = [{{ url = "{base}/listing.html", link_selector = "li.news a" }}]
"""
EDGE_SOURCES = """
[[source]]
name = "edge"
feeds = ["{base}/edge.rss"]

[[source]]
name = "broken"
feeds = ["{base}/broken.rss"]
"""


def _setup(tmp_path: Path, site: NewsSite, sources: str, extract_workers: int = 1) -> Cli:
    (tmp_path / "sources.toml").write_text(sources.format(base=site.base))
    config = tmp_path / "aiwatch.toml"
    config.write_text(
        "[crawler]\ntimeout = 2\ndownload_delay = 0\nautothrottle = false\n"
        f"max_page_bytes = 5_000_000\nretries = 2\nextract_workers = {extract_workers}\n"
    )
    cli = Cli(config)
    assert cli("init").code == 0
    return cli


def _articles(tmp_path: Path) -> dict[str, Article]:
    """Stored articles by every URL they were found at."""
    sessions = session_factory(make_engine(f"sqlite:///{tmp_path / 'aiwatch.db'}"))
    with sessions() as s:
        rows = s.execute(select(ArticleUrl.url, Article).join(Article)).all()
    return {url: article for url, article in rows}


@pytest.mark.parametrize("extract_workers", [1, 0, 2])  # 0: in the crawl process itself
def test_crawl_stores_every_article_once_in_correct_unicode(
    tmp_path: Path, news_site: NewsSite, extract_workers: int
) -> None:
    cli = _setup(tmp_path, news_site, CLEAN_SOURCES, extract_workers)
    result = cli("crawl", "--json")
    assert result.code == 0, result.err
    summary = {row["source"]: row for row in json.loads(result.out)}
    assert {s["status"] for s in summary.values()} == {"ok"}
    stored = _articles(tmp_path)
    expected = {f"{news_site.base}{p.path}": p for p in ARTICLES}
    mirror = f"{news_site.base}{SYNDICATED.path}"
    assert set(stored) == {*expected, mirror}
    assert len({a.id for a in stored.values()}) == len(ARTICLES)  # the copy is not a new article
    assert stored[mirror].id == stored[f"{news_site.base}{ARTICLES[0].path}"].id
    for url, page in expected.items():
        article = stored[url]
        assert article.title.startswith(page.title), url
        assert all(p in article.body for p in page.paragraphs), url
        assert "\ufffd" not in article.body
        assert article.lang == page.lang
        assert article.published_at is not None
        assert article.published_offset_minutes == (540 if page.lang == "ja" else 480)
    assert sum(row["duplicates"] for row in summary.values()) >= 1  # the syndicated copy


def test_crawl_recrawl_of_unchanged_site_fetches_only_entry_points(
    tmp_path: Path, news_site: NewsSite
) -> None:
    cli = _setup(tmp_path, news_site, CLEAN_SOURCES)
    assert cli("crawl").code == 0
    first = len(_articles(tmp_path))
    before = len(news_site.requested())
    again = cli("crawl", "--json")
    assert again.code == 0, again.err
    second_requests = news_site.requested()[before:]
    entry_points = {
        "/feed.rss",
        "/feed.atom",
        "/sitemap.xml",
        "/sitemap-news.xml",
        "/listing.html",
        "/robots.txt",
    }
    assert set(second_requests) <= entry_points
    assert sum(row["new"] for row in json.loads(again.out)) == 0
    assert len(_articles(tmp_path)) == first


def test_crawl_new_feed_item_is_fetched_on_next_crawl(tmp_path: Path, news_site: NewsSite) -> None:
    cli = _setup(tmp_path, news_site, CLEAN_SOURCES)
    assert cli("crawl", "--source", "site-rss").code == 0
    news_site.publish("/zh/4.html")
    result = cli("crawl", "--source", "site-rss", "--json")
    assert json.loads(result.out)[0]["new"] == 1
    assert f"{news_site.base}/zh/4.html" in _articles(tmp_path)


def test_crawl_survives_every_bad_page(tmp_path: Path, news_site: NewsSite) -> None:
    cli = _setup(tmp_path, news_site, EDGE_SOURCES)
    result = cli("crawl", "--json")
    assert result.code == 0, result.err
    summary = {row["source"]: row for row in json.loads(result.out)}
    stored = _articles(tmp_path)
    # the page that failed once with 500 was retried and stored
    assert set(stored) == {f"{news_site.base}/flaky.html"}
    requested = news_site.requested()
    assert requested.count("/flaky.html") == 2
    assert "/private/draft.html" not in requested  # robots.txt obeyed
    # 404, redirect loop, slow page, huge page, gzip bomb: errors, logged with their URL
    assert summary["edge"]["errors"] >= 4
    for path in ("/missing.html", "/loop.html", "/slow.html"):
        assert f"{news_site.base}{path}" in result.err
    assert "binary.html" in result.err and "not an HTML page" in result.err
    assert summary["broken"]["errors"] == 1 and "malformed or empty feed" in result.err
    sessions = session_factory(make_engine(f"sqlite:///{tmp_path / 'aiwatch.db'}"))
    with sessions() as s:
        runs = s.scalars(select(CrawlRun)).all()
    assert all(run.finished_at is not None for run in runs)


@pytest.mark.parametrize("runs", [3])
def test_crawl_repeated_in_one_process_works(
    tmp_path: Path, news_site: NewsSite, runs: int
) -> None:
    """The daemon crawls many times in one process: the reactor must not be reused."""
    from aiwatch.config import Config
    from crawler.run import crawl
    from crawler.sources import load_sources

    cli = _setup(tmp_path, news_site, CLEAN_SOURCES)
    config = Config.load(cli.config)
    sessions = session_factory(make_engine(config.database_url))
    sources = load_sources(config.sources_file)
    pages = [
        sum(
            s.pages
            for s in crawl(sessions, config.database_url, config.section("crawler"), sources)
        )
        for _ in range(runs)
    ]
    assert pages[0] > pages[1] > 0 and pages[1] == pages[2]

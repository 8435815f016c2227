"""Publisher records against real stored pages (tests/crawler/pages/, from fundus)."""

from __future__ import annotations

import json
from datetime import UTC
from importlib.resources import files
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.pages import read_page
from crawler.publishers import PublisherError, bundled, load_publishers, publisher_for
from crawler.sources import SourceError, load_sources
from store.db import make_engine, session_factory
from store.models import Article, ArticleUrl
from tests.conftest import Cli
from tests.crawler.stored_pages import (
    StoredPage,
    paragraph_scores,
    publish,
    serve,
    squash,
    stored_pages,
)

PAGES = stored_pages()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_publisher_rules_read_stored_page(page: StoredPage) -> None:
    publisher = publisher_for(page.url)
    assert publisher is not None and publisher.verified and publisher.rules
    read = read_page(page.html, "text/html", page.url, None)
    assert read is not None
    article = read.article
    assert article.publisher == publisher.key
    assert squash(article.title) == squash(page.title)
    recall, precision = paragraph_scores(page, article.body)
    assert recall == 1.0 and precision == 1.0
    assert article.published_at == page.published_at
    assert article.published_at.utcoffset() == page.published_at.utcoffset()
    assert article.authors == page.authors
    assert article.lang == publisher.language


def test_every_record_with_rules_has_a_stored_page() -> None:
    tested = {publisher_for(page.url).key for page in PAGES}  # type: ignore[union-attr]
    with_rules = {key for key, p in bundled().items() if p.rules}
    assert with_rules <= tested
    assert all(p.verified == (key in tested) for key, p in bundled().items())


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://xtech.nikkei.com/atcl/nxt/news/24/01234/", "nikkei-xtech"),
        ("https://www.nikkei.com/article/DGXZQO/", "nikkei"),
        ("http://j.people.com.cn/n3/2024/0424/c94474.html", "people-japanese"),
        ("http://politics.people.com.cn/n1/2024/0424/c1001-40223222.html", "people"),
        ("https://japannews.yomiuri.co.jp/politics/", "the-japan-news"),
        ("https://www.yomiuri.co.jp/world/", "yomiuri-shimbun"),
        ("https://example.com/a", None),
        ("not a url", None),
    ],
)
def test_publisher_for_takes_the_nearest_domain(url: str, key: str | None) -> None:
    found = publisher_for(url)
    assert (found.key if found else None) == key


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ('name = "x"\ndomains = []\nlanguage = "ja"\ntimezone = "Asia/Tokyo"', "domain"),
        ('name = "x"\ndomains = ["x.jp"]\nlanguage = "jp"\ntimezone = "Asia/Tokyo"', "language"),
        ('name = "x"\ndomains = ["x.jp"]\nlanguage = "ja"\ntimezone = "Asia/Edo"', "time zone"),
        (
            'name = "x"\ndomains = ["x.jp"]\nlanguage = "ja"\ntimezone = "Asia/Tokyo"\ncolour = 1',
            "colour",
        ),
        (
            'name = "x"\ndomains = ["x.jp"]\nlanguage = "ja"\ntimezone = "Asia/Tokyo"\n[rules]\nbody = { css = "p" }',
            "body",
        ),
        (
            'name = "x"\ndomains = ["x.jp"]\nlanguage = "ja"\ntimezone = "Asia/Tokyo"\n[rules]\ntitle = { css = "h1", meta = "og:title" }',
            "exactly one",
        ),
        (
            'name = "x"\ndomains = ["x.jp"]\nlanguage = "ja"\ntimezone = "Asia/Tokyo"\n[rules]\ntitle = { xpath = "//h1[" }',
            "rules.title",
        ),
        (
            'name = "x"\ndomains = ["x.jp"]\nlanguage = "ja"\ntimezone = "Asia/Tokyo"\n[rules]\ntitle = { css = "h1[" }',
            "rules.title",
        ),
        ("name = ", "not valid TOML"),
    ],
)
def test_bad_publisher_record_is_a_clear_error(tmp_path: Path, record: str, message: str) -> None:
    (tmp_path / "bad.toml").write_text(record, encoding="utf-8")
    with pytest.raises(PublisherError, match=message) as error:
        load_publishers(tmp_path)
    assert "bad.toml" in str(error.value)


def test_crawl_reads_stored_pages_behind_a_sitemap(tmp_path: Path) -> None:
    site = tmp_path / "site"
    with serve(site) as base:
        served = publish(site, base, PAGES)
        (tmp_path / "sources.toml").write_text(
            f'[[source]]\nname = "stored"\nsitemaps = ["{base}/sitemap.xml"]\n'
        )
        (tmp_path / "aiwatch.toml").write_text(
            "[crawler]\ndownload_delay = 0\nautothrottle = false\nextract_workers = 1\n"
        )
        cli = Cli(tmp_path / "aiwatch.toml")
        assert cli("init").code == 0
        result = cli("crawl", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)[0]["new"] == len(PAGES)
    sessions = session_factory(make_engine(f"sqlite:///{tmp_path / 'aiwatch.db'}"))
    with sessions() as s:
        stored = dict(s.execute(select(ArticleUrl.url, Article).join(Article)).all())
    assert set(served) <= set(stored)
    for url, page in served.items():
        article = stored[url]
        assert squash(article.title) == squash(page.title), page.name
        recall, precision = paragraph_scores(page, article.body)
        assert recall == 1.0 and precision >= 0.95, page.name
        expected = page.published_at.astimezone(UTC).replace(tzinfo=None, second=0)
        assert article.published_at.replace(tzinfo=None, second=0) == expected, page.name
        offset = page.published_at.utcoffset()
        assert offset is not None
        assert article.published_offset_minutes == offset.total_seconds() // 60, page.name


def test_bundled_sources_link_to_their_publisher_records() -> None:
    sources = load_sources(Path(str(files("seeds").joinpath("sources.toml"))))
    assert sources and all(s.publisher and not s.verified for s in sources)
    for source in sources:
        publisher = bundled()[source.publisher]  # type: ignore[index]
        assert set(source.feeds) <= set(publisher.feeds), source.name
        assert set(source.sitemaps) <= set(publisher.sitemaps), source.name


def test_source_naming_an_unknown_publisher_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text('[[source]]\nname = "x"\npublisher = "nope"\nfeeds = ["http://127.0.0.1:9/"]\n')
    with pytest.raises(SourceError, match="no publisher record 'nope'"):
        load_sources(path)

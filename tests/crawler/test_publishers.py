"""Publisher records against real stored pages (tests/crawler/pages/, from fundus)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.pages import read_page
from crawler.publishers import PublisherError, bundled, load_publishers, publisher_for
from tests.crawler.stored_pages import StoredPage, paragraph_scores, squash, stored_pages

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

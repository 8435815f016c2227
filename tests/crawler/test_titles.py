"""Headlines without the site name, and publication times from the page's own markup."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml.html import fromstring
from sqlalchemy import select

from crawler.dates import published_at
from crawler.markup import Markup
from crawler.titles import SiteNames, feed_title, page_title, strip_site_name
from store.db import make_engine, session_factory
from store.models import Article
from tests.conftest import Cli
from tests.crawler.stored_pages import serve

JST = timezone(timedelta(hours=9))


@pytest.mark.parametrize(
    ("title", "names", "expected"),
    [
        ("生成AI規制を強化 | 日経クロステック", ["日経クロステック"], "生成AI規制を強化"),
        ("生成AI規制を強化 - ITmedia NEWS", ["ITmedia NEWS"], "生成AI規制を強化"),
        ("生成AI規制を強化：朝日新聞デジタル", ["朝日新聞デジタル"], "生成AI規制を強化"),
        ("生成AI規制を強化｜日刊ゲンダイDIGITAL", ["日刊ゲンダイ"], "生成AI規制を強化"),
        ("百度发布文心大模型_科技_新浪网", ["新浪网"], "百度发布文心大模型_科技"),
        ("百度发布文心大模型--时政--人民网", ["人民网", "时政"], "百度发布文心大模型"),
        ("Baidu ships Ernie 5 – TechNode", ["TechNode"], "Baidu ships Ernie 5"),
        ("IT之家 | 百度发布文心大模型", ["IT之家"], "百度发布文心大模型"),
        ("小笠原の無線 - 産経ニュース", ["産経新聞：産経ニュース"], "小笠原の無線"),
        # a separator inside the headline is not a site name
        ("速報：百度が新モデル", ["朝日新聞デジタル"], "速報：百度が新モデル"),
        ("OpenAI - GPT-5 released", ["AI"], "OpenAI - GPT-5 released"),
    ],
)
def test_strip_site_name(title: str, names: list[str], expected: str) -> None:
    assert strip_site_name(title, names) == expected


def test_page_title_prefers_the_headline_and_cuts_what_the_h1_leaves() -> None:
    page = (
        "<html><head><title>百度发布文心大模型--时政--人民网</title></head>"
        "<body><h1>百度发布文心大模型</h1></body></html>"
    )
    assert page_title(Markup(fromstring(page))) == "百度发布文心大模型"
    page = (
        '<html><head><title>x</title><meta property="og:title" content="新モデル発表 | 例新聞">'
        '<meta property="og:site_name" content="例新聞"></head><body><p>本文</p></body></html>'
    )
    assert page_title(Markup(fromstring(page))) == "新モデル発表"


@pytest.mark.parametrize(
    "head",
    [
        # og:title that is only the site's name
        '<meta property="og:title" content="例科技"><meta property="og:site_name" content="例科技">',
        # the site's logo in an h1
        "",
    ],
)
def test_page_title_is_never_the_site_name(head: str) -> None:
    page = (
        f"<html><head><title>百度发布文心大模型_例科技</title>{head}</head>"
        "<body><h1>例科技</h1><p>正文</p></body></html>"
    )
    assert page_title(Markup(fromstring(page)), ["例科技"]) == "百度发布文心大模型"


def test_site_names_learnt_from_the_feed_and_from_two_pages() -> None:
    names = SiteNames()
    names.add(feed_title(b"<rss><channel><title>Example Tech News</title></channel></rss>"))
    assert names.cut("Baidu ships Ernie 5 | Example Tech News") == "Baidu ships Ernie 5"
    assert names.cut("百度发布文心 - 例科技") == "百度发布文心 - 例科技"  # seen once: kept
    names.observe("百度发布文心 - 例科技")
    names.observe("阿里发布通义 - 例科技")
    assert names.cut("腾讯发布混元 - 例科技") == "腾讯发布混元"
    names.observe("小米发布新芯片_科技_新浪网")
    names.observe("华为发布昇腾芯片_科技_新浪网")
    assert names.cut("百度发布文心大模型_科技_新浪网") == "百度发布文心大模型"


def _page(head: str, body: str = "") -> Markup:
    return Markup(fromstring(f"<html><head>{head}</head><body>{body}<p>x</p></body></html>"))


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        # the day-only tag comes first; the JSON-LD on the same day gives minute and offset
        (
            '<meta name="DC.date" content="2025-01-21"><script type="application/ld+json">'
            '{"@type": "NewsArticle", "datePublished": "2025-01-21T20:50:32+09:00"}</script>',
            "",
            datetime(2025, 1, 21, 20, 50, 32, tzinfo=JST),
        ),
        # only the byline has the time: read in the publisher's zone
        (
            '<meta name="publishdate" content="2024-04-24">',
            "<div>2024年04月24日23:52 | 来源：新华网</div>",
            datetime(2024, 4, 24, 23, 52, tzinfo=ZoneInfo("Asia/Shanghai")),
        ),
        # a time of another day does not replace the page's own day
        (
            '<meta name="publishdate" content="2024-04-24">',
            "<div>2024年04月20日10:00</div>",
            datetime(2024, 4, 24, tzinfo=ZoneInfo("Asia/Shanghai")),
        ),
        # no offset: the publisher's zone; the same minute with an offset wins
        (
            '<meta name="published_at" content="2025-01-31 11:30:00">'
            '<meta property="og:published_time" content="2025-01-31T02:30:00Z">',
            "",
            datetime(2025, 1, 31, 2, 30, tzinfo=UTC),
        ),
    ],
)
def test_published_at_takes_the_most_precise_value_of_the_day(
    head: str, body: str, expected: datetime
) -> None:
    zone = ZoneInfo("Asia/Shanghai") if "2024-04-24" in head else ZoneInfo("Asia/Tokyo")
    markup = _page(head, body)
    found = published_at(markup, f"<html><body>{body}</body></html>", zone)
    assert found == expected and found is not None
    assert found.utcoffset() == expected.utcoffset()


def test_crawl_cuts_site_names_learnt_from_the_feed_and_the_pages(tmp_path: Path) -> None:
    """Pages with no h1, og:title or site-name tag: only the source tells the name."""
    site = tmp_path / "site"
    headlines = ["百度发布文心大模型五", "阿里巴巴开源通义千问", "腾讯混元登顶排行榜"]
    with serve(site) as base:
        for n, headline in enumerate(headlines):
            paragraph = (
                f"{headline}。这是一篇关于人工智能产业的报道，内容足够长，可以作为正文。" * 3
            )
            (site / f"{n}.html").write_text(
                f"<html><head><title>{headline}_产业 - 例科技网</title></head><body>"
                f"<article><p>{paragraph}</p></article></body></html>",
                encoding="utf-8",
            )
        links = "".join(f"<item><link>{base}/{n}.html</link></item>" for n in range(3))
        (site / "feed.rss").write_text(
            f'<rss version="2.0"><channel><title>例科技网</title>{links}</channel></rss>',
            encoding="utf-8",
        )
        (tmp_path / "sources.toml").write_text(
            f'[[source]]\nname = "example"\nfeeds = ["{base}/feed.rss"]\n'
        )
        (tmp_path / "aiwatch.toml").write_text(
            "[crawler]\ndownload_delay = 0\nautothrottle = false\nextract_workers = 0\n"
            "concurrent_per_domain = 1\n"
        )
        cli = Cli(tmp_path / "aiwatch.toml")
        assert cli("init").code == 0
        result = cli("crawl", "--json")
    assert result.code == 0, result.err
    sessions = session_factory(make_engine(f"sqlite:///{tmp_path / 'aiwatch.db'}"))
    with sessions() as s:
        titles = list(s.scalars(select(Article.title)))
    # the feed gives the name at once; the section label once two pages share it, so only
    # the first page read keeps it
    assert all("例科技" not in title for title in titles)
    assert sorted(title.removesuffix("_产业") for title in titles) == sorted(headlines)
    assert sum(title in headlines for title in titles) == 2

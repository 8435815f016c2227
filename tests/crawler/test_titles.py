"""Headlines without the site name, and publication times from the page's own markup."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from lxml.html import fromstring

from crawler.dates import published_at
from crawler.markup import Markup
from crawler.titles import SiteNames, feed_title, page_title, strip_site_name

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

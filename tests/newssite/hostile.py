"""The site's hostile corner, under /hostile/: pages and entry points that broke the crawler
once. Each is something real sites serve: a wrong declared charset, characters XML forbids,
boilerplate paragraphs shared by every article, unescaped `&` and unknown entities in feed
links, tracking parameters, a gzip bomb and a billion-laughs document as sitemaps."""

from __future__ import annotations

import functools
import gzip
import random
from collections.abc import Callable
from urllib.parse import parse_qs

from tests.newssite.articles import Page

Response = tuple[int, dict[str, str], bytes]
Render = Callable[[Page, str], bytes]
XML = {"Content-Type": "application/xml"}
BOMB_BYTES = 64 * 1024 * 1024  # decompressed; far above the tests' max_page_bytes

# Said at the end of every article of one publisher: long enough (> 100 characters) for
# trafilatura's de-duplication to remove it once it has seen it a few times.
SHARED = (
    "本报讯:测试新闻网是一家专注于人工智能产业的科技媒体,长期跟踪国内外大模型公司、"
    "芯片厂商和监管部门的最新动态,欢迎读者通过官方网站和客户端获取更多深度报道与数据分析,"
    "如需转载请联系编辑部取得书面授权。本网站刊登的所有内容均不构成投资建议,读者据此操作风险自担,"
    "对文章内容有疑问或需要更正的,请在工作日联系本报读者服务中心。"
)
CITIES = ("上海", "北京", "深圳", "杭州", "广州", "成都", "武汉", "南京")
FIELDS = ("医疗", "金融", "教育", "制造", "法律", "零售", "能源", "交通")


def _paragraphs(n: int) -> tuple[str, str]:
    """Two paragraphs no other n shares (the store must not take them for duplicates)."""
    rng = random.Random(f"hostile-{n}")
    filler = "".join(chr(0x4E00 + rng.randrange(3000)) for _ in range(60))
    city, field = CITIES[n % 8], FIELDS[n // 8 % 8]
    return (
        f"测试{n}号公司今天在{city}发布面向{field}行业的大模型,并公布了新的开放计划。",
        f"该公司表示,新模型在{field}场景的长文本理解上明显提升。{filler}。",
    )


def page(n: int, path: str, encoding: str = "utf-8", declared: str | None = "utf-8") -> Page:
    return Page(
        path,
        "zh-Hans",
        encoding,
        declared,
        f"测试{n}号公司发布{FIELDS[n // 8 % 8]}大模型",
        (*_paragraphs(n), SHARED),
        "2026-06-01T10:00:00+08:00",
    )


# Article pages, each with its own trap (see `markup_trap`); the repeated ones share SHARED.
PAGES = {
    "/hostile/gb-as-latin1.html": page(1, "/hostile/gb-as-latin1.html", "gb18030", "ISO-8859-1"),
    "/hostile/ffff.html": page(2, "/hostile/ffff.html"),
    "/hostile/nul.html": page(3, "/hostile/nul.html"),
    "/hostile/surrogate.html": page(4, "/hostile/surrogate.html"),
    **{f"/hostile/repeat-{i}.html": page(10 + i, f"/hostile/repeat-{i}.html") for i in range(6)},
}
# What each trap puts in the middle of the first paragraph, as markup.
TRAPS = {
    "/hostile/ffff.html": "&#xFFFF;",
    "/hostile/nul.html": "\x00",
    "/hostile/surrogate.html": "&#xD800;",
}
# Links as a hand-made feed writes them: raw `&`, an entity XML does not know, tracking
# parameters. Each maps to the item it must reach, `/hostile/item.html?id=N`.
ITEM_LINKS = {
    "/hostile/item.html?id=7&fbclid=abc": 7,
    "/hostile/item.html?id=8&amp;utm_source=feed&amp;utm_medium=rss": 8,
    "/hostile/item.html?id=9&_ga=2.1.3&mkt_tok=x1&_gl=1*ab&igshid=q&msclkid=z&yclid=y": 9,
}
TRAP_AT = 8  # characters into the first paragraph
UNDEFINED_ENTITY_LINK = "/hostile/item.html?id=20&undefined;lang=zh"
ITEM_IDS = {7, 8, 9, 20}


def markup_trap(path: str, html: str) -> str:
    """The page's markup with its trap inside the first paragraph (NUL: 2 KB into the page,
    past the crawler's look for binary content)."""
    trap = TRAPS.get(path)
    if trap is None:
        return html
    if trap == "\x00":
        html = html.replace("<head>", "<head><!--" + " " * 2100 + "-->", 1)
    cut = html.index("<p>") + 3 + TRAP_AT
    return html[:cut] + trap + html[cut:]


@functools.cache
def _gzip_bomb() -> bytes:
    head = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    return gzip.compress(head + b" " * BOMB_BYTES, compresslevel=9)


def _billion_laughs(base: str) -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    return (
        f'<?xml version="1.0"?><!DOCTYPE urlset [{entities}]>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{base}/hostile/&lol9;.html</loc></url></urlset>"
    ).encode()


EMPTY_SITEMAP = (
    b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>'
)


def _feed(base: str, links: list[str]) -> bytes:
    """RSS with the links written exactly as given: the site's feed writes them unescaped."""
    from tests.newssite.server import rss  # the server imports this module

    return rss(base, links)


def route(path: str, query: str, base: str, render: Render) -> Response | None:
    """The response for a /hostile/ path, or None when the path is not one of them.
    `render` makes an article page's bytes (the site's own template)."""
    if path in PAGES:
        found = PAGES[path]
        markup = markup_trap(path, render(found, base).decode(found.encoding))
        return 200, _html_type(found), markup.encode(found.encoding)
    if path == "/hostile/item.html":
        ids = parse_qs(query).get("id", [])
        if len(ids) == 1 and ids[0].isdigit() and int(ids[0]) in ITEM_IDS:
            found = page(int(ids[0]), f"{path}?id={ids[0]}")
            return 200, _html_type(found), render(found, base)
        return 404, {"Content-Type": "text/html"}, b"<html><body>no such item</body></html>"
    entry_points = {
        "/hostile/pages.rss": lambda: _feed(base, list(PAGES)),
        "/hostile/links.rss": lambda: _feed(base, [*ITEM_LINKS, UNDEFINED_ENTITY_LINK]),
        "/hostile/partial.rss": lambda: _feed(
            base, ["/hostile/repeat-0.html", "/hostile/gone.html"]
        ),
        "/hostile/laughs.xml": lambda: _billion_laughs(base),
        "/hostile/empty-sitemap.xml": lambda: EMPTY_SITEMAP,
    }
    if path in entry_points:
        return 200, XML, entry_points[path]()
    if path == "/hostile/sitemap.xml.gz":
        return 200, {"Content-Type": "application/x-gzip"}, _gzip_bomb()
    return None


def _html_type(found: Page) -> dict[str, str]:
    return {"Content-Type": f"text/html; charset={found.declared}"}

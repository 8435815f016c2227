"""The HTTP server behind the local news site, with every failure mode the crawler must
survive. Each response is built from `articles.py`; `/_log` returns the paths requested."""

from __future__ import annotations

import functools
import gzip
import hashlib
import html
import json
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.newssite import hostile
from tests.newssite.articles import ARTICLES, LATE_JA_GLM5, PRIVATE, SYNDICATED, Page

SLOW_SECONDS = 6
HUGE_BYTES = 20 * 1024 * 1024
LAST_MODIFIED = formatdate(1767225600, usegmt=True)


# Navigation, related links, comments and footer, in each language: (site, nav, related,
# comments, copyright). The crawler must keep none of it.
BOILERPLATE = {
    "ja": (
        "テストニュース",
        ("トップ", "テック", "ビジネス", "ログイン"),
        ("関連記事", "半導体市況の見通し"),
        ("コメント", "ユーザー123: 面白い記事でした"),
        "無断転載を禁じます",
    ),
    "zh-Hans": (
        "测试新闻网",
        ("首页", "科技频道", "财经", "登录"),
        ("相关阅读", "半导体行情展望"),
        ("网友评论", "用户123:写得不错"),
        "未经授权禁止转载",
    ),
    "zh-Hant": (
        "測試新聞網",
        ("首頁", "科技頻道", "財經", "登入"),
        ("相關閱讀", "半導體行情展望"),
        ("網友評論", "用戶123:寫得不錯"),
        "未經授權禁止轉載",
    ),
}


def article_html(page: Page, base: str) -> bytes:
    site, nav, related, comments, rights = BOILERPLATE[page.lang]
    meta = f'<meta charset="{page.declared}">' if page.declared else ""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in page.paragraphs)
    links = " ".join(f'<a href="/{i}/">{label}</a>' for i, label in enumerate(nav))
    doc = f"""<!DOCTYPE html><html><head>{meta}<title>{html.escape(page.title)} | {site}</title>
<meta property="article:published_time" content="{page.published}">
<link rel="canonical" href="{base}{page.path}">
</head><body>
<header><nav>{links}</nav></header>
<main><article><h1>{html.escape(page.title)}</h1>
{body}
</article>
<aside class="related"><h3>{related[0]}</h3><ul><li><a href="/r/1.html">{related[1]}</a></li></ul>
</aside>
<section class="comments"><h3>{comments[0]}</h3><p>{comments[1]}</p></section>
</main><footer><p>Copyright 2026 {site} {rights}</p></footer></body></html>"""
    return doc.encode(page.encoding)


def rss(base: str, paths: list[str]) -> bytes:
    items = "".join(
        f"<item><title>item {i}</title><link>{base}{p}</link></item>" for i, p in enumerate(paths)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>テストニュース</title><link>{base}/</link>{items}</channel></rss>"
    ).encode()


def atom(base: str, paths: list[str]) -> bytes:
    entries = "".join(
        f'<entry><title>e{i}</title><link rel="alternate" href="{base}{p}"/><id>{p}</id></entry>'
        for i, p in enumerate(paths)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>テスト</title>{entries}</feed>"
    ).encode()


def urlset(base: str, paths: list[str]) -> bytes:
    urls = "".join(f"<url><loc>{base}{p}</loc></url>" for p in paths)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    ).encode()


class Site:
    """Routes and the state that makes some of them change between requests."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.log: list[str] = []
        self.hits: dict[str, int] = {}
        self.extra_feed_items: list[str] = []

    def route(self, path: str, base: str, query: str = "") -> tuple[int, dict[str, str], bytes]:
        if path.startswith("/hostile/"):
            found = hostile.route(path, query, base, article_html)
            if found is not None:
                return found
        pages = {p.path: p for p in [*ARTICLES, SYNDICATED, PRIVATE, LATE_JA_GLM5]}
        html_type = {"Content-Type": "text/html"}
        if path in pages:
            page = pages[path]
            header = f"text/html; charset={page.declared}" if page.declared else "text/html"
            return 200, {"Content-Type": header}, article_html(page, base)
        feeds = {
            "/feed.rss": lambda: rss(base, [a.path for a in ARTICLES[:3]] + self.extra_feed_items),
            "/feed.atom": lambda: atom(
                base, [a.path for a in (*ARTICLES[3:4], *ARTICLES[5:9], SYNDICATED)]
            ),
            "/sitemap.xml": lambda: (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{base}/sitemap-news.xml</loc></sitemap></sitemapindex>"
            ).encode(),
            "/sitemap-news.xml": lambda: urlset(base, [ARTICLES[4].path, ARTICLES[9].path]),
            "/edge.rss": lambda: rss(base, EDGE_PATHS),
        }
        if path in feeds:
            return 200, {"Content-Type": "application/xml"}, feeds[path]()
        if path == "/listing.html":
            links = "".join(
                f'<li class="news"><a href="{p}">{p}</a></li>'
                for p in ("/zh/6.html", "/zh/5.html?utm_source=weibo#top")
            )
            return 200, html_type, f"<html><body><ul>{links}</ul></body></html>".encode()
        if path.startswith("/release/") and path.endswith(".html"):  # for bench/latency
            return (
                200,
                {"Content-Type": "text/html; charset=utf-8"},
                release_page(int(path.removeprefix("/release/").removesuffix(".html")), base),
            )
        generated = self.bench(path, base)
        if generated is not None:
            return generated
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n"
        return self.edge(path, html_type)

    def bench(self, path: str, base: str) -> tuple[int, dict[str, str], bytes] | None:
        """/bench/feed-K.rss lists 100 generated articles /bench/N.html (for bench/crawl)."""
        if path.startswith("/bench/feed-") and path.endswith(".rss"):
            k = int(path.removeprefix("/bench/feed-").removesuffix(".rss"))
            paths = [f"/bench/{n}.html" for n in range(k * 100, (k + 1) * 100)]
            return 200, {"Content-Type": "application/xml"}, rss(base, paths)
        if path.startswith("/bench/") and path.endswith(".html"):
            n = int(path.removeprefix("/bench/").removesuffix(".html"))
            return 200, {"Content-Type": "text/html; charset=utf-8"}, generated_page(n, base)
        return None

    def edge(self, path: str, html_type: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if path == "/broken.rss":
            return 200, {"Content-Type": "application/rss+xml"}, b"<rss><channel><item><ti"
        if path == "/flaky.html":
            if self.hits[path] == 1:
                return 500, html_type, b"temporary failure"
            return 200, html_type, article_html(FLAKY, "")
        if path == "/loop.html":
            return 302, {"Location": "/loop2.html"}, b""
        if path == "/loop2.html":
            return 302, {"Location": "/loop.html"}, b""
        if path == "/slow.html":
            time.sleep(SLOW_SECONDS)
            return 200, html_type, article_html(FLAKY, "")
        if path == "/huge.html":
            return 200, html_type, b"<html><body><p>" + b"a" * HUGE_BYTES + b"</p></body></html>"
        if path == "/binary.html":
            return 200, html_type, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40
        if path == "/bomb.html":
            body = gzip.compress(b"\0" * (200 * 1024 * 1024), compresslevel=9)
            return 200, {**html_type, "Content-Encoding": "gzip"}, body
        return 404, html_type, b"<html><body>not found</body></html>"


SENTENCES = [
    "{org}は{city}で新しい大規模言語モデルを発表し、推論性能が向上したと説明した。",
    "{org}の担当者によると、企業向けの提供は来月から始まる予定だ。",
    "業界では{org}の動きが価格競争をさらに激しくするとの見方が出ている。",
    "{city}の開発者会議には多くの技術者が集まり、新機能の説明に耳を傾けた。",
    "同社は半導体の調達についても言及し、国産チップの採用を進めると述べた。",
    "アナリストは{org}の収益への影響は限定的だと指摘している。",
]
ORGS = ["百度", "アリババ", "テンセント", "字節跳動", "智譜", "月之暗面", "MiniMax", "DeepSeek"]
CITIES = ["北京", "杭州", "深圳", "上海", "広州"]


@functools.cache  # rendered once: bench/crawl measures the crawler, not this server
def generated_page(n: int, base: str) -> bytes:
    """A unique ~25 KB article page: the same boilerplate as the site, generated text."""
    import random

    rng = random.Random(n)

    def filler() -> str:  # distinct common kanji and kana, so pages differ like real ones
        return "".join(chr(rng.choice((0x4E00, 0x3042)) + rng.randrange(80)) for _ in range(25))

    paragraphs = tuple(
        "".join(
            rng.choice(SENTENCES).format(org=rng.choice(ORGS), city=rng.choice(CITIES))
            + filler()
            + "。"
            for _ in range(5)
        )
        for _ in range(14)
    )
    page = Page(
        f"/bench/{n}.html",
        "ja",
        "utf-8",
        "utf-8",
        f"{ORGS[n % 8]}の発表 第{n}報",
        paragraphs,
        "2026-06-01T10:00:00+09:00",
    )
    return article_html(page, base)


def release_page(n: int, base: str) -> bytes:
    """A new model release by a new company, different enough from every other n that the
    store does not take it for a duplicate."""
    import random

    rng = random.Random(n)
    city = ("上海", "北京", "深圳", "杭州", "广州")[n % 5]
    field = ("医疗", "金融", "教育", "制造", "法律", "零售")[n % 6]
    filler = "".join(chr(0x4E00 + rng.randrange(2000)) for _ in range(120))
    page = Page(
        f"/release/{n}.html",
        "zh-Hans",
        "utf-8",
        "utf-8",
        f"星河{n}智能发布新一代大模型「星河{n}号」",
        (
            f"星河{n}智能今天在{city}正式发布新一代大模型「星河{n}号」,面向{field}行业开放。",
            f"据介绍,该模型重点优化了{field}场景下的长文本理解。{filler}。",
        ),
        "2026-06-01T10:00:00+08:00",
    )
    return article_html(page, base)


FLAKY = Page(
    "/flaky.html",
    "zh-Hans",
    "utf-8",
    "utf-8",
    "百川智能发布医疗大模型新版本",
    ("百川智能发布面向医疗场景的大模型新版本,称在诊断问答方面的准确率明显提升。" * 2,),
    "2026-08-01T10:00:00+08:00",
)
EDGE_PATHS = [
    "/missing.html",
    "/flaky.html",
    "/loop.html",
    "/slow.html",
    "/huge.html",
    "/binary.html",
    "/bomb.html",
    "/private/draft.html",
]


class Handler(BaseHTTPRequestHandler):
    site: Site
    protocol_version = "HTTP/1.1"  # keep-alive, like real news sites

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        path, query = urlsplit(self.path).path, urlsplit(self.path).query
        if path == "/_log":
            with self.site.lock:
                return self._send(
                    200, {"Content-Type": "application/json"}, json.dumps(self.site.log).encode()
                )
        with self.site.lock:
            self.site.log.append(path)
            self.site.hits[path] = self.site.hits.get(path, 0) + 1
        base = f"http://{self.headers['Host']}"
        status, headers, body = self.site.route(path, base, query)
        if status == 200 and headers.get("Content-Type", "").endswith("xml"):
            etag = '"' + hashlib.sha1(body).hexdigest() + '"'
            headers = {**headers, "ETag": etag, "Last-Modified": LAST_MODIFIED}
            if self.headers.get("If-None-Match") == etag:
                return self._send(304, {"ETag": etag}, b"")
        self._send(status, headers, body)

    def do_POST(self) -> None:
        """`POST /_feed` with a path adds that path to /feed.rss (a new article appears)."""
        length = int(self.headers.get("Content-Length", 0))
        with self.site.lock:
            self.site.extra_feed_items.append(self.rfile.read(length).decode())
        self._send(204, {}, b"")

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler gave up (timeout, size limit): expected


def serve(port: int = 0) -> ThreadingHTTPServer:
    handler = type("BoundHandler", (Handler,), {"site": Site()})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    return server

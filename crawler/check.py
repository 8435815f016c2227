"""`aiwatch sources check`: does each entry point answer, how many links does it hold, and
do the publisher's rules still read its first article?"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urljoin

from parsel import Selector
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap
from trafilatura.utils import load_html

from crawler.encoding import decode
from crawler.markup import Markup
from crawler.pages import read_page
from crawler.publishers import bundled
from crawler.sources import SourceRecord
from crawler.spiders.news import feed_links

MAX_BYTES = 5_000_000


@dataclass(frozen=True)
class EntryCheck:
    source: str
    kind: str  # feed | sitemap | listing
    url: str
    ok: bool
    detail: str
    items: int = 0  # feed items, sitemap entries or links on the listing page
    first_article: str | None = None
    rules: str = ""  # what the publisher's rules found on the first article


class FetchError(Exception):
    """The address did not answer with content; the message says why, in one line."""


def check_source(source: SourceRecord, user_agent: str, timeout: float) -> list[EntryCheck]:
    entries = [("feed", url, None) for url in source.feeds]
    entries += [("sitemap", url, None) for url in source.sitemaps]
    entries += [("listing", item.url, item.link_selector) for item in source.listings]
    return [
        _check(source, kind, url, selector, user_agent, timeout) for kind, url, selector in entries
    ]


def _fetch(url: str, user_agent: str, timeout: float) -> tuple[bytes, str | None]:
    request = urllib.request.Request(url, headers={"User-Agent": user_agent})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read(MAX_BYTES), response.headers.get("Content-Type")
    except urllib.error.HTTPError as exc:
        raise FetchError(f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise FetchError(f"unreachable: {exc.reason}") from None
    except TimeoutError:
        raise FetchError(f"timed out after {timeout:.0f}s") from None
    except (OSError, ValueError) as exc:
        raise FetchError(f"failed: {exc}") from None


def _check(
    source: SourceRecord,
    kind: str,
    url: str,
    selector: str | None,
    user_agent: str,
    timeout: float,
) -> EntryCheck:
    name = source.name
    try:
        body, content_type = _fetch(url, user_agent, timeout)
        if kind == "feed":
            links, noun = feed_links(body), "feed items"
            first = links[:1]
        elif kind == "sitemap":
            links, is_index = _locations(body)
            noun = "sitemap entries"
            first = links[:1]
            if is_index and links:  # the first article of the first child sitemap
                first = _locations(_fetch(urljoin(url, links[0]), user_agent, timeout)[0])[0][:1]
        else:
            text, _ = decode(body, content_type)
            links = Selector(text=text).css(selector or "a").css("::attr(href)").getall()
            noun = "links matching the selector"
            first = links[:1]
    except FetchError as exc:
        return EntryCheck(name, kind, url, False, str(exc))
    except Exception as exc:  # lxml raises several types for broken XML
        return EntryCheck(name, kind, url, False, f"not a sitemap: {exc}")
    if not first:
        return EntryCheck(name, kind, url, False, f"answered, but no {noun} found")
    article = urljoin(url, first[0].strip())
    ok, rules = _first_article(source, article, user_agent, timeout)
    return EntryCheck(name, kind, url, ok, f"{len(links)} {noun}", len(links), article, rules)


def _locations(body: bytes) -> tuple[list[str], bool]:
    """A sitemap's locations, and whether they are more sitemaps (an index)."""
    if body[:2] == b"\x1f\x8b":
        body = gunzip(body, max_size=MAX_BYTES)
    sitemap = Sitemap(body)
    return [e["loc"] for e in sitemap if e.get("loc")], sitemap.type == "sitemapindex"


def _first_article(
    source: SourceRecord, url: str, user_agent: str, timeout: float
) -> tuple[bool, str]:
    """(usable, what was found): the article read as the crawler reads it, and each of
    its publisher's rules tried on it."""
    try:
        body, content_type = _fetch(url, user_agent, timeout)
    except FetchError as exc:
        return False, f"first article: {exc}"
    page = read_page(body, content_type or "text/html", url, source.lang, source.publisher)
    if page is None:
        return False, "first article: no article text found"
    publisher = bundled().get(page.article.publisher or "")
    if publisher is None:
        return True, "no publisher record: generic extraction"
    if not publisher.rules:
        return True, f"{publisher.key}: no rules, generic extraction"
    tree = load_html(decode(body, content_type)[0])
    markup = Markup(tree) if tree is not None else None
    missing = [n for n, rule in publisher.rules.items() if not markup or not rule.values(markup)]
    if missing:
        return False, f"{publisher.key} rules found nothing for {', '.join(missing)}"
    return True, f"{publisher.key} rules matched ({', '.join(publisher.rules)})"

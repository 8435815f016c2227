"""`aiwatch sources check`: does each entry point answer, and does it hold links?"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass

from parsel import Selector
from scrapy.utils.sitemap import Sitemap

from crawler.encoding import decode
from crawler.sources import SourceRecord
from crawler.spiders.news import feed_links


@dataclass(frozen=True)
class EntryCheck:
    source: str
    kind: str  # feed | sitemap | listing
    url: str
    ok: bool
    detail: str


def check_source(source: SourceRecord, user_agent: str, timeout: float) -> list[EntryCheck]:
    entries = [("feed", url, None) for url in source.feeds]
    entries += [("sitemap", url, None) for url in source.sitemaps]
    entries += [("listing", item.url, item.link_selector) for item in source.listings]
    return [
        _check(source.name, kind, url, selector, user_agent, timeout)
        for kind, url, selector in entries
    ]


def _check(
    name: str, kind: str, url: str, selector: str | None, user_agent: str, timeout: float
) -> EntryCheck:
    request = urllib.request.Request(url, headers={"User-Agent": user_agent})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(5_000_000)
            content_type = response.headers.get("Content-Type")
    except urllib.error.HTTPError as exc:
        return EntryCheck(name, kind, url, False, f"HTTP {exc.code} {exc.reason}")
    except urllib.error.URLError as exc:
        return EntryCheck(name, kind, url, False, f"unreachable: {exc.reason}")
    except TimeoutError:
        return EntryCheck(name, kind, url, False, f"timed out after {timeout:.0f}s")
    except (OSError, ValueError) as exc:
        return EntryCheck(name, kind, url, False, f"failed: {exc}")
    if kind == "feed":
        count = len(feed_links(body))
        noun = "feed items"
    elif kind == "sitemap":
        try:
            count = sum(1 for _ in Sitemap(body))
        except Exception as exc:  # lxml raises several types for broken XML
            return EntryCheck(name, kind, url, False, f"not a sitemap: {exc}")
        noun = "sitemap entries"
    else:
        text, _ = decode(body, content_type)
        count = len(Selector(text=text).css(selector or "a").css("::attr(href)").getall())
        noun = "links matching the selector"
    if count == 0:
        return EntryCheck(name, kind, url, False, f"answered, but no {noun} found")
    return EntryCheck(name, kind, url, True, f"{count} {noun}")

"""Headlines without the site name.

A page's <title> usually carries the site's name (`…：朝日新聞デジタル`, `… - 日本経済新聞`,
`…--时政--人民网`); the headline is what is left. The article's own headline (JSON-LD,
og:title, its h1) is preferred, and a leading or trailing segment is cut when it is a name
the site gives itself, a name learnt from the source's other pages and its feed, or when
what remains is the page's h1.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable

from lxml import etree

from crawler.markup import Markup, clean_text

SEPARATOR = re.compile(r"\s*--+\s*|\s*[｜：|_]\s*|\s+[-–—:]\s+")
_TRUNCATED = ("…", "...")
_MIN_NAME = 2


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def is_site_name(segment: str, names: Iterable[str]) -> bool:
    """`segment` is one of `names`, part of one (`産経ニュース` of `産経新聞：産経ニュース`),
    or a name with a little more around it or after it."""
    seg = _key(segment)
    if len(seg) < _MIN_NAME:
        return False
    for name in names:
        key = _key(name)
        if len(key) < _MIN_NAME:
            continue
        if seg == key or seg in key:
            return True
        if key in seg and (2 * len(key) >= len(seg) or (seg.startswith(key) and len(key) >= 4)):
            return True  # 日刊ゲンダイ in 日刊ゲンダイDIGITAL
    return False


def strip_site_name(title: str, names: Iterable[str], headlines: Iterable[str] = ()) -> str:
    """`title` without leading and trailing site names; cut at a separator where what
    remains is one of `headlines` (the page's h1, say)."""
    names = set(names)
    confirmed = {_key(h) for h in headlines if h and not is_site_name(h, names)}
    title = clean_text(title)
    for match in SEPARATOR.finditer(title):
        head, tail = title[: match.start()], title[match.end() :]
        if head and _key(head) in confirmed and len(head) >= len(tail):
            return head
        if tail and _key(tail) in confirmed and len(tail) >= len(head):
            return tail
    changed = True
    while changed:
        changed = False
        matches = list(SEPARATOR.finditer(title))
        if not matches:
            break
        last, first = matches[-1], matches[0]
        if title[: last.start()] and is_site_name(title[last.end() :], names):
            title, changed = title[: last.start()], True
        elif title[first.end() :] and is_site_name(title[: first.start()], names):
            title, changed = title[first.end() :], True
    return title


def page_title(markup: Markup, names: Iterable[str] = (), preferred: str | None = None) -> str:
    """The headline: `preferred` (a publisher's rule), the Article's JSON-LD headline,
    og:title, <title> or the h1, whichever comes first (a headline cut short with an
    ellipsis gives way), without the site's name."""
    site_names = {*names, *markup.site_names}
    headline = html.unescape(str(markup.article["headline"])) if markup.article else ""
    og = markup.meta.get("og:title") or markup.meta.get("twitter:title") or ""
    headline, og = (t if not is_site_name(t, site_names) else "" for t in (headline, og))
    if headline.endswith(_TRUNCATED) and _key(og).startswith(_key(headline.rstrip(".…"))):
        headline = ""
    head = _key(og or markup.title)
    h1s = [h for h in markup.h1s if _key(h) in head] if head else markup.h1s[:1]
    chosen = preferred or headline or og or markup.title or (h1s[0] if h1s else "")
    return strip_site_name(chosen, site_names, [*h1s, headline, og])


def feed_title(body: bytes) -> str:
    """The title of an RSS or Atom feed (its channel's, not an item's), or ""."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError:
        return ""
    if root is None:
        return ""
    titles = root.xpath(
        "/*/*[local-name()='title'] | /*/*[local-name()='channel']/*[local-name()='title']"
    )
    return clean_text(titles[0].text or "") if titles else ""


class SiteNames:
    """The site names of one source, learnt during a crawl: the feed's title, and any title
    segment but the headline (the longest) that two of the source's pages share: the site's
    name and its section labels (`…_科技_新浪网`). Only leading and trailing ones are cut."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self._segments: Counter[str] = Counter()

    def add(self, name: str) -> None:
        if clean_text(name):
            self.names.add(clean_text(name))

    def observe(self, raw_title: str) -> None:
        segments = [s for part in SEPARATOR.split(raw_title) if (s := clean_text(part))]
        if len(segments) < 2:
            return
        segments.remove(max(segments, key=len))
        for segment in set(segments):
            self._segments[segment] += 1
            if self._segments[segment] == 2:
                self.names.add(segment)

    def cut(self, title: str) -> str:
        return strip_site_name(title, self.names) if self.names else title

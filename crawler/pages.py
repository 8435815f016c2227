"""Reading an article page, bytes to article: decoding, main text, canonical link.

Decoding and extraction are CPU-bound Python (trafilatura walks the whole tree): the crawl
runs them in worker processes shared by every source of the crawl (see crawler.workers).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import urljoin

from crawler.encoding import clean_characters, decode
from crawler.extract import Extracted, extract
from crawler.urls import canonicalize
from crawler.workers import WorkerError, WorkerPool

_HEAD_END = re.compile(r"</head\s*>|<body\b", re.I)
_LINK_TAG = re.compile(r"<link\b[^>]*>", re.I)
_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


@dataclass(frozen=True)
class PageText:
    article: Extracted
    canonical: str | None  # the page's own rel=canonical URL, canonicalized


def canonical_link(page: str, base: str) -> str | None:
    """The `<link rel="canonical">` of the page's head, absolute and canonicalized.

    A regular expression over the head, not a second parse of the whole page."""
    end = _HEAD_END.search(page)
    head = page[: end.start() if end else 200_000]
    for tag in _LINK_TAG.findall(head):
        attributes = {
            m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _ATTRIBUTE.finditer(tag)
        }
        if "canonical" in attributes.get("rel", "").lower().split() and attributes.get("href"):
            return canonicalize(urljoin(base, attributes["href"].strip()))
    return None


def read_page(
    body: bytes, content_type: str, url: str, lang_hint: str | None, publisher: str | None = None
) -> PageText | None:
    """The article in an HTML page, or None when the page has no article text. `publisher`
    is the source's publisher record, for pages whose domain names none."""
    text = clean_characters(decode(body, content_type)[0])
    article = extract(text, url, lang_hint, publisher)
    if article is None:
        return None
    return PageText(article, canonical_link(text, url))


class PageReader:
    """`read_page` in `workers` processes (see crawler.workers), or in this process when
    `workers` is 0. Create it before the crawl process starts any thread."""

    def __init__(self, workers: int) -> None:
        self._pool = WorkerPool(read_page, workers, "aiwatch-extract") if workers > 0 else None

    async def read(
        self,
        body: bytes,
        content_type: str,
        url: str,
        lang_hint: str | None,
        publisher: str | None = None,
    ) -> PageText | None:
        """The page's article; WorkerError if extraction failed or its worker died."""
        if self._pool is None:
            try:
                return read_page(body, content_type, url, lang_hint, publisher)
            except Exception as exc:  # reported like a worker's failure
                raise WorkerError(f"{type(exc).__name__}: {exc}") from exc
        page: PageText | None = await self._pool.run(body, content_type, url, lang_hint, publisher)
        return page

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()

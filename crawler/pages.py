"""Reading an article page, bytes to article, in worker processes.

Decoding and extraction are CPU-bound Python (trafilatura walks the whole tree). Run in the
crawl process they would hold the GIL that the downloader and the store writer need, so a
crawl could never use more than one core. Workers are spawned once per crawl and shared by
every source in it; `workers = 0` reads pages in the crawl process itself.
"""

from __future__ import annotations

import asyncio
import html
import multiprocessing as mp
import re
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from urllib.parse import urljoin

from crawler.encoding import decode
from crawler.extract import Extracted, extract
from crawler.urls import canonicalize

_HEAD_END = re.compile(r"</head\s*>|<body\b", re.I)
_LINK_TAG = re.compile(r"<link\b[^>]*>", re.I)
_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


class PageReadError(Exception):
    """A page could not be read for a reason outside the page (a worker died)."""


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


def read_page(body: bytes, content_type: str, url: str, lang_hint: str | None) -> PageText | None:
    """The article in an HTML page, or None when the page has no article text."""
    text, _encoding = decode(body, content_type)
    article = extract(text, url, lang_hint)
    if article is None:
        return None
    return PageText(article, canonical_link(text, url))


class PageReader:
    """`read_page` in `workers` processes.

    Create it first thing in a process, while that process has a single thread: the
    workers are then forked at once, sharing the modules already imported, instead of
    spawned (a spawned worker imports the program again, a second or more). Workers that
    replace dead ones are spawned, since by then the crawl runs threads, and forking a
    process with threads can copy a lock in its locked state.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool = self._start("fork") if workers > 0 else None
        if self._pool is not None:
            self._pool.submit(int).result()  # fork now, not at the first page

    def _start(self, method: str) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=mp.get_context(method))

    async def read(
        self, body: bytes, content_type: str, url: str, lang_hint: str | None
    ) -> PageText | None:
        if self._pool is None:
            return read_page(body, content_type, url, lang_hint)
        pool = self._pool
        try:
            return await asyncio.wrap_future(
                pool.submit(read_page, body, content_type, url, lang_hint)
            )
        except BrokenProcessPool as exc:
            # A worker died (out of memory, a crash in a parser): the pages it held are
            # reported by their callers; the first to notice starts new workers.
            if self._pool is pool:
                pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._start("spawn")
            raise PageReadError(f"page reader process died: {exc}") from exc

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

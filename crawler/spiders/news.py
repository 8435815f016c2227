"""One spider for every source: entry points are data (feeds, sitemaps, listings), article
pages are extracted the same way everywhere."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from sqlalchemy.orm import Session, sessionmaker
from twisted.python.failure import Failure

from crawler.feeds import EntryPointError, read_feed, sitemap_entries
from crawler.feeds import feed_links as feed_links  # where `sources check` imports it
from crawler.middlewares import ConditionalGetMiddleware
from crawler.outcome import Outcome
from crawler.pages import PageReader
from crawler.sources import SourceRecord
from crawler.storage import sessions_for
from crawler.titles import SiteNames, feed_title
from crawler.urls import canonicalize
from crawler.workers import WorkerError, WorkerPool
from store.articles import ArticleRecord, known_urls
from store.models import CrawlRun, Source
from store.types import utcnow

log = logging.getLogger(__name__)
HTML_TYPES = (b"text/html", b"application/xhtml")


class NewsSpider(Spider):
    name = "news"

    def __init__(
        self,
        source: dict[str, Any],
        reader: PageReader,
        writer: WorkerPool,
        **kwargs: Any,
    ) -> None:
        """`reader` and `writer` are the crawl's shared extraction and store processes
        (crawler/child.py); StorePipeline writes through `writer`."""
        super().__init__(**kwargs)
        self.source = SourceRecord(**source)
        self.reader = reader
        self.writer = writer
        self.pages = 0
        self.site_names = SiteNames()  # learnt from the feed's and the pages' titles
        self.outcome = Outcome(self.source.name)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.sessions = sessions_for(crawler)
        crawler.signals.connect(spider.opened, signal=signals.spider_opened)
        crawler.signals.connect(spider.closed_, signal=signals.spider_closed)
        crawler.signals.connect(spider.counted, signal=signals.response_received)
        crawler.signals.connect(spider.callback_failed, signal=signals.spider_error)
        crawler.signals.connect(spider.item_failed, signal=signals.item_error)
        return spider

    sessions: sessionmaker[Session]
    run_id: int

    # -- lifecycle ---------------------------------------------------------------------

    def opened(self) -> None:
        with self.sessions.begin() as session:
            source_id = session.query(Source.id).filter(Source.name == self.source.name).scalar()
            run = CrawlRun(source_id=source_id)
            session.add(run)
            session.flush()
            self.run_id = run.id

    def counted(self, response: Response, request: Request) -> None:
        self.pages += 1

    def closed_(self, reason: str) -> None:
        stats = self.crawler.stats
        assert stats is not None
        new = stats.get_value("aiwatch/new", 0)
        duplicates = stats.get_value("aiwatch/duplicates", 0)
        status, why, errors = self.outcome.finish(stats.get_value("aiwatch/errors", 0), reason)
        if errors == 0:
            for middleware in self.crawler.engine.downloader.middleware.middlewares:
                if isinstance(middleware, ConditionalGetMiddleware):
                    middleware.commit()
        with self.sessions.begin() as session:
            run = session.get(CrawlRun, self.run_id)
            assert run is not None
            run.finished_at = utcnow()
            run.pages, run.new, run.duplicates, run.errors = self.pages, new, duplicates, errors
            run.status, run.error = status, why

    # -- entry points ------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        conditional = {"conditional": True}
        entries = [(url, self.parse_feed, conditional) for url in self.source.feeds]
        entries += [(url, self.parse_sitemap, conditional) for url in self.source.sitemaps]
        entries += [
            (item.url, self.parse_listing, {"link_selector": item.link_selector})
            for item in self.source.listings
        ]
        for url, callback, meta in entries:
            # An entry point of the source (its child sitemaps are not: the source was read).
            try:
                request = Request(url, callback, errback=self.failed, meta={"entry": True, **meta})
            except ValueError as exc:  # not a URL Scrapy can fetch
                self.outcome.entry_failed(url, str(exc))
                continue
            yield request

    def parse_feed(self, response: Response) -> Iterator[Request]:
        if response.status == 304:
            self.outcome.entry_read()
            return
        try:
            links = read_feed(response.body)
        except EntryPointError as exc:
            self._error(response, str(exc))
            return
        self.outcome.entry_read()
        self.site_names.add(feed_title(response.body))
        yield from self._articles(response, links)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        if response.status == 304:
            if response.meta.get("entry"):
                self.outcome.entry_read()
            return
        max_size = self.crawler.settings.getint("DOWNLOAD_MAXSIZE")
        try:
            sitemap = sitemap_entries(response.body, max_size)
        except EntryPointError as exc:
            self._error(response, str(exc))
            return
        if response.meta.get("entry"):
            self.outcome.entry_read()
        if sitemap.is_index:
            for loc in sitemap.locations:
                yield Request(
                    response.urljoin(loc),
                    callback=self.parse_sitemap,
                    errback=self.failed,
                    meta={"conditional": True},
                )
        else:
            yield from self._articles(response, sitemap.locations)

    def parse_listing(self, response: Response) -> Iterator[Request]:
        if not isinstance(response, TextResponse):
            self._error(response, "listing page is not HTML")
            return
        hrefs = response.css(response.meta["link_selector"]).css("::attr(href)").getall()
        if not hrefs:
            self._error(response, "listing page: the link selector matched nothing")
            return
        self.outcome.entry_read()
        yield from self._articles(response, hrefs)

    def _articles(self, response: Response, links: list[str]) -> Iterator[Request]:
        urls = {}
        for link in links:
            absolute = response.urljoin(link.strip())
            if absolute.startswith(("http://", "https://")):
                urls.setdefault(canonicalize(absolute), absolute)
        with self.sessions() as session:
            stored = known_urls(session, list(urls))
        for canonical, absolute in urls.items():
            if canonical not in stored:
                # dont_filter: a redirect loop must reach REDIRECT_MAX_TIMES and be reported,
                # not vanish in the duplicate filter; known URLs were filtered just above.
                yield Request(absolute, self.parse_article, errback=self.failed, dont_filter=True)

    # -- article pages -----------------------------------------------------------------

    async def parse_article(self, response: Response) -> AsyncIterator[ArticleRecord]:
        content_type = response.headers.get(b"Content-Type", b"text/html").lower()
        if not content_type.startswith(HTML_TYPES) or b"\x00" in response.body[:2048]:
            self._skip(response.url, f"not an HTML page ({content_type.decode('latin-1')})")
            return
        try:
            page = await self.reader.read(
                response.body,
                content_type.decode("latin-1"),
                response.url,
                self.source.lang,
                self.source.publisher,
            )
        except WorkerError as exc:
            self._error(response, f"extraction failed: {exc}")
            return
        if page is None:
            self._skip(response.url, "no article text found")
            return
        article = page.article
        self.site_names.observe(article.page_title)
        fetched = canonicalize(response.url)
        canonical = page.canonical or fetched
        yield ArticleRecord(
            url=canonical,
            source=self.source.name,
            title=self.site_names.cut(article.title),
            body=article.body,
            lang=article.lang,
            author=article.author,
            published_at=article.published_at,
            other_urls=tuple(
                u for u in {fetched, canonicalize(response.request.url)} if u != canonical
            ),
        )

    # -- problems ----------------------------------------------------------------------

    def failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        disallowed = failure.check(IgnoreRequest) and "robots.txt" in failure.getErrorMessage()
        if disallowed and not request.meta.get("entry"):
            self._skip(_link(request), "disallowed by robots.txt")
            return
        if disallowed:
            reason = "disallowed by robots.txt"
        elif failure.check(HttpError):
            reason = f"HTTP {failure.value.response.status}"
        else:
            reason = failure.getErrorMessage().strip() or failure.type.__name__
        attempts = request.meta.get("retry_times", 0) + 1
        if attempts > 1:
            reason += f" (after {attempts} attempts)"
        self._error(request, reason)

    def callback_failed(self, failure: Failure, response: Response, spider: Spider) -> None:
        """An exception in a callback: Scrapy logs its traceback; the crawl counts it."""
        self._error(response, f"{failure.type.__name__} in the spider: {failure.value}")

    def item_failed(self, item: Any, response: Response, spider: Spider, failure: Failure) -> None:
        self._error(response, f"{failure.type.__name__} storing the article: {failure.value}")

    def _error(self, where: Request | Response, reason: str) -> None:
        request = where.request if isinstance(where, Response) else where
        if request is not None and request.meta.get("entry"):
            self.outcome.entry_failed(_link(request), reason)
        else:
            self.outcome.page_failed(_link(request) if request else where.url, reason)

    def _skip(self, url: str, reason: str) -> None:
        log.warning(
            "page skipped", extra={"source": self.source.name, "url": url, "reason": reason}
        )


def _link(request: Request) -> str:
    """The URL the source linked to, not the redirect hop that failed."""
    return request.meta.get("redirect_urls", [request.url])[0]

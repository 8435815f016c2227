"""One spider for every source: entry points are data (feeds, sitemaps, listings), article
pages are extracted the same way everywhere."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

from lxml import etree
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap
from sqlalchemy.orm import Session, sessionmaker
from twisted.python.failure import Failure

from crawler.middlewares import ConditionalGetMiddleware
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
        self.errors = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.sessions = sessions_for(crawler)
        crawler.signals.connect(spider.opened, signal=signals.spider_opened)
        crawler.signals.connect(spider.closed_, signal=signals.spider_closed)
        crawler.signals.connect(spider.counted, signal=signals.response_received)
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
        errors = self.errors + stats.get_value("aiwatch/errors", 0)
        if errors == 0:
            for middleware in self.crawler.engine.downloader.middleware.middlewares:
                if isinstance(middleware, ConditionalGetMiddleware):
                    middleware.commit()
        with self.sessions.begin() as session:
            run = session.get(CrawlRun, self.run_id)
            assert run is not None
            run.finished_at = utcnow()
            run.pages, run.new, run.duplicates, run.errors = self.pages, new, duplicates, errors
            run.status = "ok" if errors == 0 else "errors"
            run.error = None if reason == "finished" else f"stopped: {reason}"

    # -- entry points ------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        for url in self.source.feeds:
            yield self._request(url, self.parse_feed, conditional=True)
        for url in self.source.sitemaps:
            yield self._request(url, self.parse_sitemap, conditional=True)
        for listing in self.source.listings:
            yield self._request(
                url=listing.url, callback=self.parse_listing, link_selector=listing.link_selector
            )

    def _request(self, url: str, callback: Any, **meta: Any) -> Request:
        return Request(url, callback=callback, errback=self.failed, meta=meta)

    def parse_feed(self, response: Response) -> Iterator[Request]:
        if response.status == 304:
            return
        links = feed_links(response.body)
        if not links:
            self._error(response.url, "malformed or empty feed: no item links found")
            return
        self.site_names.add(feed_title(response.body))
        yield from self._articles(response, links)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        if response.status == 304:
            return
        body = response.body
        if body[:2] == b"\x1f\x8b":
            body = gunzip(body, max_size=self.crawler.settings.getint("DOWNLOAD_MAXSIZE"))
        try:
            sitemap = Sitemap(body)
        except (etree.XMLSyntaxError, ValueError) as exc:
            self._error(response.url, f"malformed sitemap: {exc}")
            return
        locations = [entry["loc"] for entry in sitemap if entry.get("loc")]
        if sitemap.type == "sitemapindex":
            for loc in locations:
                yield self._request(response.urljoin(loc), self.parse_sitemap, conditional=True)
        else:
            yield from self._articles(response, locations)

    def parse_listing(self, response: Response) -> Iterator[Request]:
        if not isinstance(response, TextResponse):
            self._error(response.url, "listing page is not HTML")
            return
        hrefs = response.css(response.meta["link_selector"]).css("::attr(href)").getall()
        if not hrefs:
            self._error(response.url, "listing page: the link selector matched nothing")
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
            self._error(response.url, f"extraction failed: {exc}")
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
            title=self.site_names.strip(article.title),
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
        url = request.meta.get("redirect_urls", [request.url])[0]  # the link, not the hop
        if failure.check(IgnoreRequest) and "robots.txt" in failure.getErrorMessage():
            self._skip(url, "disallowed by robots.txt")
            return
        if failure.check(HttpError):
            reason = f"HTTP {failure.value.response.status}"
        else:
            reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        self._error(url, reason)

    def _error(self, url: str, reason: str) -> None:
        self.errors += 1
        log.error("crawl error", extra={"source": self.source.name, "url": url, "reason": reason})

    def _skip(self, url: str, reason: str) -> None:
        log.warning(
            "page skipped", extra={"source": self.source.name, "url": url, "reason": reason}
        )


def feed_links(body: bytes) -> list[str]:
    """Item links of an RSS 0.9x/1.0/2.0 or Atom feed, namespace-agnostic, tolerant of
    broken markup."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    links = root.xpath("//*[local-name()='item']/*[local-name()='link']/text()")
    for entry in root.xpath("//*[local-name()='entry']"):
        hrefs = entry.xpath(
            "*[local-name()='link'][not(@rel) or @rel='alternate']/@href"
        ) or entry.xpath("*[local-name()='link']/@href")
        links.extend(hrefs[:1])
    rdf_about = root.xpath(
        "//*[local-name()='item'][not(*[local-name()='link'])]/@*[local-name()='about']"
    )
    links.extend(rdf_about)
    return [str(link).strip() for link in links if str(link).strip()]

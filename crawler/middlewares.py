"""Downloader middlewares: retries with exponential backoff, conditional GET for feeds."""

from __future__ import annotations

import asyncio
import logging

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from sqlalchemy.orm import Session, sessionmaker

from crawler.storage import sessions_for
from store.models import HttpValidator
from store.types import utcnow

log = logging.getLogger(__name__)
MAX_RETRY_AFTER = 60.0


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, spaced 0.5 s, 1 s, 2 s ... apart (or as Retry-After asks)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        middleware = super().from_crawler(crawler)
        middleware.backoff = crawler.settings.getfloat("AIWATCH_RETRY_BACKOFF")
        return middleware

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await asyncio.sleep(self._delay(result, response))
        return result

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await asyncio.sleep(self._delay(result, None))
        return result

    def _delay(self, retry: Request, response: Response | None) -> float:
        if response is not None and response.headers.get(b"Retry-After"):
            try:
                return min(MAX_RETRY_AFTER, float(response.headers[b"Retry-After"]))
            except ValueError:
                pass
        return self.backoff * 2 ** (retry.meta.get("retry_times", 1) - 1)


class ConditionalGetMiddleware:
    """Sends If-None-Match / If-Modified-Since for requests marked `conditional`, so an
    unchanged feed or sitemap costs a 304 and nothing else.

    New validators are only kept once the crawl of the source ended without errors: a feed
    whose articles failed to download is fetched in full again next time.
    """

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self.pending: dict[str, tuple[str | None, str | None]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        return cls(sessions_for(crawler))

    def process_request(self, request: Request) -> None:
        if not request.meta.get("conditional"):
            return
        with self.sessions() as session:
            known = session.get(HttpValidator, request.url)
        if known is not None:
            if known.etag:
                request.headers[b"If-None-Match"] = known.etag
            if known.last_modified:
                request.headers[b"If-Modified-Since"] = known.last_modified
        request.meta.setdefault("handle_httpstatus_list", []).append(304)

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("conditional") and response.status == 200:
            etag = response.headers.get(b"ETag")
            modified = response.headers.get(b"Last-Modified")
            if etag or modified:
                self.pending[request.url] = (
                    etag.decode("latin-1") if etag else None,
                    modified.decode("latin-1") if modified else None,
                )
        return response

    def commit(self) -> None:
        """Keep the validators seen in this crawl (called when it ended cleanly)."""
        with self.sessions.begin() as session:
            for url, (etag, modified) in self.pending.items():
                session.merge(
                    HttpValidator(url=url, etag=etag, last_modified=modified, checked_at=utcnow())
                )
        self.pending.clear()

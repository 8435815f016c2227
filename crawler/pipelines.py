"""Item pipeline: articles are saved in batches, one transaction per batch, by the crawl's
store writer process (see crawler.workers), so that writing, full-text index included,
runs beside downloading and extraction instead of competing with them for the GIL.

One batch is written at a time; articles that arrive meanwhile make up the next batch, and
past MAX_PENDING of them the crawl waits for the store instead of filling memory. A crash
loses only the batches not yet committed, and those URLs are not stored, so the next crawl
fetches them again; a batch that fails is retried one article at a time so a single bad
article costs only itself.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import Counter

from scrapy.crawler import Crawler
from sqlalchemy.orm import Session, sessionmaker

from crawler.workers import WorkerError
from store.articles import ArticleRecord, save_articles
from store.db import make_engine, session_factory

log = logging.getLogger(__name__)
BATCH = 50
MAX_PENDING = 500
Failures = list[tuple[str, str]]  # (url, why) of articles that could not be stored


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.database_url: str = crawler.settings["AIWATCH_DATABASE_URL"]
        self.pending: list[ArticleRecord] = []
        self.writing: asyncio.Task[None] | None = None
        self.room = asyncio.Condition()  # notified whenever the writer takes a batch

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    async def process_item(self, record: ArticleRecord) -> ArticleRecord:
        if len(self.pending) >= MAX_PENDING:
            async with self.room:
                await self.room.wait_for(lambda: len(self.pending) < MAX_PENDING)
        self.pending.append(record)
        if self.writing is None and len(self.pending) >= BATCH:
            self.writing = asyncio.ensure_future(self._write_pending())
        return record

    async def close_spider(self) -> None:
        if self.writing is None and self.pending:
            self.writing = asyncio.ensure_future(self._write_pending())
        if self.writing is not None:
            await self.writing

    async def _write_pending(self) -> None:
        """Write batches until nothing is pending: each batch is whatever arrived while
        the previous one was written."""
        try:
            while self.pending:
                batch, self.pending = self.pending, []
                async with self.room:
                    self.room.notify_all()
                counts, failures = await self._write(batch)
                assert self.crawler.stats is not None
                for key, n in counts.items():
                    self.crawler.stats.inc_value(f"aiwatch/{key}", n)
                for url, why in failures:
                    log.error("could not store article", extra={"url": url, "error": why})
        finally:
            self.writing = None

    async def _write(self, batch: list[ArticleRecord]) -> tuple[Counter[str], Failures]:
        writer = self.crawler.spider.writer  # type: ignore[union-attr,attr-defined]
        try:
            result: tuple[Counter[str], Failures] = await writer.run(self.database_url, batch)
            return result
        except WorkerError as exc:
            return Counter(errors=len(batch)), [(record.url, str(exc)) for record in batch]


@functools.cache
def _sessions(database_url: str) -> sessionmaker[Session]:
    return session_factory(make_engine(database_url))


def store_batch(database_url: str, batch: list[ArticleRecord]) -> tuple[Counter[str], Failures]:
    """In the writer process: the batch in one transaction, or else article by article.
    Failures are returned, not logged: the crawl process owns the logs."""
    sessions = _sessions(database_url)
    try:
        return _save(sessions, batch), []
    except Exception:  # any failure: find the article that caused it
        counts: Counter[str] = Counter()
        failures: Failures = []
        for record in batch:
            try:
                counts += _save(sessions, [record])
            except Exception as exc:  # one bad article costs only itself
                counts["errors"] += 1
                failures.append((record.url, str(exc)))
        return counts, failures


def _save(sessions: sessionmaker[Session], batch: list[ArticleRecord]) -> Counter[str]:
    with sessions.begin() as session:
        results = save_articles(session, batch)
    return Counter("new" if r.outcome == "new" else "duplicates" for r in results)

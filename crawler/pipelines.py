"""Item pipeline: articles are saved in batches, one transaction per batch, on a writer thread.

The database driver releases the GIL while SQLite (or PostgreSQL) works, so a batch being
written, full-text index included, overlaps with downloading and extracting the next pages.
One batch is written at a time; articles that arrive meanwhile make up the next batch, and
past MAX_PENDING of them the crawl waits for the store instead of filling memory. A crash
loses only the batches not yet committed, and those URLs are not stored, so the next crawl
fetches them again; a batch that fails is retried one article at a time so a single bad
article costs only itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from scrapy.crawler import Crawler
from sqlalchemy.orm import Session, sessionmaker

from crawler.storage import sessions_for
from store.articles import ArticleRecord, save_articles

log = logging.getLogger(__name__)
BATCH = 50
MAX_PENDING = 500


class StorePipeline:
    def __init__(self, sessions: sessionmaker[Session], crawler: Crawler) -> None:
        self.sessions = sessions
        self.crawler = crawler
        self.pending: list[ArticleRecord] = []
        self.writer = ThreadPoolExecutor(1, thread_name_prefix="aiwatch-store")
        self.writing: asyncio.Task[None] | None = None
        self.room = asyncio.Condition()  # notified whenever the writer takes a batch

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(sessions_for(crawler), crawler)

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
        self.writer.shutdown()

    async def _write_pending(self) -> None:
        """Write batches until nothing is pending: each batch is whatever arrived while
        the previous one was written."""
        loop = asyncio.get_running_loop()
        assert self.crawler.stats is not None
        try:
            while self.pending:
                batch, self.pending = self.pending, []
                async with self.room:
                    self.room.notify_all()
                counts = await loop.run_in_executor(self.writer, self._write, batch)
                for key, n in counts.items():
                    self.crawler.stats.inc_value(f"aiwatch/{key}", n)
        finally:
            self.writing = None

    def _write(self, batch: list[ArticleRecord]) -> Counter[str]:
        """On the writer thread: the batch in one transaction, or article by article."""
        try:
            return self._save(batch)
        except Exception:  # any failure: find the article that caused it
            counts: Counter[str] = Counter()
            for record in batch:
                try:
                    counts += self._save([record])
                except Exception as exc:  # one bad article costs only itself
                    counts["errors"] += 1
                    log.error(
                        "could not store article", extra={"url": record.url, "error": str(exc)}
                    )
            return counts

    def _save(self, batch: list[ArticleRecord]) -> Counter[str]:
        with self.sessions.begin() as session:
            results = save_articles(session, batch)
        return Counter("new" if r.outcome == "new" else "duplicates" for r in results)

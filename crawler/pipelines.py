"""Item pipeline: articles are saved in batches, one transaction per batch.

A crash loses only the batch not yet committed, and those URLs are not stored, so the next
crawl fetches them again; a batch that fails is retried one article at a time so a single
bad article costs only itself.
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from crawler.storage import sessions_for
from store.articles import ArticleRecord, save_article

log = logging.getLogger(__name__)
BATCH = 50


class StorePipeline:
    def __init__(self, sessions: sessionmaker[Session], crawler: Crawler) -> None:
        self.sessions = sessions
        self.crawler = crawler
        self.pending: list[ArticleRecord] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(sessions_for(crawler), crawler)

    def process_item(self, record: ArticleRecord) -> ArticleRecord:
        self.pending.append(record)
        if len(self.pending) >= BATCH:
            self.flush()
        return record

    def close_spider(self) -> None:
        self.flush()

    def flush(self) -> None:
        batch, self.pending = self.pending, []
        if not batch:
            return
        try:
            self._save(batch)
        except SQLAlchemyError:
            for record in batch:
                try:
                    self._save([record])
                except SQLAlchemyError as exc:
                    self._count("errors")
                    log.error(
                        "could not store article", extra={"url": record.url, "error": str(exc)}
                    )

    def _save(self, batch: list[ArticleRecord]) -> None:
        with self.sessions.begin() as session:
            outcomes = [save_article(session, record).outcome for record in batch]
        for outcome in outcomes:
            self._count("new" if outcome == "new" else "duplicates")

    def _count(self, key: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"aiwatch/{key}")

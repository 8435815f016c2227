"""Item pipeline: each article is saved in its own transaction (a crash loses at most the
article being written, never half of one)."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from crawler.storage import sessions_for
from store.articles import ArticleRecord, save_article

log = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, sessions: sessionmaker[Session], crawler: Crawler) -> None:
        self.sessions = sessions
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(sessions_for(crawler), crawler)

    def process_item(self, record: ArticleRecord) -> ArticleRecord:
        stats = self.crawler.stats
        assert stats is not None
        try:
            with self.sessions.begin() as session:
                result = save_article(session, record)
        except SQLAlchemyError as exc:
            stats.inc_value("aiwatch/errors")
            log.error("could not store article", extra={"url": record.url, "error": str(exc)})
            return record
        stats.inc_value(f"aiwatch/{'new' if result.outcome == 'new' else 'duplicates'}")
        return record

"""One store connection per crawl, shared by the spider and the middlewares (the store
writer process has its own)."""

from __future__ import annotations

from scrapy.crawler import Crawler
from sqlalchemy.orm import Session, sessionmaker

from store.db import make_engine, session_factory


def sessions_for(crawler: Crawler) -> sessionmaker[Session]:
    factory: sessionmaker[Session] | None = getattr(crawler, "_aiwatch_sessions", None)
    if factory is None:
        factory = session_factory(make_engine(crawler.settings["AIWATCH_DATABASE_URL"]))
        crawler._aiwatch_sessions = factory  # type: ignore[attr-defined]
    return factory

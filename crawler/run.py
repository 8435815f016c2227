"""Running crawls. Each crawl runs in a child process: Scrapy's Twisted reactor cannot be
restarted inside one process, and a child also keeps a crashing page from taking the
daemon down. Progress comes back over a queue; results are read from `crawl_runs`."""

from __future__ import annotations

import logging
import multiprocessing as mp
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crawler.pages import PageReader
from crawler.pipelines import store_batch
from crawler.settings import scrapy_settings
from crawler.sources import SourceRecord, sync_sources
from crawler.spiders.news import NewsSpider
from crawler.workers import WorkerPool
from store.models import CrawlRun, Source

log = logging.getLogger(__name__)
Progress = Callable[[str, int], None]  # (source name, pages fetched so far), a few times a second
REPORT_EVERY = 0.2  # seconds


@dataclass(frozen=True)
class CrawlSummary:
    source: str
    pages: int
    new: int
    duplicates: int
    errors: int
    status: str


def _child(
    crawler_config: dict[str, Any],
    database_url: str,
    sources: list[dict[str, Any]],
    progress: mp.Queue,  # type: ignore[type-arg]
    setup_logging: Callable[[], None],
) -> None:
    # Worker processes first, while this process has a single thread (crawler.workers).
    reader = PageReader(int(crawler_config["extract_workers"]))
    writer = WorkerPool(store_batch, 1, "aiwatch-store")
    process = CrawlerProcess(scrapy_settings(crawler_config, database_url))
    for source in sources:
        crawler = process.create_crawler(NewsSpider)
        reporter = _Reporter(progress, source["name"])
        crawler.signals.connect(reporter.fetched, signal=signals.response_received, weak=False)
        crawler.signals.connect(reporter.send, signal=signals.spider_closed, weak=False)
        process.crawl(crawler, source=source, reader=reader, writer=writer)
    setup_logging()  # after Scrapy's own set-up, which replaces handlers and levels
    try:
        process.start()
    finally:
        reader.close()
        writer.close()


class _Reporter:
    """Pages fetched by one source, sent to the parent every REPORT_EVERY seconds and at
    the end: a message per page would cost the crawl more than the display is worth."""

    def __init__(self, progress: mp.Queue, name: str) -> None:  # type: ignore[type-arg]
        self.progress = progress
        self.name = name
        self.pages = 0
        self.sent_at = 0.0

    def fetched(self, **_: Any) -> None:
        self.pages += 1
        if time.monotonic() - self.sent_at >= REPORT_EVERY:
            self.send()

    def send(self, **_: Any) -> None:
        self.progress.put((self.name, self.pages))
        self.sent_at = time.monotonic()


def warnings_to_stderr() -> None:
    """The child's logging when the caller has none of its own: warnings and errors only
    (Scrapy leaves the root logger at NOTSET, which would log every scraped item)."""
    logging.basicConfig(level=logging.WARNING, force=True)
    logging.getLogger("scrapy").setLevel(logging.WARNING)


def crawl(
    sessions: sessionmaker[Session],
    database_url: str,
    crawler_config: dict[str, Any],
    sources: list[SourceRecord],
    on_progress: Progress | None = None,
    setup_logging: Callable[[], None] = warnings_to_stderr,
) -> list[CrawlSummary]:
    """Crawl `sources` in a child process and return one summary per source.

    `setup_logging` (a picklable function) configures logging in the child."""
    with sessions.begin() as session:
        sync_sources(session, sources)
        before = session.scalar(select(CrawlRun.id).order_by(CrawlRun.id.desc()).limit(1)) or 0
    context = mp.get_context("spawn")
    progress: mp.Queue = context.Queue()  # type: ignore[type-arg]
    child = context.Process(
        target=_child,
        args=(
            crawler_config,
            database_url,
            [s.to_dict() for s in sources],
            progress,
            setup_logging,
        ),
        name="aiwatch-crawl",
    )
    child.start()
    while child.is_alive() or not progress.empty():
        try:
            name, pages = progress.get(timeout=0.2)
        except queue.Empty:
            continue
        if on_progress:
            on_progress(name, pages)
    child.join()
    if child.exitcode != 0:
        log.error("crawl process failed", extra={"exitcode": child.exitcode})
    return _summaries(sessions, before, sources, child.exitcode or 0)


def _summaries(
    sessions: sessionmaker[Session], after_id: int, sources: list[SourceRecord], exitcode: int
) -> list[CrawlSummary]:
    with sessions() as session:
        rows = session.execute(
            select(Source.name, CrawlRun)
            .join(CrawlRun, CrawlRun.source_id == Source.id)
            .where(CrawlRun.id > after_id)
        ).all()
    done = {name: run for name, run in rows}
    summaries = []
    for source in sources:
        run = done.get(source.name)
        if run is None:
            status = f"crawl process exited with {exitcode}" if exitcode else "did not run"
            summaries.append(CrawlSummary(source.name, 0, 0, 0, 1, status))
        else:
            summaries.append(
                CrawlSummary(
                    source.name,
                    run.pages,
                    run.new,
                    run.duplicates,
                    run.errors,
                    run.status if run.finished_at else "interrupted",
                )
            )
    return summaries

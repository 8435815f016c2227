"""The crawl process: `python -m crawler.child`, started by `crawler.run.crawl`.

A fresh interpreter that imports only the crawler, not the program that started it (a
multiprocessing child would import the whole command line again, a second or more per
crawl). It reads its job, pickled, on stdin and reports progress as JSON lines on the file
descriptor the job names; everything else it has to say goes to the log.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import pickle
import sys
import time
import traceback
from collections.abc import Callable
from typing import IO, Any

from scrapy import signals
from scrapy.crawler import CrawlerProcess

from crawler.pages import PageReader
from crawler.pipelines import store_batch
from crawler.settings import scrapy_settings
from crawler.spiders.news import NewsSpider
from crawler.workers import WorkerPool

REPORT_EVERY = 0.2  # seconds
# Scrapy components that log an ERROR for a failure the spider reports too, with its
# source and reason (crawler.outcome): an unreachable site would otherwise log four lines.
REPORTED_BY_THE_SPIDER = (
    "scrapy.downloadermiddlewares.retry",
    "scrapy.downloadermiddlewares.robotstxt",
)


def run(
    crawler_config: dict[str, Any],
    database_url: str,
    sources: list[dict[str, Any]],
    progress: IO[str],
    setup_logging: Callable[[], None],
) -> None:
    """One Scrapy crawl of `sources`; results land in the store (`crawl_runs`)."""
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
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:  # --debug shows them all
        for name in REPORTED_BY_THE_SPIDER:
            logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        process.start()
    finally:
        reader.close()
        writer.close()


class _Reporter:
    """Pages fetched by one source, sent to the parent every REPORT_EVERY seconds and at
    the end: a message per page would cost the crawl more than the display is worth."""

    def __init__(self, progress: IO[str], name: str) -> None:
        self.progress = progress
        self.name = name
        self.pages = 0
        self.sent_at = 0.0

    def fetched(self, **_: Any) -> None:
        self.pages += 1
        if time.monotonic() - self.sent_at >= REPORT_EVERY:
            self.send()

    def send(self, **_: Any) -> None:
        with contextlib.suppress(BrokenPipeError):  # nobody watching: crawl on regardless
            self.progress.write(json.dumps([self.name, self.pages]) + "\n")
        self.sent_at = time.monotonic()


def main() -> None:
    job = pickle.load(sys.stdin.buffer)
    code = 0
    progress = os.fdopen(job.pop("progress_fd"), "w", buffering=1)
    try:
        run(progress=progress, **job)
    except KeyboardInterrupt:  # Ctrl-C before Scrapy took the signal over: stop quietly
        code = 130
    except BaseException:  # report anything else and exit non-zero
        traceback.print_exc()
        code = 1
    with contextlib.suppress(BrokenPipeError):  # the parent stopped listening (Ctrl-C)
        progress.close()
    logging.shutdown()
    sys.stderr.flush()
    # The store is committed and the logs are flushed: skip tearing down a heap of parsers
    # and Scrapy objects, which takes longer than many a crawl's last batch.
    os._exit(code)


if __name__ == "__main__":
    main()

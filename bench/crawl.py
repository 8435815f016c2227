"""Crawl benchmark: pages/s end to end (fetch, decode, extract, store into SQLite) over the
local news site with throttling off, and the median extraction time per page.

The site renders its pages before the clock starts, so the numbers are the crawler's own.

    python -m bench.crawl --pages 1000
"""

from __future__ import annotations

import argparse
import logging
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sqlalchemy import func, select

from aiwatch.config import Config
from crawler.pages import read_page
from crawler.run import crawl
from crawler.sources import SourceRecord
from store.db import make_engine, session_factory
from store.models import Article, CrawlRun
from store.schema import upgrade


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=1000, help="multiple of 100")
    args = parser.parse_args()
    site = subprocess.Popen(
        [sys.executable, "-m", "tests.newssite", "--prerender", str(args.pages)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert site.stdout is not None
    base = f"http://127.0.0.1:{int(site.stdout.readline())}"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config_path = Path(tmp) / "aiwatch.toml"
            config_path.write_text(
                "[crawler]\ndownload_delay = 0\nautothrottle = false\nconcurrent_per_domain = 16\n"
            )
            config = Config.load(config_path)
            engine = make_engine(config.database_url)
            upgrade(engine)
            sessions = session_factory(engine)
            feeds = [f"{base}/bench/feed-{k}.rss" for k in range(args.pages // 100)]
            source = SourceRecord(name="bench", lang="ja", feeds=feeds)
            logging.basicConfig(level=logging.WARNING)
            t0 = time.perf_counter()
            summary = crawl(sessions, config.database_url, config.section("crawler"), [source])
            elapsed = time.perf_counter() - t0
            with sessions() as s:
                stored = s.scalar(select(func.count()).select_from(Article))
                run = s.scalars(select(CrawlRun)).one()
            assert run.finished_at is not None
            crawling = (run.finished_at - run.started_at).total_seconds()
            pages = summary[0].pages
            print(
                f"crawl: {pages} pages ({stored} articles stored) in {elapsed:.1f} s "
                f"= {pages / elapsed:.0f} pages/s end to end, including the crawl process's "
                f"start and stop ({elapsed - crawling:.1f} s)"
            )
            print(
                f"crawl: {pages / crawling:.0f} pages/s from the spider's start to its last commit"
            )
            samples = []
            for n in range(50):
                with urllib.request.urlopen(f"{base}/bench/{n}.html") as response:
                    body = response.read()
                t1 = time.perf_counter()
                read_page(body, "text/html; charset=utf-8", f"{base}/bench/{n}.html", "ja")
                samples.append((time.perf_counter() - t1) * 1000)
            print(
                f"extraction (decode, main text, metadata, language, canonical link): "
                f"median {statistics.median(samples):.1f} ms/page ({len(body) / 1024:.0f} KB pages)"
            )
    finally:
        site.terminate()


if __name__ == "__main__":
    main()

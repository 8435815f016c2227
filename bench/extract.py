"""Extraction benchmark over the stored real publisher pages (tests/crawler/pages, from
fundus): the crawler's own path (publisher records, trafilatura as fallback) beside plain
trafilatura, in one run.

Per path: titles exactly right (whitespace aside), mean recall of the expected body
paragraphs and mean precision of the extracted body (the share of its text that is
article text), publication times right to the minute with their offset, and the median
time per page.

    python -m bench.extract --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import trafilatura

from crawler.dates import parse_datetime
from crawler.pages import read_page
from crawler.publishers import publisher_for
from tests.crawler.stored_pages import StoredPage, paragraph_scores, squash, stored_pages


@dataclass(frozen=True)
class Result:
    title: str
    body: str
    published_at: datetime | None


def crawler_path(page: StoredPage) -> Result | None:
    read = read_page(page.html, "text/html", page.url, None)
    if read is None:
        return None
    return Result(read.article.title, read.article.body, read.article.published_at)


def plain_trafilatura(page: StoredPage) -> Result | None:
    """trafilatura as it comes (metadata on, its own defaults); its day-only date is
    read in the publisher's time zone, which is generous to it."""
    doc = trafilatura.bare_extraction(page.html.decode("utf-8"), url=page.url, with_metadata=True)
    if doc is None:
        return None
    publisher = publisher_for(page.url)
    parsed = parse_datetime(doc.date, publisher.zone) if doc.date and publisher else None
    return Result(doc.title or "", doc.text or "", parsed[0] if parsed else None)


def score(name: str, path: Callable[[StoredPage], Result | None], repeat: int) -> None:
    pages = stored_pages()
    titles = dates = 0
    recalls, precisions, times = [], [], []
    for page in pages:
        samples = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            result = path(page)
            samples.append((time.perf_counter() - t0) * 1000)
        times.append(statistics.median(samples))
        if result is None:
            recalls.append(0.0)
            precisions.append(0.0)
            continue
        titles += squash(result.title) == squash(page.title)
        recall, precision = paragraph_scores(page, result.body)
        recalls.append(recall)
        precisions.append(precision)
        dates += result.published_at is not None and _minute(result.published_at) == _minute(
            page.published_at
        )
    n = len(pages)
    print(
        f"extract: {name:<18} title exact {titles}/{n}, paragraph recall "
        f"{statistics.mean(recalls):.3f}, precision {statistics.mean(precisions):.3f}, "
        f"date exact {dates}/{n}, {statistics.median(times):.1f} ms/page (median)",
        flush=True,
    )


def _minute(value: datetime) -> tuple[datetime, object]:
    return value.replace(second=0, microsecond=0), value.utcoffset()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per page")
    args = parser.parse_args()
    print(f"extract: {len(stored_pages())} stored publisher pages (tests/crawler/pages)")
    score("publisher records", crawler_path, args.repeat)
    score("plain trafilatura", plain_trafilatura, args.repeat)


if __name__ == "__main__":
    main()

"""Running crawls. Each crawl runs in a child process (crawler/child.py): Scrapy's Twisted
reactor cannot be restarted inside one process, and a child also keeps a crashing page
from taking the daemon down. Progress comes back over a pipe; results are read from
`crawl_runs`."""

from __future__ import annotations

import json
import logging
import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from crawler.outcome import FAILED, INTERRUPTED
from crawler.sources import SourceRecord, sync_sources
from store.models import CrawlRun, Source

log = logging.getLogger(__name__)
Progress = Callable[[str, int], None]  # (source name, pages fetched so far), a few times a second


@dataclass(frozen=True)
class CrawlSummary:
    source: str
    pages: int
    new: int
    duplicates: int
    errors: int
    status: str  # ok | partial | failed | interrupted (crawler.outcome)
    reason: str | None = None  # one line, when not ok


def all_failed(summaries: list[CrawlSummary]) -> str | None:
    """The one-line error of a crawl in which every source failed, else None."""
    if not summaries or any(s.status != FAILED for s in summaries):
        return None
    first = summaries[0]
    return f"all {len(summaries)} source(s) failed; {first.source}: {first.reason}"


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
    read_end, write_end = os.pipe()
    job = {
        "crawler_config": crawler_config,
        "database_url": database_url,
        "sources": [s.to_dict() for s in sources],
        "setup_logging": setup_logging,
        "progress_fd": write_end,
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "crawler.child"], stdin=subprocess.PIPE, pass_fds=(write_end,)
    )
    os.close(write_end)
    try:
        assert child.stdin is not None
        with child.stdin:
            pickle.dump(job, child.stdin)
        with os.fdopen(read_end) as progress:
            for line in progress:  # until the crawl process and its workers have exited
                name, pages = json.loads(line)
                if on_progress:
                    on_progress(name, pages)
        exitcode = child.wait()
    except BaseException:
        # Ctrl-C reached the crawl process too: let it stop gracefully, committing what it
        # has, before giving up.
        child.wait()
        raise
    if exitcode != 0:
        log.error("crawl process failed", extra={"exitcode": exitcode})
    return _summaries(sessions, before, sources, exitcode)


def _summaries(
    sessions: sessionmaker[Session], after_id: int, sources: list[SourceRecord], exitcode: int
) -> list[CrawlSummary]:
    died = f"crawl process exited with {exitcode}" if exitcode else "did not run"
    # Other crawls (other sources) may run at the same time: only this crawl's rows.
    ours = select(Source.id).where(Source.name.in_([s.name for s in sources]))
    with sessions.begin() as session:
        if exitcode:  # what the process did not finish says so in the store, not "running"
            session.execute(
                update(CrawlRun)
                .where(
                    CrawlRun.id > after_id,
                    CrawlRun.source_id.in_(ours),
                    CrawlRun.finished_at.is_(None),
                )
                .values(status=INTERRUPTED, error=died)
            )
        rows = session.execute(
            select(Source.name, CrawlRun)
            .join(CrawlRun, CrawlRun.source_id == Source.id)
            .where(CrawlRun.id > after_id, CrawlRun.source_id.in_(ours))
        ).all()
    done = {name: run for name, run in rows}
    summaries = []
    for source in sources:
        run = done.get(source.name)
        if run is None:
            summaries.append(CrawlSummary(source.name, 0, 0, 0, 1, FAILED, died))
        else:
            summaries.append(
                CrawlSummary(
                    source.name,
                    run.pages,
                    run.new,
                    run.duplicates,
                    run.errors,
                    run.status,
                    run.error,
                )
            )
    return summaries

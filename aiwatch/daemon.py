"""`aiwatch run`: APScheduler in the foreground with the jobs in aiwatch.jobs.

Jobs are stored in the store's database (SQLAlchemy job store), never overlap themselves,
and coalesce missed runs; SIGTERM and SIGINT stop the scheduler after the running jobs
finish their current step.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime
from types import FrameType

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from aiwatch.app import App
from aiwatch.config import parse_duration
from aiwatch.jobs import sync_config
from crawler.sources import load_sources
from store.db import redact

log = logging.getLogger(__name__)
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 600}


def build_scheduler(app: App) -> BackgroundScheduler:
    sync_config(app)
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=app.engine)},
        executors={"default": ThreadPoolExecutor(4)},
        job_defaults=JOB_DEFAULTS,
        timezone=UTC,
    )
    config_path = str(app.config_path)
    schedule = app.config.section("schedule")
    now = datetime.now(UTC)
    wanted: dict[str, tuple[str, float, list[str]]] = {
        f"crawl:{source.name}": (
            "aiwatch.jobs:crawl_source",
            parse_duration(source.every),
            [config_path, source.name],
        )
        for source in load_sources(app.config.sources_file)
    }
    wanted |= {
        "process": (
            "aiwatch.jobs:process_new",
            parse_duration(schedule["process_every"]),
            [config_path],
        ),
        "dispatch": (
            "aiwatch.jobs:dispatch_alerts",
            parse_duration(schedule["dispatch_every"]),
            [config_path],
        ),
        "topics": (
            "aiwatch.jobs:refresh_topics",
            parse_duration(schedule["topics_every"]),
            [config_path],
        ),
        "housekeeping": (
            "aiwatch.jobs:housekeeping",
            parse_duration(schedule["housekeeping_every"]),
            [config_path],
        ),
    }
    scheduler.start(paused=True)  # loads the stored jobs so stale ones can be removed
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            job.remove()
    for job_id, (func, seconds, args) in wanted.items():
        scheduler.add_job(
            func,
            "interval",
            seconds=seconds,
            args=args,
            id=job_id,
            name=job_id,
            replace_existing=True,
            next_run_time=now,
        )
    return scheduler


def run_daemon(app: App) -> None:
    """Run until SIGTERM or SIGINT, then stop once the running jobs are done."""
    scheduler = build_scheduler(app)
    stopping = threading.Event()

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("stopping after the running jobs finish", extra={"signal": signum})
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.resume()
    log.info(
        "aiwatch daemon started",
        extra={"jobs": len(scheduler.get_jobs()), "store": redact(app.config.database_url)},
    )
    stopping.wait()
    scheduler.pause()  # no new runs; then wait for the running ones
    scheduler.shutdown(wait=True)
    log.info("aiwatch daemon stopped")

"""`aiwatch run`: APScheduler in the foreground with the jobs in aiwatch.jobs.

Two lanes, each its own bounded thread pool: crawls in one (`schedule.concurrent_crawls`
at a time, each source never overlapping itself), processing, dispatch, topics and
housekeeping in the other, so a new article is processed and alerted while long crawls
run. A crawl that stored new articles starts `process` at once, and a `process` run that
processed articles starts `dispatch` at once, instead of waiting for their next tick.
Crawls start at staggered phases of their interval: sixteen crawl children starting in
the same second would keep the CPU from every other job (the fast feed's crawl took 24 s
instead of 3). Jobs are stored in the store's database (SQLAlchemy job store) and coalesce missed
runs. SIGTERM and SIGINT drop the queued jobs (they run at their next time), ask running
crawls to stop (downloads still in flight after CRAWL_STOP_GRACE are abandoned), and wait
for the running jobs to finish their current step.
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import signal
import threading
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from types import FrameType
from typing import Any

from apscheduler.events import EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.executors.base import BaseExecutor, run_job
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.triggers.interval import IntervalTrigger

from aiwatch.app import App
from aiwatch.config import parse_duration
from aiwatch.jobs import sync_config
from crawler.sources import load_sources
from store.db import redact

log = logging.getLogger(__name__)
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 600}
CRAWL_LANE = "crawls"
STAGE_LANE = "default"  # process, dispatch, topics, housekeeping
STAGE_THREADS = 4  # one per stage job: none of them waits for another
# Seconds a stopping crawl may spend on downloads in flight before they are abandoned (the
# pages are fetched again next time; everything stored so far is committed).
CRAWL_STOP_GRACE = 10.0
STAGGER_WINDOW = 60.0  # seconds over which the crawls' first runs are spread, at most


class LaneExecutor(BaseExecutor):
    """A bounded thread pool that stops cleanly: on shutdown queued jobs are dropped and
    a job the scheduler hands over afterwards is not started (APScheduler's own pool
    executor raises "cannot schedule new futures after shutdown" in its thread)."""

    def __init__(self, threads: int, name: str) -> None:
        super().__init__()
        self._pool = concurrent.futures.ThreadPoolExecutor(threads, thread_name_prefix=name)
        self._closed = threading.Event()

    def _do_submit_job(self, job: Any, run_times: list[datetime]) -> None:
        if self._closed.is_set():
            self._run_job_success(job.id, [])  # not started; it runs at its next time
            return
        future = self._pool.submit(run_job, job, job._jobstore_alias, run_times, self._logger.name)
        future.add_done_callback(partial(self._finished, job.id))

    def _finished(self, job_id: str, future: concurrent.futures.Future[Any]) -> None:
        if future.cancelled():
            self._run_job_success(job_id, [])
        elif (exc := future.exception()) is not None:
            self._run_job_error(job_id, exc, exc.__traceback__)
        else:
            self._run_job_success(job_id, future.result())

    def shutdown(self, wait: bool = True) -> None:
        self._closed.set()
        self._pool.shutdown(wait=wait, cancel_futures=True)


def lanes(app: App) -> dict[str, LaneExecutor]:
    return {
        CRAWL_LANE: LaneExecutor(app.config.settings.schedule.concurrent_crawls, "aiwatch-crawl"),
        STAGE_LANE: LaneExecutor(STAGE_THREADS, "aiwatch-stage"),
    }


def build_scheduler(app: App, executors: dict[str, LaneExecutor]) -> BackgroundScheduler:
    sync_config(app)
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=app.engine)},
        executors=executors,
        job_defaults=JOB_DEFAULTS,
        timezone=UTC,
    )
    config_path = str(app.config_path)
    schedule = app.config.settings.schedule
    now = datetime.now(UTC)
    wanted: dict[str, tuple[str, float, list[str], str]] = {
        f"crawl:{source.name}": (
            "aiwatch.jobs:crawl_source",
            parse_duration(source.every),
            [config_path, source.name],
            CRAWL_LANE,
        )
        for source in load_sources(app.config.sources_file)
    }
    stages = {
        "process": ("aiwatch.jobs:process_new", schedule.process_every),
        "dispatch": ("aiwatch.jobs:dispatch_alerts", schedule.dispatch_every),
        "topics": ("aiwatch.jobs:refresh_topics", schedule.topics_every),
        "housekeeping": ("aiwatch.jobs:housekeeping", schedule.housekeeping_every),
    }
    wanted |= {
        job_id: (func, seconds, [config_path], STAGE_LANE)
        for job_id, (func, seconds) in stages.items()
    }
    scheduler.start(paused=True)  # loads the stored jobs so stale ones can be removed
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            job.remove()
    crawls = [job_id for job_id in wanted if job_id.startswith("crawl:")]
    for job_id, (func, seconds, args, lane) in wanted.items():
        first = now
        if job_id in crawls:
            first += stagger(crawls.index(job_id), len(crawls), seconds)
        scheduler.add_job(
            func,
            IntervalTrigger(seconds=seconds, start_date=first, timezone=UTC),
            args=args,
            id=job_id,
            name=job_id,
            executor=lane,
            replace_existing=True,
            next_run_time=first,
        )
    scheduler.add_listener(partial(run_follow_up, scheduler), EVENT_JOB_EXECUTED)
    return scheduler


def stagger(index: int, count: int, seconds: float) -> timedelta:
    """The offset of crawl `index` of `count`: the first runs spread evenly over one
    interval (at most STAGGER_WINDOW), and the phase stays, so the crawls' children do not
    all start in the same second at every tick."""
    return timedelta(seconds=min(seconds, STAGGER_WINDOW) * index / max(count, 1))


def follow_up(job_id: str, result: object) -> str | None:
    """The stage job that should run now because `job_id` returned `result`."""
    if not isinstance(result, dict):
        return None
    if job_id.startswith("crawl:") and result.get("new"):
        return "process"
    if job_id == "process" and result.get("processed"):
        return "dispatch"
    return None


def run_follow_up(scheduler: BackgroundScheduler, event: JobExecutionEvent) -> None:
    """Move the follow-up job's next run to now (if it is running, it runs at its tick)."""
    job_id = follow_up(event.job_id, event.retval)
    if job_id is None or scheduler.state != STATE_RUNNING:  # paused or stopping: no new runs
        return
    try:
        scheduler.modify_job(job_id, next_run_time=datetime.now(UTC))
    except JobLookupError:  # removed while stopping
        return
    log.debug("started early", extra={"job": job_id, "after": event.job_id})


def stop_crawls() -> None:
    """Ask this process's crawl children to stop: Scrapy closes its spiders on SIGTERM and
    the crawl commits what it has fetched. (Ctrl-C in a terminal reaches them directly.)"""
    me = str(os.getpid())
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            ppid = (proc / "stat").read_text().rsplit(")", 1)[1].split()[1]
            is_crawl = b"crawler.child" in (proc / "cmdline").read_bytes()
            if ppid == me and is_crawl:
                os.kill(int(proc.name), signal.SIGTERM)
        except (OSError, IndexError):
            continue  # gone meanwhile, or not ours to read


def run_daemon(app: App) -> None:
    """Run until SIGTERM or SIGINT, then stop once the running jobs are done."""
    stopping = threading.Event()

    def stop(signum: int, _frame: FrameType | None) -> None:
        if not stopping.is_set():
            log.info("stopping after the running jobs finish", extra={"signal": signum})
        stopping.set()

    signal.signal(signal.SIGTERM, stop)  # before start-up: a signal then is a clean stop too
    signal.signal(signal.SIGINT, stop)
    executors = lanes(app)
    scheduler = build_scheduler(app, executors)
    if not stopping.is_set():
        scheduler.resume()
    log.info(
        "aiwatch daemon started",
        extra={"jobs": len(scheduler.get_jobs()), "store": redact(app.config.database_url)},
    )
    stopping.wait()
    scheduler.pause()  # no new runs
    for executor in executors.values():
        executor.shutdown(wait=False)  # queued jobs dropped: they run at their next time
    stop_crawls()
    force = threading.Timer(CRAWL_STOP_GRACE, stop_crawls)  # Scrapy: a second SIGTERM forces
    force.daemon = True
    force.start()
    scheduler.shutdown(wait=True)  # waits for the running jobs
    force.cancel()
    log.info("aiwatch daemon stopped")

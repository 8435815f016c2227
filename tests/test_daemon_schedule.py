"""The daemon's schedule: follow-up runs (a crawl with new articles starts `process` at
once, a `process` that processed articles starts `dispatch`) on a real APScheduler, and
crawls started at staggered phases, on the scheduler `aiwatch run` builds."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from apscheduler.events import EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from aiwatch.app import App
from aiwatch.daemon import build_scheduler, lanes, run_follow_up
from tests.conftest import Cli


def _hourly() -> IntervalTrigger:
    """An hourly trigger whose first tick is an hour from now (a module-level one would
    count from when the tests were collected, which a slow suite can leave behind)."""
    return IntervalTrigger(hours=1, timezone=UTC)


def _scheduler(crawl_result: dict[str, int]) -> tuple[BackgroundScheduler, dict[str, Any]]:
    """A crawl that runs now and returns `crawl_result`; process and dispatch due in an
    hour unless something starts them early."""
    ran = {name: threading.Event() for name in ("crawl", "process", "dispatch")}

    def process() -> dict[str, int]:
        ran["process"].set()
        return {"processed": 1}

    def crawl_done(event: JobExecutionEvent) -> None:
        if event.job_id == "crawl:site":
            ran["crawl"].set()

    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(
        lambda: crawl_result, _hourly(), id="crawl:site", next_run_time=datetime.now(UTC)
    )
    scheduler.add_job(process, _hourly(), id="process")
    scheduler.add_job(ran["dispatch"].set, _hourly(), id="dispatch")
    scheduler.add_listener(partial(run_follow_up, scheduler), EVENT_JOB_EXECUTED)
    scheduler.add_listener(crawl_done, EVENT_JOB_EXECUTED)  # after the follow-up listener
    return scheduler, ran


def test_a_crawl_with_new_articles_starts_process_then_dispatch_at_once() -> None:
    scheduler, ran = _scheduler({"new": 2, "pages": 2})
    scheduler.start()
    try:
        assert ran["process"].wait(60), "process waited for its next tick"
        assert ran["dispatch"].wait(60), "dispatch waited for its next tick"
    finally:
        scheduler.shutdown()


def test_a_crawl_without_new_articles_leaves_process_at_its_tick() -> None:
    scheduler, ran = _scheduler({"new": 0, "pages": 2})
    scheduler.start()
    try:
        assert ran["crawl"].wait(60)
        next_run = scheduler.get_job("process").next_run_time
        assert next_run > datetime.now(UTC) + timedelta(minutes=30)
        assert not ran["process"].is_set()
    finally:
        scheduler.shutdown()


def test_crawls_start_at_staggered_phases_that_last(tmp_path: Path) -> None:
    (tmp_path / "sources.toml").write_text(
        "".join(
            f'[[source]]\nname = "s{k}"\nfeeds = ["http://127.0.0.1:9/{k}.rss"]\nevery = "10s"\n'
            for k in range(4)
        )
        + '[[source]]\nname = "daily"\nfeeds = ["http://127.0.0.1:9/d.rss"]\nevery = "1d"\n'
    )
    (tmp_path / "aiwatch.toml").write_text("")
    assert Cli(tmp_path / "aiwatch.toml")("init").code == 0
    app = App(tmp_path / "aiwatch.toml")
    executors = lanes(app)
    scheduler = build_scheduler(app, executors)  # paused: nothing runs
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        firsts = {name: jobs[f"crawl:{name}"].next_run_time for name in ("s0", "s1", "s2", "s3")}
        assert len(set(firsts.values())) == 4  # not all in the same second
        assert max(firsts.values()) - min(firsts.values()) < timedelta(seconds=10)
        for name, first in firsts.items():  # the next runs keep the phase
            trigger = jobs[f"crawl:{name}"].trigger
            after = trigger.get_next_fire_time(first, first + timedelta(seconds=1))
            assert after == first + timedelta(seconds=10)
        # a long interval spreads its first run over the window, not over a day
        assert jobs["crawl:daily"].next_run_time - min(firsts.values()) <= timedelta(minutes=1)
        assert jobs["process"].next_run_time <= min(firsts.values()) + timedelta(seconds=1)
    finally:
        scheduler.shutdown(wait=False)
        for executor in executors.values():
            executor.shutdown(wait=False)

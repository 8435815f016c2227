"""The daemon's jobs as plain functions of a config path, so APScheduler can store them by
reference and `aiwatch run --once` calls exactly the same code. Business logic lives in the
stages; a job only loads what it needs, runs one stage, and records the run."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete

from aiwatch.app import App
from aiwatch.settings import display, gazetteer_path, nlp_settings
from alerts.subscriptions import Skipped, read_subscriptions, sync_subscriptions
from crawler.sources import load_sources, sync_sources
from store.models import JobRun
from store.types import utcnow

if TYPE_CHECKING:
    from crawler.run import Progress

log = logging.getLogger(__name__)
KEEP_JOB_RUNS = timedelta(days=30)


_APPS: dict[str, App] = {}


def app_for(config_path: str) -> App:
    """One App (config, engine, cached models) per config for the life of the process."""
    if config_path not in _APPS:
        _APPS[config_path] = App(Path(config_path))
    return _APPS[config_path]


def adopt(app: App) -> None:
    """Let the jobs use the command's own App (its logging flags, its warnings said once)."""
    _APPS.setdefault(str(app.config_path), app)


@contextmanager
def recorded(app: App, job: str) -> Iterator[dict[str, Any]]:
    """Record the run in job_runs; an exception is logged with the job and re-raised.

    A job that fails without raising sets `result["error"]` (one line), and
    `result["status"] = "partial"` when it still did part of its work."""
    with app.sessions.begin() as session:
        run = JobRun(job=job)
        session.add(run)
        session.flush()
        run_id = run.id
    result: dict[str, Any] = {}
    started = time.perf_counter()
    status, error = "ok", None
    try:
        yield result
    except Exception as exc:
        status, error = "error", f"{type(exc).__name__}: {exc}"
        log.exception("job failed", extra={"job": job})
        raise
    finally:
        result["seconds"] = round(time.perf_counter() - started, 2)
        if error is None and result.get("error"):
            status, error = result.get("status", "failed"), result["error"]
        stored = {k: v for k, v in result.items() if k not in ("status", "error")}
        with app.sessions.begin() as session:
            row = session.get(JobRun, run_id)
            assert row is not None
            row.finished_at, row.status, row.result, row.error = utcnow(), status, stored, error


def sync_config(app: App) -> list[Skipped]:
    """Mirror sources and subscriptions from the config into the store."""
    with app.sessions.begin() as session:
        sync_sources(session, load_sources(app.config.sources_file))
    return sync_alert_subscriptions(app)


def sync_alert_subscriptions(app: App) -> list[Skipped]:
    """Mirror the subscriptions; a bad one is skipped and logged (once per reason), never
    raised."""
    specs, bad = read_subscriptions(app.config.settings.subscriptions)
    with app.sessions.begin() as session:
        skipped = sync_subscriptions(session, specs, bad, gazetteer_path(app.config))
    for item in skipped:
        app.warn_once(log, f"subscription skipped: {item.reason}")
    return skipped


def crawl_sources(
    config_path: str, names: list[str] | None = None, on_page: Progress | None = None
) -> dict[str, Any]:
    from crawler.run import all_failed, crawl

    app = app_for(config_path)
    job = f"crawl:{','.join(names)}" if names else "crawl:all"
    with recorded(app, job) as result:
        sources = [
            s for s in load_sources(app.config.sources_file) if names is None or s.name in names
        ]
        summaries = crawl(
            app.sessions,
            app.config.database_url,
            app.config.section("crawler"),
            sources,
            on_page,
            app.log_setup,
        )
        result.update(
            pages=sum(s.pages for s in summaries),
            new=sum(s.new for s in summaries),
            errors=sum(s.errors for s in summaries),
        )
        failed = [s for s in summaries if s.status == "failed"]
        if failed:
            result["failed_sources"] = [s.source for s in failed]
            result["error"] = all_failed(summaries) or (
                f"{len(failed)} of {len(summaries)} source(s) failed; "
                f"{failed[0].source}: {failed[0].reason}"
            )
            result["status"] = "failed" if len(failed) == len(summaries) else "partial"
        return result


def crawl_source(config_path: str, name: str) -> dict[str, Any]:
    return crawl_sources(config_path, [name])


def process_new(config_path: str) -> dict[str, Any]:
    """Subscriptions are synced first, so every one that exists when an event is
    detected hears of it."""
    from nlp.process import process_pending

    app = app_for(config_path)
    with recorded(app, "process") as result:
        skipped = sync_alert_subscriptions(app)
        result.update(vars(process_pending(app.sessions, nlp_settings(app.config))))
        if skipped:
            result["subscriptions_skipped"] = [s.name for s in skipped]
        return result


def dispatch_alerts(config_path: str) -> dict[str, Any]:
    from alerts.dispatch import DispatchSettings, channel_factory, dispatch_due

    app = app_for(config_path)
    with recorded(app, "dispatch") as result:
        specs, _skipped = read_subscriptions(app.config.settings.subscriptions)
        alerts = app.config.settings.alerts
        settings = DispatchSettings(
            lease_seconds=alerts.lease_seconds,
            backoff_seconds=alerts.backoff_seconds,
            max_attempts=alerts.max_attempts,
            display=display(app.config),
        )
        channels = channel_factory(specs, app.config.smtp, display=settings.display)
        summary = dispatch_due(app.sessions, channels, settings)
        result.update(vars(summary))
        return result


def refresh_topics(config_path: str) -> dict[str, Any]:
    from nlp.topics import recompute_topics

    app = app_for(config_path)
    with recorded(app, "topics") as result, app.sessions.begin() as session:
        result.update(vars(recompute_topics(session)))
        return result


def housekeeping(config_path: str) -> dict[str, Any]:
    app = app_for(config_path)
    with recorded(app, "housekeeping") as result:
        sync_config(app)
        with app.sessions.begin() as session:
            result["job_runs_deleted"] = session.execute(
                delete(JobRun).where(JobRun.finished_at < utcnow() - KEEP_JOB_RUNS)
            ).rowcount
        return result


def run_once(config_path: str, on_page: Progress | None = None) -> dict[str, Any]:
    """One full cycle: crawl every source, process, topics, dispatch."""
    app = app_for(config_path)
    sync_config(app)
    return {
        "crawl": crawl_sources(config_path, on_page=on_page),
        "process": process_new(config_path),
        "topics": refresh_topics(config_path),
        "dispatch": dispatch_alerts(config_path),
    }

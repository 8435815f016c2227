"""What `aiwatch status` reports, read from the store only: each job's last run and last
error, each source's last crawl (v_source_status), the backlog and the outbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from store.models import AlertDelivery, Article, ArticleNlpState, JobRun
from store.types import UTCDateTime


def job_report(session: Session) -> list[dict[str, Any]]:
    """Each job's latest run, and its latest error even when a later run went well."""
    latest = select(JobRun.job, func.max(JobRun.id)).group_by(JobRun.job)
    failed = select(JobRun.job, func.max(JobRun.id)).where(JobRun.error.is_not(None))
    last_error = {
        job: session.get(JobRun, run_id)
        for job, run_id in session.execute(failed.group_by(JobRun.job))
    }
    rows = []
    for job, run_id in sorted(session.execute(latest).tuples()):
        run = session.get(JobRun, run_id)
        assert run is not None
        result = dict(run.result or {})
        error_run = last_error.get(job)
        rows.append(
            {
                "job": job,
                "started_at": run.started_at,
                "seconds": result.pop("seconds", None),
                "status": run.status,
                "result": result,
                "error": run.error,
                "last_error": None
                if error_run is None
                else {"at": error_run.started_at, "error": error_run.error},
            }
        )
    return rows


def source_report(session: Session) -> list[dict[str, Any]]:
    """The last crawl of every enabled source."""
    rows = session.execute(
        text(
            "SELECT source, last_crawl_at, status, pages, new, errors, reason "
            "FROM v_source_status WHERE enabled ORDER BY source"
        ).columns(last_crawl_at=UTCDateTime())
    ).mappings()
    return [dict(row) | {"status": row["status"] or "not crawled yet"} for row in rows]


def backlog_report(session: Session) -> dict[str, int]:
    backlog = session.scalar(
        select(func.count())
        .select_from(Article)
        .outerjoin(ArticleNlpState)
        .where(ArticleNlpState.article_id.is_(None))
    )
    states = dict(
        session.execute(select(AlertDelivery.state, func.count()).group_by(AlertDelivery.state))
        .tuples()
        .all()
    )
    return {
        "backlog_articles": backlog or 0,
        "alerts_queued": states.get("queued", 0) + states.get("sending", 0),
        "alerts_failed": states.get("failed", 0),
        "alerts_sent": states.get("sent", 0),
    }

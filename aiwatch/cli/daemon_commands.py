"""Commands that run aiwatch: run, status, demo."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import click
from rich.console import Console
from sqlalchemy import func, select, text

from aiwatch.app import App, pass_app
from aiwatch.cli.output import emit, emit_json
from aiwatch.config import append_subscription
from aiwatch.daemon import run_daemon
from aiwatch.demo import serve_demo_site
from aiwatch.jobs import app_for, run_once
from crawler.sources import SourceRecord, save_sources
from store.db import make_engine
from store.models import AlertDelivery, Article, ArticleNlpState, JobRun
from store.schema import upgrade


@click.command()
@click.option(
    "--once", is_flag=True, help="Run one full cycle (crawl, process, dispatch) and exit."
)
@click.option("--json", "as_json", is_flag=True, help="With --once: print the cycle as JSON.")
@pass_app
def run(app: App, once: bool, as_json: bool) -> None:
    """Start the scheduler in the foreground (stop with Ctrl-C or SIGTERM), or run one cycle.

    \b
    Example:
      aiwatch run
      aiwatch run --once --json
    """
    app.sessions  # noqa: B018 - refuse to start on a missing or out-of-date store
    if not once:
        run_daemon(app)
        return
    console = Console(stderr=True)
    with console.status("crawling") as status:
        fetched: dict[str, int] = {}

        def on_page(name: str, pages: int) -> None:
            fetched[name] = pages
            status.update(f"crawling: {sum(fetched.values())} pages")

        result = run_once(str(app.config_path), on_page)
    if as_json:
        emit_json(result)
    else:
        for step, values in result.items():
            shown = ", ".join(f"{k} {v}" for k, v in values.items())
            click.echo(f"{step}: {shown}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@pass_app
def status(app: App, as_json: bool) -> None:
    """Each job's last run (when, how long, result), the backlog of unprocessed articles,
    and queued and failed alerts.

    \b
    Example:
      aiwatch status --json
    """
    with app.sessions() as session:
        latest = select(JobRun.job, func.max(JobRun.id).label("id")).group_by(JobRun.job)
        runs = [session.get(JobRun, run_id) for _job, run_id in session.execute(latest)]
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
    jobs = [
        {
            "job": r.job,
            "started_at": r.started_at,
            "seconds": (r.result or {}).get("seconds"),
            "status": r.status,
            "result": {k: v for k, v in (r.result or {}).items() if k != "seconds"},
            "error": r.error,
        }
        for r in sorted((r for r in runs if r), key=lambda r: r.job)
    ]
    summary = {
        "backlog_articles": backlog,
        "alerts_queued": states.get("queued", 0) + states.get("sending", 0),
        "alerts_failed": states.get("failed", 0),
        "alerts_sent": states.get("sent", 0),
    }
    if as_json:
        emit_json({"jobs": jobs, **summary})
        return
    emit(
        ["job", "started_at", "seconds", "status", "result", "error"],
        [
            (
                j["job"],
                j["started_at"],
                j["seconds"],
                j["status"],
                json.dumps(j["result"]),
                j["error"] or "",
            )
            for j in jobs
        ],
        title="jobs",
    )
    click.echo(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in summary.items()))


@click.command()
@click.option(
    "--keep",
    type=click.Path(file_okay=False, path_type=Path),
    help="Build the demo store here instead of a temporary directory.",
)
@click.pass_context
def demo(ctx: click.Context, keep: Path | None) -> None:
    """See aiwatch work offline: serve the bundled demo corpus on 127.0.0.1, run one full
    cycle into a fresh store, print the stories, events and the alerts it would send.

    \b
    Example:
      aiwatch demo
    """
    server, base = serve_demo_site()
    with tempfile.TemporaryDirectory() as tmp:
        home = keep or Path(tmp)
        home.mkdir(parents=True, exist_ok=True)
        config = home / "aiwatch.toml"
        config.write_text("[crawler]\ndownload_delay = 0\nautothrottle = false\n", encoding="utf-8")
        save_sources(
            home / "sources.toml",
            [SourceRecord(name="demo", feeds=[f"{base}/feed.rss"], every="5m")],
        )
        alerts_file = home / "alerts.jsonl"
        append_subscription(config, {"name": "demo", "file": str(alerts_file)})
        app = app_for(str(config))
        upgrade(make_engine(app.config.database_url))
        click.echo(f"Demo site {base}, store {home}", err=True)
        run_once(str(config))
        with app.sessions() as session:
            stories = session.execute(
                text("SELECT story_id, n_articles, langs, label FROM v_stories ORDER BY story_id")
            ).all()
            events = session.execute(
                text(
                    "SELECT event_id, type, org_key, model_key, law_key, stage, n_articles, "
                    "confidence FROM v_events ORDER BY event_id"
                )
            ).all()
        emit(
            ["story_id", "n_articles", "langs", "label"],
            [tuple(r) for r in stories],
            title="stories",
        )
        emit(
            ["event_id", "type", "org", "model", "law", "stage", "articles", "confidence"],
            [tuple(r) for r in events],
            title="events",
        )
        click.echo("Alerts that would be sent:")
        for line in alerts_file.read_text("utf-8").splitlines() if alerts_file.exists() else []:
            click.echo("\n" + json.loads(line)["text"])
    server.shutdown()


COMMANDS = [run, status, demo]

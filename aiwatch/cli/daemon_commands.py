"""Commands that run aiwatch: run, status, demo."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import click

from aiwatch.app import App, pass_app
from aiwatch.cli.output import emit, emit_json
from aiwatch.config import append_subscription


@click.command()
@click.option(
    "--once", is_flag=True, help="Run one full cycle (crawl, process, dispatch) and exit."
)
@click.option("--json", "as_json", is_flag=True, help="With --once: print the cycle as JSON.")
@pass_app
def run(app: App, once: bool, as_json: bool) -> None:
    """Start the scheduler in the foreground (stop with Ctrl-C or SIGTERM), or run one cycle
    (exit status 1 when every source failed to crawl).

    \b
    Example:
      aiwatch run
      aiwatch run --once --json
    """
    from rich.console import Console

    from aiwatch.daemon import run_daemon
    from aiwatch.jobs import adopt, run_once

    app.sessions  # noqa: B018 - refuse to start on a missing or out-of-date store
    adopt(app)  # the jobs log with this command's flags and say a warning once
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
    if result["crawl"].get("status") == "failed":  # every source failed
        raise click.ClickException(result["crawl"]["error"])


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@pass_app
def status(app: App, as_json: bool) -> None:
    """Each job's last run (when, how long, result) and last error; each source's last
    crawl (ok, partial or failed, with the reason); the backlog of unprocessed articles;
    queued and failed alerts. Only reads the store: works on a read-only copy.

    \b
    Example:
      aiwatch status --json
    """
    from alerts.subscriptions import skipped_in_store
    from store.status import backlog_report, job_report, source_report

    with app.reader() as session:
        jobs, sources = job_report(session), source_report(session)
        summary = backlog_report(session)
        skipped = [vars(item) for item in skipped_in_store(session)]
    if as_json:
        emit_json({"jobs": jobs, "sources": sources, **summary, "subscriptions_skipped": skipped})
        return
    emit(
        ["job", "started_at", "seconds", "status", "result", "last_error"],
        [
            (
                j["job"],
                j["started_at"],
                j["seconds"],
                j["status"],
                json.dumps(j["result"], ensure_ascii=False),
                _last_error(j["last_error"]),
            )
            for j in jobs
        ],
        title="jobs",
    )
    emit(
        ["source", "last_crawl_at", "status", "pages", "new", "errors", "reason"],
        [tuple("" if v is None else v for v in s.values()) for s in sources],
        title="sources",
    )
    click.echo(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in summary.items()))
    for item in skipped:
        click.echo(f"subscription skipped: {item['reason']}")


def _last_error(last: dict[str, Any] | None) -> str:
    return "" if last is None else f"{last['at']:%Y-%m-%d %H:%M} {last['error']}"


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
    from sqlalchemy import text

    from aiwatch.demo import serve_demo_site
    from aiwatch.jobs import app_for, run_once
    from crawler.sources import SourceRecord, save_sources
    from store.db import make_engine
    from store.schema import upgrade

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

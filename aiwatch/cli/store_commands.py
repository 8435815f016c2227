"""Commands on the store itself: init, config, db upgrade, sql, search."""

from __future__ import annotations

import re

import click

from aiwatch.app import App, pass_app
from aiwatch.cli.output import emit, emit_json, format_options
from aiwatch.config import Config, default_config_text
from crawler.sources import bundled_sources_text
from store.db import make_engine, redact
from store.query import run_read_only
from store.schema import upgrade
from store.search import search_articles


@click.command()
@click.option("--db", "db_url", help="Database URL to write into a new config.")
@pass_app
def init(app: App, db_url: str | None) -> None:
    """Create the config file (if missing) and the store, or bring the store up to date.

    Safe to run again: an existing config is kept.

    \b
    Example:
      aiwatch --config /tmp/x/aiwatch.toml init --db sqlite:////tmp/x/store.db
    """
    path = app.config_path
    if path.exists():
        current = Config.load(path)
        if db_url and db_url != current.values["store"]["url"]:
            raise click.ClickException(
                f"{path} already exists with another database URL; edit it or use another --config"
            )
        click.echo(f"Config {path} exists; kept.")
    else:
        text = default_config_text()
        if db_url:
            text = re.sub(r'(?m)^url = ".*"$', f"url = {_toml_string(db_url)}", text, count=1)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise click.ClickException(f"cannot write config {path}: {exc.strerror}") from None
        click.echo(f"Wrote config {path}")
    config = app.config
    engine = make_engine(config.database_url)
    before, after = upgrade(engine)
    state = "created" if before is None else ("up to date" if before == after else "upgraded")
    click.echo(f"Store {redact(config.database_url)}: {state} (schema {after})")
    if not config.sources_file.exists():
        config.sources_file.write_text(bundled_sources_text(), encoding="utf-8")
        click.echo(f"Wrote default sources {config.sources_file}")


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@click.group()
def config() -> None:
    """Inspect the configuration."""


@config.command("show")
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@pass_app
def config_show(app: App, as_json: bool) -> None:
    """Print the effective configuration, secrets masked.

    \b
    Example:
      aiwatch config show --json
    """
    import tomli_w

    effective = app.config.effective()
    if as_json:
        emit_json(effective)
    else:
        click.echo(f"# {app.config_path}")
        click.echo(tomli_w.dumps(effective))


@click.group()
def db() -> None:
    """Manage the store's schema."""


@db.command("upgrade")
@pass_app
def db_upgrade(app: App) -> None:
    """Apply pending schema migrations.

    \b
    Example:
      aiwatch db upgrade
    """
    before, after = upgrade(app.engine)
    if before == after:
        click.echo(f"Schema already at {after}.")
    else:
        click.echo(f"Schema upgraded from {before or 'empty'} to {after}.")


@click.command()
@click.argument("query")
@click.option("--limit", type=int, default=None, help="At most this many rows.")
@format_options
@pass_app
def sql(app: App, query: str, limit: int | None, as_json: bool, as_csv: bool) -> None:
    """Run a read-only SQL query against the store (views: v_articles, v_stories, ...).

    \b
    Example:
      aiwatch sql "SELECT entity_key, count(*) FROM v_mentions GROUP BY 1 ORDER BY 2 DESC"
    """
    app.sessions  # noqa: B018 - checks the schema is current before querying
    result = run_read_only(app.config.database_url, query, limit=limit)
    emit(result.columns, result.rows, as_json=as_json, as_csv=as_csv)


@click.command()
@click.argument("words", nargs=-1, required=True)
@click.option("--limit", type=int, default=20, show_default=True)
@format_options
@pass_app
def search(app: App, words: tuple[str, ...], limit: int, as_json: bool, as_csv: bool) -> None:
    """Search articles in any language and script: every word must match; a word that
    names a known entity also matches its mentions in any script (those come first).

    \b
    Examples:
      aiwatch search ファーウェイ
      aiwatch search 人工智能 标识
    """
    from nlp.entity_names import entity_ids_named

    text = " ".join(words)
    with app.sessions() as session:
        named = {word: entity_ids_named(session, word) for word in text.split()}
        hits = search_articles(session, text, limit=limit, entities=named)
    columns = ["article_id", "published_at", "lang", "source", "title", "url", "snippet"]
    rows = [
        (h.article_id, h.published_at, h.lang, h.source, h.title, h.url, h.snippet) for h in hits
    ]
    emit(columns, rows, as_json=as_json, as_csv=as_csv)


COMMANDS = [init, config, db, sql, search]

"""Commands on the store itself: init, config, db upgrade, db create-reader, sql, search."""

from __future__ import annotations

import os
import re
import secrets

import click

from aiwatch.app import App, pass_app
from aiwatch.cli.output import emit, emit_json, format_options
from aiwatch.config import Config, default_config_text
from store.errors import StoreError


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
    from crawler.sources import bundled_sources_text
    from store.db import make_engine, redact
    from store.schema import upgrade

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
    from store.schema import upgrade

    before, after = upgrade(app.engine)
    if before == after:
        click.echo(f"Schema already at {after}.")
    else:
        click.echo(f"Schema upgraded from {before or 'empty'} to {after}.")


@db.command("create-reader")
@click.argument("role", default="aiwatch_reader")
@click.option(
    "--password-env",
    metavar="VARIABLE",
    help="Read the role's password from this environment variable (default: a new random one).",
)
@click.option("--print", "print_only", is_flag=True, help="Print the SQL instead of running it.")
@pass_app
def db_create_reader(app: App, role: str, password_env: str | None, print_only: bool) -> None:
    """Create a PostgreSQL login role that can only read the store, for `aiwatch sql`.

    It gets SELECT on the views and tables and nothing else (no superuser, no server-file or
    program roles); run it again after `aiwatch db upgrade` to grant new views.

    \b
    Example:
      aiwatch db create-reader analyst --password-env ANALYST_PASSWORD
      aiwatch db create-reader --print
    """
    from store.reader_role import apply_reader, plan_reader
    from store.schema import require_current

    if password_env:
        password = os.environ.get(password_env, "")
        if not password:
            raise click.ClickException(f"${password_env} is not set")
    else:
        password = secrets.token_urlsafe(24)
    try:
        require_current(app.engine)
        plan = plan_reader(app.engine, role, password, timeout=app.config.sql_timeout)
        if print_only:
            click.echo(";\n".join(plan.statements) + ";")
            return
        apply_reader(app.engine, plan)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    url = app.engine.url.set(username=role, password=None if password_env else password)
    click.echo(
        f"Role {role!r} can read {len(plan.relations)} views and tables of {plan.database} and "
        "nothing else. For `aiwatch sql`, add to the config:"
    )
    click.echo(f"[sql]\nurl = {_toml_string(url.render_as_string(hide_password=False))}")


@click.command()
@click.argument("query")
@click.option("--limit", type=int, default=None, help="At most this many rows.")
@click.option(
    "--allow-superuser",
    is_flag=True,
    help="Run even when the PostgreSQL role is a superuser (it can read the server's files).",
)
@format_options
@pass_app
def sql(
    app: App, query: str, limit: int | None, allow_superuser: bool, as_json: bool, as_csv: bool
) -> None:
    """Run one read-only query (SELECT, WITH ... SELECT, EXPLAIN) on the store's views and
    tables; anything else is refused, and a query stops after [sql] timeout.

    \b
    Example:
      aiwatch sql "SELECT entity_key, count(*) FROM v_mentions GROUP BY 1 ORDER BY 2 DESC"
    """
    from store.query import run_read_only

    url = app.config.sql_url
    try:
        _require_current(url)
        result = run_read_only(
            url,
            query,
            limit=limit,
            timeout=app.config.sql_timeout,
            allow_superuser=allow_superuser,
        )
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    emit(result.columns, result.rows, as_json=as_json, as_csv=as_csv)


def _require_current(url: str) -> None:
    from store.db import make_engine
    from store.schema import require_current

    engine = make_engine(url, read_only=True)
    try:
        require_current(engine)
    finally:
        engine.dispose()


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
    from store.search import search_articles

    text = " ".join(words)
    with app.reader() as session:
        named = {word: entity_ids_named(session, word) for word in text.split()}
        hits = search_articles(session, text, limit=limit, entities=named)
    columns = ["article_id", "published_at", "lang", "source", "title", "url", "snippet"]
    rows = [
        (h.article_id, h.published_at, h.lang, h.source, h.title, h.url, h.snippet) for h in hits
    ]
    emit(columns, rows, as_json=as_json, as_csv=as_csv)


COMMANDS = [init, config, db, sql, search]

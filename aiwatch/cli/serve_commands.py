"""Browsing and following the store: `serve` (Datasette), `feed` (Atom), `export`."""

from __future__ import annotations

from pathlib import Path

import click

from aiwatch.app import App, pass_app


def _sqlite_file(url: str) -> Path | None:
    prefix = "sqlite:///"
    return Path(url[len(prefix) :]) if url.startswith(prefix) else None


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8001, show_default=True)
@click.option(
    "--sqlite",
    "snapshot",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Serve this SQLite file (e.g. a snapshot from `aiwatch export --sqlite`).",
)
@pass_app
def serve(app: App, host: str, port: int, snapshot: Path | None) -> None:
    """Browse the store in a web browser (Datasette, read-only): the documented views,
    canned queries, facets, search, dashboards, and the Atom feed of events at
    /-/aiwatch/events.atom.

    \b
    Examples:
      aiwatch serve --port 8001
      aiwatch export --sqlite /tmp/aiwatch.db && aiwatch serve --sqlite /tmp/aiwatch.db
    """
    from aiwatch.serve.server import serve as run

    store = snapshot or _sqlite_file(app.config.database_url)
    if store is None:
        raise click.ClickException(
            "the store is on PostgreSQL: query its documented views from any BI tool or "
            "`aiwatch sql`, or serve a snapshot: aiwatch export --sqlite PATH, then "
            "aiwatch serve --sqlite PATH"
        )
    if snapshot is None:
        app.reader  # noqa: B018 - the store must exist and be current
    click.echo(f"Serving {store} read-only at http://{host}:{port}/ (Ctrl-C stops)", err=True)
    run(store, app.config_path, host, port)


@click.command()
@click.option("--subscription", help="Only the events queued for this subscription.")
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file."
)
@pass_app
def feed(app: App, subscription: str | None, output: Path | None) -> None:
    """Write an Atom 1.0 feed of events, newest first (stdout unless --output).

    \b
    Examples:
      aiwatch feed --output events.atom
      aiwatch feed --subscription policy-team
    """
    from aiwatch.settings import display
    from alerts.feed import atom, store_entries, write_atomically

    names = {s.get("name") for s in app.config.settings.subscriptions}
    if subscription and subscription not in names:
        raise click.ClickException(f"no subscription named {subscription!r}")
    with app.reader() as session:
        entries = store_entries(session, display(app.config).zone, subscription)
    title = f"aiwatch: {subscription}" if subscription else "aiwatch: all events"
    document = atom(
        entries, title=title, feed_id=f"tag:aiwatch,2026:subscription/{subscription or '*'}"
    )
    if output:
        write_atomically(output, document)
        click.echo(f"{len(entries)} events written to {output}", err=True)
    else:
        click.echo(document.decode())


@click.command()
@click.option(
    "--sqlite",
    "target",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The new SQLite file.",
)
@pass_app
def export(app: App, target: Path) -> None:
    """Copy the store (PostgreSQL or SQLite) into a new SQLite file, schema and views
    included: to browse with `aiwatch serve --sqlite`, or to hand over.

    \b
    Example:
      aiwatch export --sqlite /tmp/aiwatch-snapshot.db
    """
    from aiwatch.serve.export import export_sqlite

    app.reader  # noqa: B018 - the store must exist and be current
    try:
        copied = export_sqlite(
            app.engine, target, lambda table, n: click.echo(f"\r{table}: {n}", nl=False, err=True)
        )
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("", err=True)
    click.echo(f"Exported {sum(copied.values())} rows in {len(copied)} tables to {target}")


COMMANDS = [serve, feed, export]

"""`aiwatch config check`: every problem in the config, sources and subscriptions at once
(`config show` lives with the store commands)."""

from __future__ import annotations

import click

from aiwatch.app import App, pass_app
from aiwatch.cli.store_commands import config
from aiwatch.config import check


@config.command("check")
@pass_app
def config_check(app: App) -> None:
    """Check the config file, its sources file and every subscription (entities included)
    and print each problem as FILE:LINE: KEY: what is wrong; exit status 1 if there is any.

    \b
    Example:
      aiwatch config check
    """
    from aiwatch.settings import gazetteer_path
    from alerts.subscriptions import read_subscriptions, resolve_entities, unknown_entities_message
    from crawler.sources import SourceError, load_sources

    problems, _values, settings = check(app.config_path)
    if settings is None:
        raise click.ClickException("\n".join(problems))
    specs, skipped = read_subscriptions(settings.subscriptions)
    problems = [item.reason for item in skipped]
    try:
        sources = load_sources(app.config.sources_file)
    except SourceError as exc:
        sources, problems = [], [*problems, str(exc)]
    with app.session_if_store() as session:  # no store yet: the gazetteer alone
        for spec in specs:
            _keys, unknown = resolve_entities(session, spec.entities, gazetteer_path(app.config))
            if unknown:
                problems.append(unknown_entities_message(spec.name, unknown))
    if problems:
        raise click.ClickException("\n".join(f"{app.config_path}: {p}" for p in problems))
    click.echo(f"{app.config_path}: OK ({len(sources)} sources, {len(specs)} subscriptions)")


COMMANDS: list[click.Command] = []  # `check` joins the `config` group above

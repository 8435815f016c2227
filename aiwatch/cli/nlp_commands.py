"""Commands for the NLP stage: extract, process, entities."""

from __future__ import annotations

import click

from aiwatch.app import App, pass_app
from aiwatch.cli.output import emit, emit_json, format_options
from aiwatch.config import Config
from store.vocabulary import ENTITY_TYPES

LANGS = ["ja", "zh", "zh-Hans", "zh-Hant", "en"]


@click.command()
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
@click.option("--lang", type=click.Choice(LANGS), help="Language (default: detected).")
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@click.option("--no-ner", is_flag=True, help="Gazetteer and discovery only (fast).")
@pass_app
def extract(
    app: App, file: click.utils.LazyFile, lang: str | None, as_json: bool, no_ner: bool
) -> None:
    """Show the entities aiwatch sees in a text (stdin by default): surface, type,
    canonical key, character offsets and how each was found.

    \b
    Example:
      echo "騰訊は混元の新版を発表した" | aiwatch extract --json
    """
    from aiwatch.settings import gazetteer_path
    from crawler.lang import detect
    from nlp.entities import EntityRecognizer

    text = file.read()
    lang = lang or detect(text)
    config = Config.load(app.config_path, must_exist=False)  # works before `aiwatch init`
    recognizer = EntityRecognizer(gazetteer_path(config), use_ner=not no_ner)
    found = recognizer.find(text, lang)
    rows = [(f.surface, f.type, f.key, f.start, f.end, f.method) for f in found]
    columns = ["surface", "type", "key", "start", "end", "method"]
    if as_json:
        emit_json({"lang": lang, "entities": [dict(zip(columns, r, strict=True)) for r in rows]})
    else:
        emit(columns, rows, title=f"lang: {lang}")


@click.command()
@click.option(
    "--all",
    "redo_all",
    is_flag=True,
    help="Redo every article (after a gazetteer or model change).",
)
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@pass_app
def process(app: App, redo_all: bool, as_json: bool) -> None:
    """Run the NLP stages over stored articles not processed yet.

    \b
    Example:
      aiwatch process --all
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from aiwatch.jobs import sync_alert_subscriptions
    from aiwatch.settings import nlp_settings
    from nlp.process import process_pending

    sessions = app.sessions
    sync_alert_subscriptions(app)  # each subscription in the config hears of these events
    with Progress(
        TextColumn("processing"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("process", total=None)
        summary = process_pending(
            sessions,
            nlp_settings(app.config),
            redo_all=redo_all,
            on_progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    result = vars(summary)
    if as_json:
        emit_json(result)
    else:
        click.echo(", ".join(f"{k} {v}" for k, v in result.items()))


@click.group()
def entities() -> None:
    """List and curate canonical entities."""


@entities.command("list")
@click.option(
    "--discovered",
    is_flag=True,
    help="Only discovered entities: names the recognizer found in two or more sources, and "
    "new model versions; with the names seen per language, for promotion.",
)
@click.option(
    "--type",
    "type_",
    type=click.Choice(ENTITY_TYPES),
)
@format_options
@pass_app
def entities_list(
    app: App, discovered: bool, type_: str | None, as_json: bool, as_csv: bool
) -> None:
    """List entities in the store.

    \b
    Example:
      aiwatch entities list --discovered --type person
    """
    from sqlalchemy import select

    from nlp.store_entities import discovered_entities
    from store.models import Entity

    if discovered:
        with app.sessions() as session:
            found = [d for d in discovered_entities(session) if type_ in (None, d.type)]
        columns = ["key", "type", "name_ja", "name_zh", "name_en", "sources", "mentions"]
        rows = [
            (
                d.key,
                d.type,
                *(d.names.get(lang) for lang in ("ja", "zh", "en")),
                d.sources,
                d.mentions,
            )
            for d in found
        ]
        emit(columns, rows, as_json=as_json, as_csv=as_csv)
        return
    query = select(Entity).order_by(Entity.type, Entity.key)
    if type_:
        query = query.where(Entity.type == type_)
    with app.sessions() as session:
        rows = [
            (
                e.key,
                e.type,
                e.name_ja,
                e.name_zh,
                e.name_en,
                e.discovered,
                e.first_seen,
                e.first_article_id,
            )
            for e in session.scalars(query)
        ]
    columns = [
        "key",
        "type",
        "name_ja",
        "name_zh",
        "name_en",
        "discovered",
        "first_seen",
        "first_article_id",
    ]
    emit(columns, rows, as_json=as_json, as_csv=as_csv)


@entities.command("promote")
@click.argument("key")
@click.option("--as", "new_key", help="Give it a better canonical key, e.g. model:glm-5.")
@pass_app
def entities_promote(app: App, key: str, new_key: str | None) -> None:
    """Mark a discovered entity as curated (optionally renaming its key).

    \b
    Example:
      aiwatch entities promote model:灵犀 --as model:lingxi
    """
    from nlp.store_entities import CurationError, promote

    try:
        with app.sessions.begin() as session:
            entity = promote(session, key, new_key)
    except CurationError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{entity.key} is curated")


@entities.command("merge")
@click.argument("source")
@click.argument("target")
@pass_app
def entities_merge(app: App, source: str, target: str) -> None:
    """Merge SOURCE into TARGET: mentions and events move, SOURCE's names become aliases.

    \b
    Example:
      aiwatch entities merge model:qwen-3-5 model:qwen3-5
    """
    from nlp.store_entities import CurationError, merge

    try:
        with app.sessions.begin() as session:
            merge(session, source, target)
    except CurationError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"merged {source} into {target}")


COMMANDS = [extract, process, entities]

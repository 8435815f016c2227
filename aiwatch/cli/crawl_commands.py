"""Commands for sources and crawling."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

import click

from aiwatch.app import App, pass_app
from aiwatch.cli.output import emit, format_options

if TYPE_CHECKING:  # crawler.sources loads SQLAlchemy: only when a command runs
    from crawler.sources import SourceRecord


def _load(app: App) -> list[SourceRecord]:
    from crawler.sources import SourceError, load_sources

    try:
        return load_sources(app.config.sources_file)
    except SourceError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def sources() -> None:
    """List, add, remove and check the sources aiwatch crawls."""


@sources.command("list")
@format_options
@pass_app
def sources_list(app: App, as_json: bool, as_csv: bool) -> None:
    """List the configured sources.

    \b
    Example:
      aiwatch sources list --json
    """
    records = _load(app)
    columns = ["name", "kind", "lang", "publisher", "every", "verified", "entry_points"]
    rows = [
        (r.name, r.kind, r.lang, r.publisher, r.every, r.verified, " ".join(r.entry_urls))
        for r in records
    ]
    emit(columns, rows, as_json=as_json, as_csv=as_csv)


@sources.command("add")
@click.argument("name")
@click.option("--feed", "feeds", multiple=True, help="RSS or Atom feed URL.")
@click.option("--sitemap", "sitemaps", multiple=True, help="Sitemap or sitemap index URL.")
@click.option("--listing", help="Listing page URL (needs --link-selector).")
@click.option("--link-selector", help="CSS selector of article links on the listing page.")
@click.option("--lang", type=click.Choice(["ja", "zh", "zh-Hans", "zh-Hant", "en"]))
@click.option("--kind", type=click.Choice(["news", "regulator"]), default="news")
@click.option("--every", default="30m", show_default=True, help="Poll interval.")
@click.option("--publisher", help="Its publisher record in seeds/publishers/ (file name).")
@pass_app
def sources_add(
    app: App,
    name: str,
    feeds: tuple[str, ...],
    sitemaps: tuple[str, ...],
    listing: str | None,
    link_selector: str | None,
    lang: str | None,
    kind: str,
    every: str,
    publisher: str | None,
) -> None:
    """Add a source to the sources file.

    \b
    Example:
      aiwatch sources add qbitai --feed https://www.qbitai.com/feed --lang zh --every 30m \\
          --publisher qbitai
      aiwatch sources add cac --listing https://www.cac.gov.cn/zcfg/ \\
          --link-selector "ul.list a" --kind regulator
    """
    from crawler.sources import Listing, SourceError, SourceRecord, save_sources

    if bool(listing) != bool(link_selector):
        raise click.UsageError("--listing and --link-selector go together")
    records = _load(app)
    if any(r.name == name for r in records):
        raise click.ClickException(f"a source named {name!r} already exists")
    try:
        record = SourceRecord(
            name=name,
            kind=kind,
            lang="zh-Hans" if lang == "zh" else lang,
            feeds=list(feeds),
            sitemaps=list(sitemaps),
            listings=[Listing(listing, link_selector)] if listing and link_selector else [],
            every=every,
            publisher=publisher,
        )
    except SourceError as exc:
        raise click.UsageError(str(exc)) from None
    save_sources(app.config.sources_file, [*records, record])
    click.echo(f"Added source {name} ({', '.join(record.entry_urls)})")


@sources.command("remove")
@click.argument("name")
@pass_app
def sources_remove(app: App, name: str) -> None:
    """Remove a source (its stored articles stay).

    \b
    Example:
      aiwatch sources remove qbitai
    """
    from crawler.sources import save_sources

    records = _load(app)
    kept = [r for r in records if r.name != name]
    if len(kept) == len(records):
        raise click.ClickException(f"no source named {name!r}")
    save_sources(app.config.sources_file, kept)
    click.echo(f"Removed source {name}")


@sources.command("check")
@click.argument("names", nargs=-1)
@click.option("--timeout", type=float, default=10, show_default=True)
@format_options
@pass_app
def sources_check(
    app: App, names: tuple[str, ...], timeout: float, as_json: bool, as_csv: bool
) -> None:
    """Fetch each entry point once and say whether it answered, how many items it holds,
    and whether the source's publisher rules read its first article, or why not. A source
    whose every entry point passed is marked verified in the sources file. Exit status 1
    when any fails.

    \b
    Example:
      aiwatch sources check cac-policy qbitai
    """
    from crawler.check import check_source
    from crawler.sources import save_sources

    records = _load(app)
    checked = [r for r in records if not names or r.name in names]
    unknown = set(names) - {r.name for r in checked}
    if unknown:
        raise click.ClickException(f"unknown source(s): {', '.join(sorted(unknown))}")
    agent = app.config.values["crawler"]["user_agent"]
    results = {r.name: check_source(r, agent, timeout) for r in checked}
    rows = [tuple(asdict(c).values()) for found in results.values() for c in found]
    columns = ["source", "kind", "url", "ok", "detail", "items", "first_article", "rules"]
    emit(columns, rows, as_json=as_json, as_csv=as_csv)
    passed = [r for r in checked if not r.verified and all(c.ok for c in results[r.name])]
    if passed:
        for record in passed:
            record.verified = True
        save_sources(app.config.sources_file, records)
        click.echo(f"Marked verified: {', '.join(r.name for r in passed)}", err=True)
    if any(not c.ok for found in results.values() for c in found):
        raise SystemExit(1)


@click.command()
@click.option("--source", "names", multiple=True, help="Crawl only this source (repeatable).")
@format_options
@pass_app
def crawl(app: App, names: tuple[str, ...], as_json: bool, as_csv: bool) -> None:
    """Crawl all sources (or some) now and store new articles. Each source's status is
    ok, partial (some pages failed) or failed (no entry point could be read), with the
    reason; exit status 1 when every source failed.

    \b
    Example:
      aiwatch crawl --source qbitai
    """
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from crawler.run import all_failed
    from crawler.run import crawl as run_crawl

    records = [r for r in _load(app) if not names or r.name in names]
    if names and len(records) != len(set(names)):
        missing = set(names) - {r.name for r in records}
        raise click.ClickException(f"unknown source(s): {', '.join(sorted(missing))}")
    sessions = app.sessions
    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=console, transient=True
    ) as progress:
        task = progress.add_task("crawling", total=None)
        counts: dict[str, int] = {}

        def on_page(name: str, pages: int) -> None:
            counts[name] = pages
            done = ", ".join(f"{n} {c}" for n, c in counts.items())
            progress.update(task, description=f"pages fetched: {done}")

        summaries = run_crawl(
            sessions,
            app.config.database_url,
            app.config.section("crawler"),
            records,
            on_page,
            app.log_setup,
        )
    columns = ["source", "pages", "new", "duplicates", "errors", "status", "reason"]
    rows = [tuple(asdict(s).values()) for s in summaries]
    emit(columns, rows, as_json=as_json, as_csv=as_csv)
    failed = all_failed(summaries)
    if failed:
        raise click.ClickException(failed)


COMMANDS = [sources, crawl]

"""Commands to read stories and topics."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import click

from aiwatch.app import App, pass_app
from aiwatch.cli.output import emit, format_options
from aiwatch.config import ConfigError, parse_duration

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

since_option = click.option(
    "--since",
    default="7d",
    show_default=True,
    help="Only what was seen within this period (e.g. 24h, 7d, 30d).",
)


def _since(value: str) -> object:
    from store.types import utcnow

    try:
        return utcnow() - timedelta(seconds=parse_duration(value))
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command()
@since_option
@format_options
@pass_app
def stories(app: App, since: str, as_json: bool, as_csv: bool) -> None:
    """List stories active in a period: size, languages, label.

    \b
    Example:
      aiwatch stories --since 30d --json
    """
    from sqlalchemy import text

    from store.types import UTCDateTime

    columns = ["story_id", "label", "n_articles", "langs", "first_seen", "last_seen"]
    with app.reader() as session:
        rows = session.execute(
            text(
                f"SELECT {', '.join(columns)} FROM v_stories WHERE last_seen >= :start "
                "ORDER BY last_seen DESC"
            ),
            {"start": UTCDateTime().process_bind_param(_since(since), session.get_bind().dialect)},
        ).all()
    emit(columns, [tuple(r) for r in rows], as_json=as_json, as_csv=as_csv)


@click.command()
@click.argument("story_id", type=int)
@click.option(
    "--events",
    "show_events",
    is_flag=True,
    help="The story's events instead: confidence, the terms that decided, the evidence.",
)
@format_options
@pass_app
def story(app: App, story_id: int, show_events: bool, as_json: bool, as_csv: bool) -> None:
    """Show one story's articles, oldest first (or, with --events, why its events are events).

    \b
    Example:
      aiwatch story 12
      aiwatch story 12 --events
    """
    from sqlalchemy import func, select

    from store.models import Article, ArticleStory, Story

    with app.reader() as session:
        found = session.get(Story, story_id)
        if found is None:
            raise click.ClickException(f"no story {story_id}")
        if show_events:
            columns, rows = _story_events(session, story_id)
        else:
            columns = ["article_id", "published_at", "lang", "title", "url"]
            rows = session.execute(
                select(Article.id, Article.published_at, Article.lang, Article.title, Article.url)
                .join(ArticleStory, ArticleStory.article_id == Article.id)
                .where(ArticleStory.story_id == story_id)
                .order_by(func.coalesce(Article.published_at, Article.fetched_at))
            ).all()
    emit(
        columns,
        [tuple(r) for r in rows],
        as_json=as_json,
        as_csv=as_csv,
        title=f"story {story_id}: {found.label}",
    )


def _story_events(session: Session, story_id: int) -> tuple[list[str], list[tuple[object, ...]]]:
    """Each event of the story with what decided it: the classifier's confidence, its largest
    terms (facts["decision"]) and the evidence sentences."""
    from sqlalchemy import select, text

    from store.models import Event

    columns = ["event_id", "type", "model_key", "law_key", "stage", "confidence"]
    rows = session.execute(
        text(
            f"SELECT {', '.join(columns)}, evidence FROM v_events WHERE story_id = :story "
            "ORDER BY first_reported_at"
        ),
        {"story": story_id},
    ).all()
    events = session.scalars(select(Event).where(Event.story_id == story_id))
    decided = {e.id: (e.facts or {}).get("decision", "") for e in events}
    return [*columns, "decision", "evidence"], [
        (*row[:-1], decided.get(row[0], ""), row[-1]) for row in rows
    ]


@click.command()
@click.option("--since", default="30d", show_default=True, help="Period for growth.")
@click.option(
    "--recompute",
    is_flag=True,
    help="Recompute topics now (the daemon does it on schedule.topics_every).",
)
@format_options
@pass_app
def topics(app: App, since: str, recompute: bool, as_json: bool, as_csv: bool) -> None:
    """Themes above stories: label, stories, articles, and growth in the period (articles
    in its second half against its first half).

    \b
    Example:
      aiwatch topics --since 30d
    """
    from sqlalchemy import func, select

    from nlp.topics import recompute_topics
    from store.models import Article, ArticleStory, StoryTopic, Topic
    from store.types import utcnow

    start = _since(since)
    middle = start + (utcnow() - start) / 2
    if recompute:
        with app.sessions.begin() as session:
            recompute_topics(session)
    with app.reader() as session:
        rows = []
        for topic in session.scalars(select(Topic).where(Topic.active.is_(True))):
            published = func.coalesce(Article.published_at, Article.fetched_at)
            base = (
                select(func.count())
                .select_from(StoryTopic)
                .join(ArticleStory, ArticleStory.story_id == StoryTopic.story_id)
                .join(Article, Article.id == ArticleStory.article_id)
                .where(StoryTopic.topic_id == topic.id)
            )
            n_articles = session.scalar(base)
            first_half = session.scalar(base.where(published >= start, published < middle))
            second_half = session.scalar(base.where(published >= middle))
            n_stories = session.scalar(
                select(func.count()).select_from(StoryTopic).where(StoryTopic.topic_id == topic.id)
            )
            growth = f"{second_half - first_half:+d}"
            rows.append(
                (
                    topic.id,
                    topic.label_ja,
                    topic.label_zh,
                    n_stories,
                    n_articles,
                    first_half + second_half,
                    growth,
                )
            )
    emit(
        ["topic_id", "label_ja", "label_zh", "n_stories", "n_articles", "in_period", "growth"],
        sorted(rows, key=lambda r: -r[5]),
        as_json=as_json,
        as_csv=as_csv,
    )


COMMANDS = [stories, story, topics]

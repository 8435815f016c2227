"""Running the NLP stages over stored articles that have not been processed yet: entities,
embedding, story, events.

Articles are taken in publication order and in batches (the embedding model is fastest on
a batch) and analysed (nlp.analysis: entities, embedding, events; in worker processes for
a large backlog); each article is then written in its own transaction, in that order (its
mentions, embedding, story and events are committed together or not at all), and an
article that fails is recorded with its error and never stops the others. `aiwatch
process`, `aiwatch run --once` and the daemon all call `process_pending`.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from nlp.analysis import (
    POOL_MIN_ARTICLES,
    Analyser,
    Analysis,
    ArticleText,
    analysed,
    fork_server_started,
)
from nlp.dates import local_time
from nlp.embedding import BUNDLED
from nlp.entities import Found
from nlp.events import is_commentary
from nlp.gazetteer import Gazetteer, gazetteer_bytes
from nlp.ner import models_digest
from nlp.store_entities import entity_for, learnt_entries, sync_gazetteer
from nlp.store_events import add_follow_up, upsert_event
from nlp.stories import StoryParams, assign_story, label_story
from store.models import (
    Article,
    ArticleEmbedding,
    ArticleNlpState,
    ArticleStory,
    Entity,
    Event,
    Mention,
    Story,
)
from store.search import index_pending
from store.types import utcnow

log = logging.getLogger(__name__)
STAGE_VERSION = "2"
BATCH = 32


@dataclass(frozen=True)
class NlpSettings:
    gazetteer_path: Path | None = None
    embedding_model: str = BUNDLED
    stories: StoryParams = field(default_factory=StoryParams)
    workers: int = field(default_factory=lambda: min(2, os.cpu_count() or 1))
    pool_min_articles: int = POOL_MIN_ARTICLES  # a smaller backlog is analysed in-process


@dataclass
class ProcessSummary:
    processed: int = 0
    failed: int = 0
    mentions: int = 0
    discovered: int = 0
    stories: int = 0
    events: int = 0
    indexed: int = 0  # articles added to the full-text index (store.search.index_pending)


def pipeline_version(settings: NlpSettings) -> str:
    """Changes when the code's stage version, the gazetteer, the embedding model or a shipped
    NER model changes."""
    data = gazetteer_bytes(settings.gazetteer_path) + models_digest().encode()
    digest = hashlib.sha256(data + settings.embedding_model.encode()).hexdigest()[:12]
    return f"{STAGE_VERSION}-{digest}"


def pending_ids(session: Session, *, redo_all: bool) -> list[int]:
    when = func.coalesce(Article.published_at, Article.fetched_at)
    query = select(Article.id).order_by(when, Article.id)
    if not redo_all:
        query = query.outerjoin(ArticleNlpState).where(ArticleNlpState.article_id.is_(None))
    return list(session.scalars(query))


class Processor:
    """The loaded models and the gazetteer, for one run over pending articles; writes each
    article's analysis to the store."""

    def __init__(self, session: Session, settings: NlpSettings) -> None:
        base = Gazetteer.load(settings.gazetteer_path)
        sync_gazetteer(session, base)
        self.gazetteer = base.extended(learnt_entries(session, base))
        self.analyser = Analyser(self.gazetteer, settings.gazetteer_path, settings.embedding_model)
        self.settings = settings
        self.version = pipeline_version(settings)
        self.entity_ids: dict[str, int] = dict(
            session.execute(select(Entity.key, Entity.id)).tuples().all()
        )
        # ids looked up during the article's transaction: cached only once it commits, as a
        # rolled-back transaction can take an entity it created earlier with it
        self.pending_ids: dict[str, int] = {}

    def texts(self, session: Session, ids: list[int]) -> list[ArticleText]:
        """The articles of a batch, in order, with their stored embeddings."""
        stored = dict(
            session.execute(
                select(ArticleEmbedding.article_id, ArticleEmbedding.vector).where(
                    ArticleEmbedding.article_id.in_(ids),
                    ArticleEmbedding.model == self.settings.embedding_model,
                )
            )
            .tuples()
            .all()
        )
        rows = {a.id: a for a in session.scalars(select(Article).where(Article.id.in_(ids)))}
        return [
            ArticleText(
                i,
                rows[i].title,
                rows[i].body,
                rows[i].lang,
                local_time(
                    rows[i].published_at or rows[i].fetched_at, rows[i].published_offset_minutes
                ),
                np.frombuffer(stored[i], dtype=np.float32) if i in stored else None,
            )
            for i in ids
        ]

    def article(self, session: Session, analysis: Analysis, summary: ProcessSummary) -> None:
        article = session.get(Article, analysis.article_id)
        assert article is not None
        vector = analysis.vector
        session.execute(delete(Mention).where(Mention.article_id == article.id))
        found = {"title": analysis.title_found, "body": analysis.body_found}
        self._mentions(session, article, found, summary)
        session.merge(
            ArticleEmbedding(
                article_id=article.id,
                model=self.settings.embedding_model,
                vector=vector.astype(np.float32).tobytes(),
            )
        )
        keys = {f.key for f in [*analysis.title_found, *analysis.body_found]}
        ranked = sorted(analysis.events, key=lambda d: -d.confidence)
        story, created = assign_story(
            session,
            article,
            vector,
            keys,
            self.settings.stories,
            events=[d.key for d in ranked],
            commentary=is_commentary(article.title),
            steps={
                (d.stage, bool(d.facts.get("unlinked")))
                for d in ranked
                if d.type == "regulation" and d.stage
            },
        )
        summary.stories += created
        label_story(session, story)
        for event in analysis.events:
            upsert_event(session, event, article.id, article.lang, story.id)
            summary.events += 1
        for follow_up in analysis.follow_ups:
            add_follow_up(session, follow_up, article.id, article.lang)

    def _mentions(
        self,
        session: Session,
        article: Article,
        found: dict[str, list[Found]],
        summary: ProcessSummary,
    ) -> None:
        rows = []
        for field_name, items in found.items():
            for f in items:
                entity_id = self.entity_ids.get(f.key)
                if entity_id is None:
                    entity_id, created = entity_for(session, f, article.lang, article.id)
                    summary.discovered += created
                    if not created:
                        self.pending_ids[f.key] = entity_id
                rows.append(
                    {
                        "article_id": article.id,
                        "entity_id": entity_id,
                        "field": field_name,
                        "surface": f.surface,
                        "start_char": f.start,
                        "end_char": f.end,
                        "method": f.method,
                    }
                )
        if rows:
            session.execute(insert(Mention), rows)
        summary.mentions += len(rows)


def process_pending(
    sessions: sessionmaker[Session],
    settings: NlpSettings | None = None,
    *,
    redo_all: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> ProcessSummary:
    """Run every NLP stage for each unprocessed article (every article with `redo_all`),
    after adding the articles stored since the last run to the full-text index. A large
    backlog is analysed in `settings.workers` processes (`pool_workers`); the store is
    written here, in publication order, one transaction per article."""
    settings = settings or NlpSettings()
    with sessions.begin() as session:
        processor = Processor(session, settings)
        ids = pending_ids(session, redo_all=redo_all)
        if redo_all:
            reset_stories(session)

    def batches() -> Iterator[list[ArticleText]]:
        for offset in range(0, len(ids), BATCH):
            with sessions() as session:  # closed before the batch is written
                texts = processor.texts(session, ids[offset : offset + BATCH])
            yield texts

    summary = ProcessSummary(indexed=index_pending(sessions))
    workers = pool_workers(len(ids), settings)
    for analyses in analysed(processor.analyser, batches(), workers=workers):
        for analysis in analyses:
            _one(sessions, processor, analysis, summary)
            if on_progress:
                on_progress(summary.processed + summary.failed, len(ids))
    return summary


def pool_workers(backlog: int, settings: NlpSettings) -> int:
    """The processes to analyse `backlog` articles in: the pool for a backlog of
    `settings.pool_min_articles` (its first start loads the models, seconds of CPU), or,
    once its fork server is up, for one that gives each worker a batch."""
    least = settings.pool_min_articles
    if fork_server_started():
        least = min(least, settings.workers * BATCH)
    return settings.workers if backlog >= least else 1


def reset_stories(session: Session) -> None:
    """Stories are rebuilt by a full redo. Events are kept (alerts reference them) and only
    detached from their old story; the redo attaches them again."""
    session.execute(update(Event).values(story_id=None))
    session.execute(delete(ArticleStory))
    session.execute(delete(Story))


def _one(
    sessions: sessionmaker[Session],
    processor: Processor,
    analysis: Analysis,
    summary: ProcessSummary,
) -> None:
    counts = ProcessSummary()
    error = analysis.error
    if error is None:
        try:
            with sessions.begin() as session:
                processor.article(session, analysis, counts)
                _record(session, processor, analysis.article_id, None)
            processor.entity_ids.update(processor.pending_ids)
        except Exception as exc:  # one bad article must not stop the stage
            error = (type(exc).__name__, str(exc))
        finally:
            processor.pending_ids.clear()
    if error is not None:
        summary.failed += 1
        log.error(
            "article processing failed",
            extra={"article_id": analysis.article_id, "error": ": ".join(error)},
        )
        with sessions.begin() as session:
            _record(session, processor, analysis.article_id, error[1][:2000])
        return
    summary.processed += 1
    for name in ("mentions", "discovered", "stories", "events"):
        setattr(summary, name, getattr(summary, name) + getattr(counts, name))


def _record(session: Session, processor: Processor, article_id: int, error: str | None) -> None:
    session.merge(
        ArticleNlpState(
            article_id=article_id,
            processed_at=utcnow(),
            pipeline_version=processor.version,
            error=error,
        )
    )

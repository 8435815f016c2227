"""Running the NLP stages over stored articles that have not been processed yet: entities,
embedding, story, events.

Articles are taken in publication order and in batches (the embedding model is fastest on
a batch); each article is then written in its own transaction, and an article that fails is
recorded with its error and never stops the others. `aiwatch process`, `aiwatch run --once`
and the daemon all call `process_pending`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from nlp.dates import local_time
from nlp.embedding import BUNDLED, embed, load_model
from nlp.entities import EntityRecognizer, Found
from nlp.events import detect_reports
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
from store.types import utcnow

log = logging.getLogger(__name__)
STAGE_VERSION = "2"
BATCH = 32


@dataclass(frozen=True)
class NlpSettings:
    gazetteer_path: Path | None = None
    embedding_model: str = BUNDLED
    stories: StoryParams = field(default_factory=StoryParams)


@dataclass
class ProcessSummary:
    processed: int = 0
    failed: int = 0
    mentions: int = 0
    discovered: int = 0
    stories: int = 0
    events: int = 0


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
    """The loaded models and the gazetteer, for one run over pending articles."""

    def __init__(self, session: Session, settings: NlpSettings) -> None:
        base = Gazetteer.load(settings.gazetteer_path)
        sync_gazetteer(session, base)
        self.gazetteer = base.extended(learnt_entries(session, base))
        self.recognizer = EntityRecognizer(settings.gazetteer_path, gazetteer=self.gazetteer)
        self.settings = settings
        self.version = pipeline_version(settings)
        self.entity_ids: dict[str, int] = dict(
            session.execute(select(Entity.key, Entity.id)).tuples().all()
        )

    def vectors(self, session: Session, ids: list[int]) -> dict[int, np.ndarray]:
        """Stored embeddings, computing (in one batch) those not stored yet."""
        stored = {
            row.article_id: np.frombuffer(row.vector, dtype=np.float32)
            for row in session.scalars(
                select(ArticleEmbedding).where(
                    ArticleEmbedding.article_id.in_(ids),
                    ArticleEmbedding.model == self.settings.embedding_model,
                )
            )
        }
        missing = [i for i in ids if i not in stored]
        if missing:
            texts = dict(
                session.execute(
                    select(Article.id, Article.title + "\n" + Article.body).where(
                        Article.id.in_(missing)
                    )
                )
                .tuples()
                .all()
            )
            model = load_model(self.settings.embedding_model)
            for article_id, vector in zip(
                missing, embed(model, [texts[i] for i in missing]), strict=True
            ):
                stored[article_id] = vector
        return stored

    def article(
        self, session: Session, article_id: int, vector: np.ndarray, summary: ProcessSummary
    ) -> None:
        article = session.get(Article, article_id)
        assert article is not None
        session.execute(delete(Mention).where(Mention.article_id == article_id))
        title_found = self.recognizer.find(article.title, article.lang)
        body_found = self.recognizer.find(article.body, article.lang)
        self._mentions(session, article, {"title": title_found, "body": body_found}, summary)
        session.merge(
            ArticleEmbedding(
                article_id=article_id,
                model=self.settings.embedding_model,
                vector=vector.astype(np.float32).tobytes(),
            )
        )
        keys = {f.key for f in [*title_found, *body_found]}
        published = local_time(
            article.published_at or article.fetched_at, article.published_offset_minutes
        )
        detected, follow_ups = detect_reports(
            article.title, article.body, title_found, body_found, self.gazetteer, published, vector
        )
        ranked = sorted(detected, key=lambda d: -d.confidence)
        story, created = assign_story(
            session,
            article,
            vector,
            keys,
            self.settings.stories,
            events=[d.key for d in ranked],
        )
        summary.stories += created
        label_story(session, story)
        for event in detected:
            upsert_event(session, event, article_id, article.lang, story.id)
            summary.events += 1
        for follow_up in follow_ups:
            add_follow_up(session, follow_up, article_id, article.lang)

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
                    if not created:  # a new entity is cached once its transaction commits
                        self.entity_ids[f.key] = entity_id
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
    """Run every NLP stage for each unprocessed article (every article with `redo_all`)."""
    settings = settings or NlpSettings()
    with sessions.begin() as session:
        processor = Processor(session, settings)
        ids = pending_ids(session, redo_all=redo_all)
        if redo_all:
            reset_stories(session)
    summary = ProcessSummary()
    for offset in range(0, len(ids), BATCH):
        batch = ids[offset : offset + BATCH]
        with sessions() as session:
            vectors = processor.vectors(session, batch)
        for article_id in batch:
            _one(sessions, processor, article_id, vectors[article_id], summary)
            if on_progress:
                on_progress(summary.processed + summary.failed, len(ids))
    return summary


def reset_stories(session: Session) -> None:
    """Stories are rebuilt by a full redo. Events are kept (alerts reference them) and only
    detached from their old story; the redo attaches them again."""
    session.execute(update(Event).values(story_id=None))
    session.execute(delete(ArticleStory))
    session.execute(delete(Story))


def _one(
    sessions: sessionmaker[Session],
    processor: Processor,
    article_id: int,
    vector: np.ndarray,
    summary: ProcessSummary,
) -> None:
    counts = ProcessSummary()
    try:
        with sessions.begin() as session:
            processor.article(session, article_id, vector, counts)
            session.merge(
                ArticleNlpState(
                    article_id=article_id,
                    processed_at=utcnow(),
                    pipeline_version=processor.version,
                    error=None,
                )
            )
    except Exception as exc:  # one bad article must not stop the stage
        summary.failed += 1
        log.error(
            "article processing failed",
            extra={"article_id": article_id, "error": f"{type(exc).__name__}: {exc}"},
        )
        with sessions.begin() as session:
            session.merge(
                ArticleNlpState(
                    article_id=article_id,
                    processed_at=utcnow(),
                    pipeline_version=processor.version,
                    error=str(exc)[:2000],
                )
            )
        return
    summary.processed += 1
    for name in ("mentions", "discovered", "stories", "events"):
        setattr(summary, name, getattr(summary, name) + getattr(counts, name))

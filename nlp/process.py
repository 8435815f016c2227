"""Running the NLP stage over stored articles that have not been processed yet.

Each article is processed in its own transaction; an article that fails is recorded with
its error (and counted) and never stops the others. `aiwatch process`, `aiwatch run --once`
and the daemon all call `process_pending`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, sessionmaker

from nlp.entities import EntityRecognizer
from nlp.gazetteer import Gazetteer
from nlp.store_entities import entity_for, learnt_entries, sync_gazetteer
from store.models import Article, ArticleNlpState, Mention
from store.types import utcnow

log = logging.getLogger(__name__)
STAGE_VERSION = "1"
BATCH = 200


@dataclass
class ProcessSummary:
    processed: int = 0
    failed: int = 0
    mentions: int = 0
    discovered: int = 0


def pipeline_version(gazetteer_path: Path | None) -> str:
    """Changes when the code's stage version or the gazetteer changes."""
    if gazetteer_path:
        data = gazetteer_path.read_bytes()
    else:
        data = files("seeds").joinpath("gazetteer.yaml").read_bytes()
    return f"{STAGE_VERSION}-{hashlib.sha256(data).hexdigest()[:12]}"


def pending_ids(session: Session, *, redo_all: bool) -> list[int]:
    query = select(Article.id).order_by(Article.id)
    if not redo_all:
        query = query.outerjoin(ArticleNlpState).where(ArticleNlpState.article_id.is_(None))
    return list(session.scalars(query))


def process_pending(
    sessions: sessionmaker[Session],
    *,
    gazetteer_path: Path | None = None,
    redo_all: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> ProcessSummary:
    """Entities for every unprocessed article (every article with `redo_all`)."""
    base = Gazetteer.load(gazetteer_path)
    with sessions.begin() as session:
        sync_gazetteer(session, base)
        learnt = learnt_entries(session, base)
        ids = pending_ids(session, redo_all=redo_all)
    recognizer = EntityRecognizer(gazetteer_path, gazetteer=base.extended(learnt))
    version = pipeline_version(gazetteer_path)
    summary = ProcessSummary()
    for done, article_id in enumerate(ids, start=1):
        try:
            with sessions.begin() as session:
                mentions, discovered = _entities(session, recognizer, article_id)
                session.merge(
                    ArticleNlpState(
                        article_id=article_id,
                        pipeline_version=version,
                        processed_at=utcnow(),
                        error=None,
                    )
                )
            summary.processed += 1
            summary.mentions += mentions
            summary.discovered += discovered
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
                        pipeline_version=version,
                        processed_at=utcnow(),
                        error=str(exc)[:2000],
                    )
                )
        if on_progress:
            on_progress(done, len(ids))
    return summary


def _entities(session: Session, recognizer: EntityRecognizer, article_id: int) -> tuple[int, int]:
    article = session.get(Article, article_id)
    assert article is not None
    session.execute(delete(Mention).where(Mention.article_id == article_id))
    rows, discovered = [], 0
    for field, text in (("title", article.title), ("body", article.body)):
        for found in recognizer.find(text, article.lang):
            entity = entity_for(session, found, article.lang, article_id)
            discovered += entity.first_article_id == article_id and entity.discovered
            rows.append(
                {
                    "article_id": article_id,
                    "entity_id": entity.id,
                    "field": field,
                    "surface": found.surface,
                    "start_char": found.start,
                    "end_char": found.end,
                    "method": found.method,
                }
            )
    if rows:
        session.execute(insert(Mention), rows)
    return len(rows), discovered

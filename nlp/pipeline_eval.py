"""Running the whole NLP stage over a labeled corpus in a scratch store, for `aiwatch eval`
and the tests: the numbers come from the same code the daemon runs."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from nlp.evaluate import CorpusArticle, clustering_scores, event_scores
from nlp.process import NlpSettings, process_pending
from store.articles import ArticleRecord, save_article
from store.db import make_engine, session_factory
from store.models import Article, ArticleStory, Entity, Event
from store.schema import upgrade


def evaluate_pipeline(corpus: list[CorpusArticle], settings: NlpSettings) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'eval.db'}")
        upgrade(engine)
        sessions = session_factory(engine)
        with sessions.begin() as session:
            for item in corpus:
                save_article(
                    session,
                    ArticleRecord(
                        url=f"https://corpus.invalid/{item.id}",
                        title=item.title,
                        body=item.body,
                        lang=item.lang,
                        published_at=datetime.fromisoformat(item.published),
                    ),
                )
        process_pending(sessions, settings)
        with sessions() as session:
            story_of = {
                url.rsplit("/", 1)[1]: str(story)
                for url, story in session.execute(
                    select(Article.url, ArticleStory.story_id).join(ArticleStory)
                )
            }
            keys = dict(session.execute(select(Entity.id, Entity.key)).tuples().all())
            predicted = [
                {
                    "type": e.type,
                    "org": keys.get(e.org_id),
                    "model": keys.get(e.model_id),
                    "law": keys.get(e.law_id),
                    "stage": e.stage,
                }
                for e in session.scalars(select(Event))
            ]
        engine.dispose()
    gold_events = [event for item in corpus for event in item.events]
    return {
        "stories": clustering_scores(story_of, {a.id: a.story for a in corpus}),
        "events": event_scores(predicted, gold_events),
        "predicted_events": predicted,
    }

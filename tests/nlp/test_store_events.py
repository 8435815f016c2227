"""One row per real-world event in the store, whatever key an earlier detector gave it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from nlp.events import DetectedEvent
from nlp.gazetteer import Gazetteer
from nlp.store_entities import sync_gazetteer
from nlp.store_events import upsert_event
from store.articles import ArticleRecord, save_article
from store.models import Entity, Event
from tests.conftest import StoreHandle


def test_an_event_stored_under_an_older_key_is_updated_not_duplicated(store: StoreHandle) -> None:
    with store.sessions.begin() as s:
        sync_gazetteer(s, Gazetteer.load())
        qwen3 = s.scalar(select(Entity.id).where(Entity.key == "model:qwen3"))
        s.add(Event(type="model_release", key="model_release:model:qwen3", model_id=qwen3))
        first = save_article(
            s, ArticleRecord("https://e.example/1", "t", "阿里发布Qwen3。", "zh-Hans")
        )
        detected = DetectedEvent(
            type="model_release",
            key="model_release:model:qwen3-by-a-newer-detector",
            org_key="org:alibaba-cloud",
            model_key="model:qwen3",
            event_date=date(2025, 4, 29),
        )
        event, _changed = upsert_event(s, detected, first.article_id, "zh-Hans", None)
        assert event.key == "model_release:model:qwen3"
        assert s.scalar(select(func.count()).select_from(Event)) == 1

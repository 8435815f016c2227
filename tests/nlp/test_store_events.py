"""One row per real-world event in the store, whatever key an earlier detector gave it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nlp.events import DetectedEvent
from nlp.gazetteer import Gazetteer
from nlp.store_entities import sync_gazetteer
from nlp.store_events import upsert_event
from store.articles import ArticleRecord, save_article
from store.models import Entity, Event, Story
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


UNKNOWN = "law:サイバー事案報告弁法"  # the recogniser's name for a rule, no gazetteer record
KNOWN = "law:cn-genai-interim-measures"


def _step(law: str, stage: str = "draft") -> DetectedEvent:
    facts: dict[str, object] = {"unlinked": True} if law == UNKNOWN else {}
    return DetectedEvent(
        type="regulation",
        key=f"regulation:{law}:{stage}",
        org_key="gov:cn-cac",
        law_key=law,
        stage=stage,
        facts=facts,
    )


def _story_and_articles(s: Session, n: int) -> tuple[int, list[int]]:
    sync_gazetteer(s, Gazetteer.load())
    s.add(Entity(key=UNKNOWN, type="law", name_ja=UNKNOWN[4:], discovered=True))
    story = Story()
    s.add(story)
    s.flush()
    articles = [
        save_article(s, ArticleRecord(f"https://e.example/{i}", "t", "b", "ja")).article_id
        for i in range(n)
    ]
    return story.id, articles


def test_an_unknown_rules_step_in_the_story_of_the_same_step_is_that_event(
    store: StoreHandle,
) -> None:
    with store.sessions.begin() as s:
        story, (zh, ja, later) = _story_and_articles(s, 3)
        known, _ = upsert_event(s, _step(KNOWN), zh, "zh-Hans", story)
        same, _ = upsert_event(s, _step(UNKNOWN), ja, "ja", story)
        other, _ = upsert_event(s, _step(UNKNOWN, "published"), later, "ja", story)
        elsewhere, _ = upsert_event(s, _step(UNKNOWN), later, "ja", None)
        assert same.id == known.id and "unlinked" not in (same.facts or {})
        assert other.id != known.id and elsewhere.id not in (known.id, other.id)


def test_an_unknown_rules_event_takes_the_known_name_when_a_report_gives_it(
    store: StoreHandle,
) -> None:
    with store.sessions.begin() as s:
        story, (ja, zh) = _story_and_articles(s, 2)
        first, _ = upsert_event(s, _step(UNKNOWN), ja, "ja", story)
        assert first.facts["unlinked"] is True
        named, _ = upsert_event(s, _step(KNOWN), zh, "zh-Hans", story)
        law = s.scalar(select(Entity.key).where(Entity.id == named.law_id))
        assert named.id == first.id and law == KNOWN and "unlinked" not in named.facts
        assert s.scalar(select(func.count()).select_from(Event)) == 1

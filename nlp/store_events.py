"""Writing detected events: one row per real-world event, updated as articles add facts."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from nlp.events import DetectedEvent
from store.models import Entity, Event, EventArticle
from store.outbox import enqueue_alerts
from store.types import utcnow

# Facts whose arrival makes an event worth a marked update to subscribers.
IMPORTANT_FACTS = ("effective_date", "comment_deadline", "open_weights", "parameters")


def _entity_id(session: Session, key: str | None) -> int | None:
    return session.scalar(select(Entity.id).where(Entity.key == key)) if key else None


def _same_event(
    session: Session, detected: DetectedEvent, story_id: int | None = None
) -> Event | None:
    """The stored event for the same model, or the same law and stage, under another key
    (one written by an earlier version of the detector), or the same stage in the same
    story where either law is one the gazetteer does not know (its name in another
    language is another key): one row per real-world event."""
    if detected.type == "model_release" and detected.model_key:
        same = Event.model_id == _entity_id(session, detected.model_key)
    elif detected.type == "regulation" and detected.law_key:
        same = (Event.law_id == _entity_id(session, detected.law_key)) & (
            Event.stage == detected.stage
        )
    else:
        return None
    found = session.scalar(select(Event).where(Event.type == detected.type, same).limit(1))
    if found is not None or detected.type != "regulation" or story_id is None:
        return found
    steps = session.scalars(
        select(Event).where(
            Event.type == "regulation", Event.story_id == story_id, Event.stage == detected.stage
        )
    )
    return next(
        (e for e in steps if detected.facts.get("unlinked") or (e.facts or {}).get("unlinked")),
        None,
    )


def add_follow_up(
    session: Session, detected: DetectedEvent, article_id: int, lang: str
) -> Event | None:
    """Add a later article's facts to the release it follows up, if that is stored; a
    follow-up never creates an event."""
    stored = session.scalar(select(Event).where(Event.key == detected.key)) or _same_event(
        session, detected
    )
    if stored is None:
        return None
    detected.key = stored.key
    return upsert_event(session, detected, article_id, lang, stored.story_id)[0]


def upsert_event(
    session: Session, detected: DetectedEvent, article_id: int, lang: str, story_id: int | None
) -> tuple[Event, bool]:
    """Create the event or add this article to it, queuing alerts in the same transaction;
    returns (event, gained an important fact). Coverage in another language is recorded in
    facts["langs"] but does not make an update: subscribers already have the event."""
    event = session.scalar(select(Event).where(Event.key == detected.key)) or _same_event(
        session, detected, story_id
    )
    day = detected.event_date
    when = datetime.combine(day, time(), tzinfo=UTC) if day else None
    lang_group = "zh" if lang.startswith("zh") else lang
    if event is None:
        event = Event(
            type=detected.type,
            key=detected.key,
            org_id=_entity_id(session, detected.org_key),
            model_id=_entity_id(session, detected.model_key),
            law_id=_entity_id(session, detected.law_key),
            stage=detected.stage,
            event_date=when,
            facts={**detected.facts, "langs": [lang_group], "revision": 0},
            story_id=story_id,
            confidence=detected.confidence,
            first_reported_at=utcnow(),
            updated_at=utcnow(),
        )
        session.add(event)
        session.flush()
        enqueue_alerts(session, event, revision=0)
        changed = False
    else:
        facts = dict(event.facts or {})
        new_facts = [k for k in IMPORTANT_FACTS if k in detected.facts and k not in facts]
        new_lang = lang_group not in facts.get("langs", [])
        if facts.get("unlinked") and not detected.facts.get("unlinked"):
            event.law_id = _entity_id(session, detected.law_key)  # now named as a known law
            del facts["unlinked"]
        for key, value in detected.facts.items():
            if key != "unlinked":
                facts.setdefault(key, value)
        if new_lang:
            facts["langs"] = [*facts.get("langs", []), lang_group]
        changed = bool(new_facts)
        if changed:
            facts["revision"] = int(facts.get("revision", 0)) + 1
        event.facts = facts
        event.org_id = event.org_id or _entity_id(session, detected.org_key)
        event.story_id = event.story_id or story_id
        if detected.stage == "effective" and when:
            event.event_date = when
        event.confidence = max(event.confidence, detected.confidence)
        event.updated_at = utcnow()
        if changed:
            session.flush()
            enqueue_alerts(session, event, revision=facts["revision"])
    if session.get(EventArticle, (event.id, article_id)) is None:
        session.add(
            EventArticle(
                event_id=event.id, article_id=article_id, evidence=" / ".join(detected.evidence)
            )
        )
    session.flush()
    return event, changed

"""The alert outbox: deliveries queued in the same transaction that creates or updates an
event, so no event is lost between detection and delivery, and the unique key
(subscription, event, revision) makes queuing twice impossible.

Subscriptions are mirrored into the store with their filters already resolved to canonical
keys, so matching here is plain data comparison.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import AlertDelivery, Entity, Event, EventArticle, Subscription
from store.types import utcnow

MAX_UPDATES = 1  # an event may send one marked update per subscription, never more


def event_keys(session: Session, event: Event) -> set[str]:
    """The event's organization, model and law keys, plus the parents and developers they
    link to (a subscription to org:alibaba hears about Alibaba Cloud's Qwen)."""
    ids = [i for i in (event.org_id, event.model_id, event.law_id) if i]
    keys: set[str] = set()
    for entity in session.scalars(select(Entity).where(Entity.id.in_(ids))):
        keys.add(entity.key)
        keys.update(v for k, v in (entity.links or {}).items() if k in ("parent", "developer"))
    parents = session.scalars(select(Entity).where(Entity.key.in_(list(keys))))
    keys.update(e.links["parent"] for e in parents if (e.links or {}).get("parent"))
    return keys


def matches(filters: dict[str, Any], event: Event, keys: set[str], text: str) -> bool:
    if filters.get("events") and event.type not in filters["events"]:
        return False
    if filters.get("stages") and event.stage not in filters["stages"]:
        return False
    if filters.get("entity_keys") and not keys & set(filters["entity_keys"]):
        return False
    langs = set((event.facts or {}).get("langs", []))
    if filters.get("langs") and not langs & {lang[:2] for lang in filters["langs"]}:
        return False
    if filters.get("keywords") and not any(w.lower() in text.lower() for w in filters["keywords"]):
        return False
    return event.confidence >= float(filters.get("min_confidence", 0.0))


def next_digest(at: str, tz: str, now: datetime) -> datetime:
    """The next time of day `at` (HH:MM) in zone `tz` after `now`."""
    zone = ZoneInfo(tz)
    hour, minute = (int(part) for part in at.split(":"))
    local = now.astimezone(zone)
    due = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if due <= local:
        due += timedelta(days=1)
    return due


def enqueue_alerts(session: Session, event: Event, revision: int) -> int:
    """Queue the event (revision 0) or its marked update (revision 1) for every matching
    subscription; returns how many deliveries were queued."""
    if revision > MAX_UPDATES:
        return 0
    keys = event_keys(session, event)
    evidence = " ".join(
        session.scalars(select(EventArticle.evidence).where(EventArticle.event_id == event.id))
    )
    queued = 0
    now = utcnow()
    for subscription in session.scalars(select(Subscription).where(Subscription.enabled)):
        filters = subscription.filters or {}
        if not matches(filters, event, keys, evidence):
            continue
        exists = session.scalar(
            select(AlertDelivery.id).where(
                AlertDelivery.subscription_id == subscription.id,
                AlertDelivery.event_id == event.id,
                AlertDelivery.revision == revision,
            )
        )
        if exists:
            continue
        if revision and not session.scalar(
            select(AlertDelivery.id).where(
                AlertDelivery.subscription_id == subscription.id, AlertDelivery.event_id == event.id
            )
        ):
            revision_to_queue = 0  # it never heard of the event: the first alert, not an update
        else:
            revision_to_queue = revision
        due = now
        if subscription.mode == "digest":
            due = next_digest(filters.get("at", "09:00"), filters.get("tz", "UTC"), now)
        session.add(
            AlertDelivery(
                subscription_id=subscription.id,
                event_id=event.id,
                revision=revision_to_queue,
                next_attempt_at=due,
            )
        )
        queued += 1
    session.flush()
    return queued

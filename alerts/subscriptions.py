"""Subscriptions are defined in the config file (`[[subscriptions]]`) and mirrored into the
store with entity names resolved to canonical keys, so the outbox can match events."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from store.models import EVENT_TYPES, REGULATION_STAGES, Entity, Subscription

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


class SubscriptionError(ValueError):
    """A subscription is incomplete or wrong; the message names it."""


@dataclass
class SubscriptionSpec:
    name: str
    email: str | None = None
    slack_webhook: str | None = None  # a URL, or "env:VARIABLE" to read it from there
    file: str | None = None  # append alerts as JSON lines (for demos and scripts)
    events: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)  # keys or any of their names
    langs: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    min_confidence: float = 0.0
    mode: str = "immediate"  # immediate | digest
    at: str = "09:00"
    tz: str = "Asia/Tokyo"

    def __post_init__(self) -> None:
        channels = [c for c in (self.email, self.slack_webhook, self.file) if c]
        if len(channels) != 1:
            raise SubscriptionError(
                f"subscription {self.name!r} needs exactly one of email, slack_webhook, file"
            )
        if self.email and not _EMAIL.match(self.email):
            raise SubscriptionError(f"subscription {self.name!r}: {self.email!r} is not an email")
        if self.slack_webhook and not self.slack_webhook.startswith(
            ("https://", "http://", "env:")
        ):
            raise SubscriptionError(
                f"subscription {self.name!r}: the Slack webhook must be a URL or env:VARIABLE"
            )
        for value, allowed, what in (
            (self.events, EVENT_TYPES, "event type"),
            (self.stages, REGULATION_STAGES, "stage"),
        ):
            bad = set(value) - set(allowed)
            if bad:
                raise SubscriptionError(
                    f"subscription {self.name!r}: unknown {what} "
                    f"{', '.join(sorted(bad))} (use {', '.join(allowed)})"
                )
        if self.mode not in ("immediate", "digest"):
            raise SubscriptionError(f"subscription {self.name!r}: mode is immediate or digest")
        if not _TIME.match(self.at):
            raise SubscriptionError(f"subscription {self.name!r}: at={self.at!r} is not HH:MM")
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise SubscriptionError(
                f"subscription {self.name!r}: unknown time zone {self.tz!r}"
            ) from None

    @property
    def channel(self) -> str:
        return "email" if self.email else "slack" if self.slack_webhook else "file"

    @property
    def target(self) -> str:
        """Where alerts go, safe to show and log: a webhook URL is never shown."""
        if self.slack_webhook:
            hook = self.slack_webhook
            return hook if hook.startswith("env:") else "slack webhook (hidden)"
        return self.email or self.file or ""

    def to_dict(self) -> dict[str, Any]:
        defaults = SubscriptionSpec.__dataclass_fields__
        return {
            k: v
            for k, v in asdict(self).items()
            if v not in (None, [], "") and (k == "name" or v != defaults[k].default)
        }


def load_subscriptions(raw: list[dict[str, Any]]) -> list[SubscriptionSpec]:
    specs = []
    for item in raw:
        try:
            specs.append(SubscriptionSpec(**item))
        except TypeError as exc:
            raise SubscriptionError(f"subscription {item.get('name', '?')!r}: {exc}") from None
    names = [s.name for s in specs]
    if len(names) != len(set(names)):
        raise SubscriptionError("subscription names must be unique")
    return specs


def resolve_entities(session: Session, names: list[str]) -> list[str]:
    """Canonical keys for keys or names in any language ("アリババ", "Alibaba", "org:alibaba")."""
    keys = []
    for name in names:
        entity = session.scalar(
            select(Entity).where(
                or_(
                    Entity.key == name,
                    Entity.name_ja == name,
                    Entity.name_zh == name,
                    Entity.name_en == name,
                )
            )
        )
        if entity is None:
            from nlp.gazetteer import Gazetteer  # the gazetteer knows every alias

            entry = Gazetteer.load().lookup(name)
            if entry is None:
                raise SubscriptionError(
                    f"unknown entity {name!r}: use a key such as "
                    "org:alibaba or a name from `aiwatch entities list`"
                )
            keys.append(entry.key)
        else:
            keys.append(entity.key)
    return keys


def sync_subscriptions(session: Session, specs: list[SubscriptionSpec]) -> None:
    """Mirror the config's subscriptions into the store; a removed one is disabled so its
    delivery history stays."""
    rows = {row.name: row for row in session.scalars(select(Subscription))}
    for spec in specs:
        row = rows.pop(spec.name, None) or Subscription(name=spec.name)
        session.add(row)
        row.channel, row.target, row.mode, row.enabled = (
            spec.channel,
            spec.target,
            spec.mode,
            True,
        )
        row.filters = {
            "events": spec.events,
            "stages": spec.stages,
            "langs": spec.langs,
            "keywords": spec.keywords,
            "min_confidence": spec.min_confidence,
            "entity_keys": resolve_entities(session, spec.entities),
            "at": spec.at,
            "tz": spec.tz,
        }
    for row in rows.values():
        row.enabled = False
    session.flush()

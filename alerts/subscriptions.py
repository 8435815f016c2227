"""Subscriptions are defined in the config file (`[[subscriptions]]`) and mirrored into the
store with entity names resolved to canonical keys, so the outbox can match events.

A subscription that is wrong (a bad field, an entity nobody knows) is skipped, disabled
in the store with the reason, and reported; it never stops the others. Names in
`pending_entities` are accepted before aiwatch knows them: until they resolve they match
nothing (the filter holds `pending:<name>`, a key no event has)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from store.vocabulary import EVENT_TYPES, REGULATION_STAGES

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

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
    feed: str | None = None  # keep an Atom feed file of the subscription's events
    events: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)  # keys or any of their names
    pending_entities: list[str] = field(default_factory=list)  # names not known yet
    langs: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    min_confidence: float = 0.0
    mode: str = "immediate"  # immediate | digest
    at: str = "09:00"
    tz: str = "Asia/Tokyo"

    def __post_init__(self) -> None:
        for name in ("events", "stages", "entities", "pending_entities", "langs", "keywords"):
            value = getattr(self, name)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise SubscriptionError(
                    f"subscription {self.name!r}: {name} must be a list of strings"
                )
        confidence = self.min_confidence
        if not isinstance(confidence, int | float) or not 0 <= confidence <= 1:
            raise SubscriptionError(
                f"subscription {self.name!r}: min_confidence must be a number from 0 to 1"
            )
        channels = [c for c in (self.email, self.slack_webhook, self.file, self.feed) if c]
        if len(channels) != 1:
            raise SubscriptionError(
                f"subscription {self.name!r} needs exactly one of email, slack_webhook, file, feed"
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
        if self.email or self.slack_webhook:
            return "email" if self.email else "slack"
        return "file" if self.file else "feed"

    @property
    def target(self) -> str:
        """Where alerts go, safe to show and log: a webhook URL is never shown."""
        if self.slack_webhook:
            hook = self.slack_webhook
            return hook if hook.startswith("env:") else "slack webhook (hidden)"
        return self.email or self.file or self.feed or ""

    def to_dict(self) -> dict[str, Any]:
        defaults = SubscriptionSpec.__dataclass_fields__
        return {
            k: v
            for k, v in asdict(self).items()
            if v not in (None, [], "") and (k == "name" or v != defaults[k].default)
        }


def read_subscriptions(raw: list[dict[str, Any]]) -> tuple[list[SubscriptionSpec], list[Skipped]]:
    """The valid subscriptions, and the skipped ones with the reason (one line each)."""
    specs: list[SubscriptionSpec] = []
    skipped: list[Skipped] = []
    for number, item in enumerate(raw, 1):
        name = str(item.get("name") or f"#{number}")
        try:
            spec = _spec(name, item)
        except SubscriptionError as exc:
            skipped.append(Skipped(name, str(exc)))
            continue
        if any(s.name == spec.name for s in specs):
            skipped.append(Skipped(name, f"subscription {name!r}: the name is used twice"))
            continue
        specs.append(spec)
    return specs, skipped


def _spec(name: str, item: dict[str, Any]) -> SubscriptionSpec:
    known = list(SubscriptionSpec.__dataclass_fields__)
    for key in item:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise SubscriptionError(f"subscription {name!r}: unknown setting {key!r}{hint}")
    if not item.get("name"):
        raise SubscriptionError(f"subscription {name}: needs a name")
    return SubscriptionSpec(**item)


@dataclass(frozen=True)
class Skipped:
    name: str
    reason: str


def resolve_entities(
    session: Session | None, names: list[str], gazetteer_path: Path | None = None
) -> tuple[list[str], list[str]]:
    """Canonical keys for keys or names in any language ("アリババ", "Alibaba",
    "org:alibaba"), from the store (if given) or else the gazetteer; and the names neither
    knows."""
    from sqlalchemy import or_, select

    from store.models import Entity

    keys, unknown = [], []
    for name in names:
        entity = session and session.scalar(
            select(Entity).where(
                or_(
                    Entity.key == name,
                    Entity.name_ja == name,
                    Entity.name_zh == name,
                    Entity.name_en == name,
                )
            )
        )
        if entity is not None:
            keys.append(entity.key)
            continue
        from nlp.gazetteer import Gazetteer  # the gazetteer knows every alias

        gazetteer = Gazetteer.load(gazetteer_path)
        entry = gazetteer.entries.get(name) or gazetteer.lookup(name)
        if entry is None:
            unknown.append(name)
        else:
            keys.append(entry.key)
    return keys, unknown


def unknown_entities_message(name: str, unknown: list[str]) -> str:
    return (
        f"subscription {name!r}: unknown entity {', '.join(map(repr, unknown))}: use a key such "
        "as org:alibaba or a name from `aiwatch entities list` (or --pending to wait for it)"
    )


def sync_subscriptions(
    session: Session,
    specs: list[SubscriptionSpec],
    skipped: Sequence[Skipped] = (),
    gazetteer_path: Path | None = None,
) -> list[Skipped]:
    """Mirror the config's subscriptions into the store; a removed one is disabled so its
    delivery history stays, a skipped one is disabled with its reason. Returns every
    skipped subscription, those with unknown entities included."""
    from sqlalchemy import select

    from store.models import Subscription

    rows = {row.name: row for row in session.scalars(select(Subscription))}
    skipped = list(skipped)
    synced: set[str] = set()
    for spec in specs:
        keys, unknown = resolve_entities(session, spec.entities, gazetteer_path)
        if unknown:
            skipped.append(Skipped(spec.name, unknown_entities_message(spec.name, unknown)))
            continue
        pending, waiting = resolve_entities(session, spec.pending_entities, gazetteer_path)
        row = rows.pop(spec.name, None) or Subscription(name=spec.name)
        session.add(row)
        synced.add(spec.name)
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
            "entity_keys": [*keys, *pending, *(f"pending:{name}" for name in waiting)],
            "at": spec.at,
            "tz": spec.tz,
        }
    for item in {i.name: i for i in skipped}.values():  # kept, disabled, with the reason
        if item.name in synced:
            continue  # a second subscription of that name: the first one is synced
        row = rows.pop(item.name, None) or Subscription(name=item.name, channel="", target="")
        session.add(row)
        row.enabled, row.filters = False, {**(row.filters or {}), "skipped": item.reason}
    for row in rows.values():
        row.enabled = False
        row.filters = {k: v for k, v in (row.filters or {}).items() if k != "skipped"}
    session.flush()
    return skipped


def skipped_in_store(session: Session) -> list[Skipped]:
    """The subscriptions the last sync skipped, for `aiwatch status`."""
    from sqlalchemy import select

    from store.models import Subscription

    rows = session.scalars(select(Subscription).where(Subscription.enabled.is_(False)))
    return [Skipped(r.name, r.filters["skipped"]) for r in rows if (r.filters or {}).get("skipped")]

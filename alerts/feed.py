"""An Atom 1.0 feed of events, for feed readers: one entry per event (its updates folded
into the entry), newest first, with stable ids and links to the articles in each language.

The same entries serve `aiwatch feed`, the feed `aiwatch serve` publishes and the `feed`
subscription channel, which keeps its entries beside the feed file (`<path>.json`) so that
each alert rewrites the whole feed atomically.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.channel import DeliveryResult
from alerts.render import LANG_JA, Alert, EventSummary, summarize
from store.models import AlertDelivery, Event, Subscription
from store.types import utcnow

ATOM = "http://www.w3.org/2005/Atom"
MAX_ENTRIES = 200
ID_PREFIX = "tag:aiwatch,2026:event/"


@dataclass
class FeedEntry:
    event_id: int
    title: str
    published: str  # ISO 8601 with offset
    updated: str
    content: str
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (lang, title, url)
    story_id: int | None = None
    updates: int = 0

    @property
    def entry_id(self) -> str:
        return f"{ID_PREFIX}{self.event_id}"


def entry_for(summary: EventSummary, when: datetime, zone: ZoneInfo) -> FeedEntry:
    lines = [f"{name}: {value}" for name, value in summary.facts]
    if summary.evidence:
        lines += ["", summary.evidence]
    stamp = when.astimezone(zone).isoformat(timespec="seconds")
    return FeedEntry(
        summary.event_id,
        summary.headline,
        stamp,
        stamp,
        "\n".join(lines),
        list(summary.articles),
        summary.story_id,
    )


def store_entries(
    session: Session, zone: ZoneInfo, subscription: str | None = None, limit: int = MAX_ENTRIES
) -> list[FeedEntry]:
    """The latest events (those queued for `subscription`, when given), newest first."""
    query = select(Event).order_by(Event.updated_at.desc(), Event.id.desc()).limit(limit)
    if subscription is not None:
        queued = (
            select(AlertDelivery.event_id)
            .join(Subscription, Subscription.id == AlertDelivery.subscription_id)
            .where(Subscription.name == subscription)
        )
        query = query.where(Event.id.in_(queued))
    entries = []
    for event in session.scalars(query):
        revision = int((event.facts or {}).get("revision", 0))
        entry = entry_for(summarize(session, event, update=revision > 0), event.updated_at, zone)
        entry.published = event.first_reported_at.astimezone(zone).isoformat(timespec="seconds")
        entry.updates = revision
        entries.append(entry)
    return entries


def atom(entries: list[FeedEntry], *, title: str, feed_id: str, self_url: str = "") -> bytes:
    """The feed document; `entries` newest first."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "title", title)
    _text(feed, "id", feed_id)
    _text(feed, "updated", entries[0].updated if entries else utcnow().isoformat("T", "seconds"))
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "aiwatch")
    if self_url:
        ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url)
    for entry in entries:
        node = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(node, "id", entry.entry_id)
        _text(node, "title", entry.title)
        _text(node, "published", entry.published)
        _text(node, "updated", entry.updated)
        for lang, article_title, url in entry.links:
            ET.SubElement(
                node,
                f"{{{ATOM}}}link",
                rel="related",
                href=url,
                hreflang=lang,
                title=f"[{LANG_JA.get(lang, lang)}] {article_title}",
            )
        story = f"story {entry.story_id}" if entry.story_id else "no story"
        updates = f", {entry.updates} update(s)" if entry.updates else ""
        _text(node, "content", f"{entry.content}\n\n(event {entry.event_id}, {story}{updates})")
        node.find(f"{{{ATOM}}}content").set("type", "text")  # type: ignore[union-attr]
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _text(parent: ET.Element, tag: str, value: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}{tag}").text = value


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)


class FeedChannel:
    """A subscription channel that keeps an Atom file: each alert adds or updates its
    events' entries and rewrites the file."""

    def __init__(self, path: Path, name: str, zone: ZoneInfo) -> None:
        self.path, self.name, self.zone = path, name, zone
        self.entries_path = path.with_name(path.name + ".json")

    def send(self, alert: Alert, alert_id: str) -> DeliveryResult:
        try:
            entries = self._load()
            now = utcnow()
            for summary in alert.events:
                old = entries.pop(summary.event_id, None)
                entry = entry_for(summary, now, self.zone)
                if old is not None:
                    entry.published = old.published
                    entry.updates = old.updates + 1
                entries[summary.event_id] = entry
            latest_first = list(reversed(entries.values()))  # ties: the latest alert first
            newest = sorted(latest_first, key=lambda e: e.updated, reverse=True)
            newest = newest[:MAX_ENTRIES]
            records = json.dumps([asdict(e) for e in newest], ensure_ascii=False)
            write_atomically(self.entries_path, records.encode())
            document = atom(
                newest,
                title=f"aiwatch: {self.name}",
                feed_id=f"tag:aiwatch,2026:subscription/{self.name}",
            )
            write_atomically(self.path, document)
        except (OSError, ValueError) as exc:
            return DeliveryResult(False, f"cannot write the feed {self.path}: {exc}")
        return DeliveryResult(True)

    def _load(self) -> dict[int, FeedEntry]:
        if not self.entries_path.exists():
            return {}
        records = json.loads(self.entries_path.read_text(encoding="utf-8"))
        entries = []
        for record in records:
            record["links"] = [tuple(link) for link in record["links"]]
            entries.append(FeedEntry(**record))
        return {e.event_id: e for e in entries}

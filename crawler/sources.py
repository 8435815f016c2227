"""Sources are data, not code: a TOML file of records, mirrored into the `sources` table."""

from __future__ import annotations

import re
import tomllib
from dataclasses import asdict, dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import tomli_w
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler import publishers
from store.models import Source

KINDS = ("news", "regulator")
LANGS = ("ja", "zh", "zh-Hans", "zh-Hant", "en")
HEADER = (
    "# aiwatch sources: one [[source]] per publisher or regulator.\n"
    "# Entry points: feeds (RSS/Atom), sitemaps (news sitemaps or indexes), and listings\n"
    "# (a page plus a CSS selector for its article links). `every` is the poll interval.\n"
    "# Edit by hand or with `aiwatch sources add|remove`.\n\n"
)
_INTERVAL = re.compile(r"^\d+(\.\d+)?[smhd]$")


class SourceError(ValueError):
    """A source record is incomplete or wrong."""


@dataclass
class Listing:
    url: str
    link_selector: str


@dataclass
class SourceRecord:
    name: str
    kind: str = "news"
    lang: str | None = None
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    listings: list[Listing] = field(default_factory=list)
    every: str = "30m"
    verified: bool = True  # False: the address could not be checked when it was added
    note: str = ""
    publisher: str | None = None  # its record in seeds/publishers/ (crawler.publishers)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise SourceError(f"source {self.name!r}: kind must be one of {', '.join(KINDS)}")
        if self.lang is not None and self.lang not in LANGS:
            raise SourceError(f"source {self.name!r}: lang must be one of {', '.join(LANGS)}")
        if not (self.feeds or self.sitemaps or self.listings):
            raise SourceError(f"source {self.name!r} needs a feed, a sitemap or a listing")
        if not _INTERVAL.match(self.every):
            raise SourceError(f"source {self.name!r}: every={self.every!r} is not like 30m")
        if self.publisher is not None and self.publisher not in publishers.bundled():
            raise SourceError(
                f"source {self.name!r}: no publisher record {self.publisher!r} in seeds/publishers/"
            )
        self.listings = [
            item if isinstance(item, Listing) else Listing(**item) for item in self.listings
        ]

    @property
    def entry_urls(self) -> list[str]:
        return [*self.feeds, *self.sitemaps, *(item.url for item in self.listings)]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: v for k, v in data.items() if v not in ([], None, "")}


def bundled_sources_text() -> str:
    return files("seeds").joinpath("sources.toml").read_text(encoding="utf-8")


def load_sources(path: Path) -> list[SourceRecord]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceError(f"no sources file at {path}: run `aiwatch init`") from None
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(f"{path}: not valid TOML: {exc}") from None
    records = []
    for item in raw.get("source", []):
        try:
            records.append(SourceRecord(**item))
        except TypeError as exc:
            raise SourceError(f"{path}: source {item.get('name', '?')!r}: {exc}") from None
    names = [r.name for r in records]
    if len(names) != len(set(names)):
        raise SourceError(f"{path}: source names must be unique")
    return records


def save_sources(path: Path, records: list[SourceRecord]) -> None:
    text = HEADER + tomli_w.dumps({"source": [r.to_dict() for r in records]})
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def sync_sources(session: Session, records: list[SourceRecord]) -> None:
    """Mirror the file into the table; a removed source is disabled, not deleted, so its
    articles keep their source."""
    rows = {row.name: row for row in session.scalars(select(Source))}
    for record in records:
        row = rows.pop(record.name, None)
        if row is None:
            row = Source(name=record.name)
            session.add(row)
        row.kind, row.lang, row.enabled = record.kind, record.lang, True
        row.config = record.to_dict()
    for row in rows.values():
        row.enabled = False
    session.flush()

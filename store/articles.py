"""Writing articles: idempotent, one transaction per article, duplicates stored once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from store import fingerprint
from store.models import Article, ArticleUrl, FingerprintBand, Source
from store.types import utcnow

SaveOutcome = Literal["new", "duplicate", "known"]


@dataclass(frozen=True)
class ArticleRecord:
    """An extracted article as the crawler hands it to the store."""

    url: str
    title: str
    body: str
    lang: str
    source: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    other_urls: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class SaveResult:
    outcome: SaveOutcome
    article_id: int


def known_urls(session: Session, urls: list[str]) -> set[str]:
    """The subset of `urls` already stored, so the crawler can skip fetching them."""
    found: set[str] = set()
    for start in range(0, len(urls), 500):
        chunk = urls[start : start + 500]
        found.update(session.scalars(select(ArticleUrl.url).where(ArticleUrl.url.in_(chunk))))
    return found


def find_duplicate(session: Session, text: str, sig: bytes) -> Article | None:
    digest = fingerprint.content_hash(text)
    exact = session.scalars(select(Article).where(Article.content_hash == digest).limit(1)).first()
    if exact is not None:
        return exact
    candidates = session.execute(
        select(Article.id, Article.fingerprint)
        .join(FingerprintBand, FingerprintBand.article_id == Article.id)
        .where(FingerprintBand.band_key.in_(fingerprint.band_keys(sig)))
        .distinct()
    )
    best = max(
        ((fingerprint.similarity(sig, other), article_id) for article_id, other in candidates),
        default=(0.0, 0),
    )
    if best[0] >= fingerprint.NEAR_DUPLICATE_JACCARD:
        return session.get(Article, best[1])
    return None


def save_article(session: Session, record: ArticleRecord) -> SaveResult:
    """Store `record` unless its URL or (nearly) its text is already stored.

    A known URL changes nothing; the same text at a new URL only adds that URL.
    """
    urls = [record.url, *(u for u in record.other_urls if u != record.url)]
    existing = {
        u.url: u.article_id
        for u in session.scalars(select(ArticleUrl).where(ArticleUrl.url.in_(urls)))
    }
    source_id = _source_id(session, record.source)
    if existing:
        article_id = next(iter(existing.values()))
        _add_urls(session, article_id, urls, source_id, set(existing))
        return SaveResult("known", article_id)
    text = f"{record.title}\n{record.body}"
    sig = fingerprint.signature(text)
    duplicate = find_duplicate(session, text, sig)
    if duplicate is not None:
        _add_urls(session, duplicate.id, urls, source_id, set())
        return SaveResult("duplicate", duplicate.id)
    published = record.published_at
    article = Article(
        url=record.url,
        source_id=source_id,
        title=record.title,
        body=record.body,
        author=record.author,
        lang=record.lang,
        published_at=published,
        published_offset_minutes=_offset_minutes(published),
        fetched_at=utcnow(),
        content_hash=fingerprint.content_hash(text),
        fingerprint=sig,
    )
    session.add(article)
    session.flush()
    session.execute(
        insert(FingerprintBand),
        [
            {"band_key": key, "article_id": article.id}
            for key in dict.fromkeys(fingerprint.band_keys(sig))
        ],
    )
    _add_urls(session, article.id, urls, source_id, set())
    return SaveResult("new", article.id)


def _add_urls(
    session: Session, article_id: int, urls: list[str], source_id: int | None, stored: set[str]
) -> None:
    rows = [
        {"url": url, "article_id": article_id, "source_id": source_id, "first_seen": utcnow()}
        for url in dict.fromkeys(urls)
        if url not in stored
    ]
    if rows:
        session.execute(insert(ArticleUrl), rows)


def _source_id(session: Session, name: str | None) -> int | None:
    if name is None:
        return None
    return session.scalar(select(Source.id).where(Source.name == name))


def _offset_minutes(value: datetime | None) -> int | None:
    if value is None or value.utcoffset() is None:
        return None
    offset = value.utcoffset()
    assert offset is not None
    return int(offset.total_seconds() // 60)

"""Writing articles: idempotent, duplicates stored once, one article or a batch at a time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import func, insert, select
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
    return set(_stored_urls(session, urls))


def save_article(session: Session, record: ArticleRecord) -> SaveResult:
    """Store `record` unless its URL or (nearly) its text is already stored.

    A known URL changes nothing; the same text at a new URL only adds that URL.
    """
    return save_articles(session, [record])[0]


def save_articles(session: Session, records: list[ArticleRecord]) -> list[SaveResult]:
    """`save_article` for a batch, in order, with a few set-based queries instead of a
    handful per article (the crawler's write path). A record may duplicate an earlier
    record of the same batch."""
    return _Batch(session, records).save()


class _Batch:
    """What one batch needs to know about the store, fetched once, then kept up to date
    as its articles are written."""

    def __init__(self, session: Session, records: list[ArticleRecord]) -> None:
        self.session = session
        self.records = records
        self.urls = [list(dict.fromkeys([r.url, *r.other_urls])) for r in records]
        self.stored = _stored_urls(session, [u for urls in self.urls for u in urls])
        self.source_ids = _source_ids(session, {r.source for r in records if r.source})
        fresh = [i for i, urls in enumerate(self.urls) if not any(u in self.stored for u in urls)]
        texts = {i: f"{records[i].title}\n{records[i].body}" for i in fresh}
        self.hashes = {i: fingerprint.content_hash(text) for i, text in texts.items()}
        self.sigs = {i: fingerprint.signature(text) for i, text in texts.items()}
        # content hash -> article, LSH band -> articles, article -> signature: stored or new
        self.by_hash = _articles_by_hash(session, list(set(self.hashes.values())))
        self.by_band, self.signatures = _articles_by_band(
            session, [k for sig in self.sigs.values() for k in fingerprint.band_keys(sig)]
        )
        self.before = set(self.stored)  # URLs stored before this batch
        self.new: list[int] = []  # records that become new articles, in insert order

    def save(self) -> list[SaveResult]:
        """Decide every record first, then write: the new articles in one statement, their
        bands and URLs in one each. Until that statement, a new article has a provisional
        negative id, so later records of the batch can already be its duplicates."""
        decided: list[SaveResult] = []
        for i in range(len(self.records)):
            known = [u for u in self.urls[i] if u in self.stored]
            if known:
                result = SaveResult("known", self.stored[known[0]])
            elif (duplicate := self._duplicate(i)) is not None:
                result = SaveResult("duplicate", duplicate)
            else:
                result = SaveResult("new", self._provisional(i))
            for url in self.urls[i]:
                self.stored.setdefault(url, result.article_id)
            decided.append(result)
        ids = self._insert_new()
        results = [SaveResult(r.outcome, ids.get(r.article_id, r.article_id)) for r in decided]
        self._insert_links(results)
        return results

    def _duplicate(self, i: int) -> int | None:
        exact = self.by_hash.get(self.hashes[i])
        return exact if exact is not None else self._near_duplicate(self.sigs[i])

    def _near_duplicate(self, sig: bytes) -> int | None:
        ids = {i for key in fingerprint.band_keys(sig) for i in self.by_band.get(key, ())}
        similarity, best = fingerprint.best_match(sig, [(i, self.signatures[i]) for i in ids])
        return best if similarity >= fingerprint.NEAR_DUPLICATE_JACCARD else None

    def _provisional(self, i: int) -> int:
        self.new.append(i)
        provisional = -len(self.new)
        self.by_hash[self.hashes[i]] = provisional
        self.signatures[provisional] = self.sigs[i]
        for key in fingerprint.band_keys(self.sigs[i]):
            self.by_band.setdefault(key, set()).add(provisional)
        return provisional

    def _insert_new(self) -> dict[int, int]:
        """Insert the new articles; their real ids by provisional id."""
        if not self.new:
            return {}
        rows = []
        for i in self.new:
            record = self.records[i]
            rows.append(
                {
                    "url": record.url,
                    "source_id": self._source_id(i),
                    "title": record.title,
                    "body": record.body,
                    "author": record.author,
                    "lang": record.lang,
                    "published_at": record.published_at,
                    "published_offset_minutes": _offset_minutes(record.published_at),
                    "fetched_at": utcnow(),
                    "content_hash": self.hashes[i],
                    "fingerprint": self.sigs[i],
                }
            )
        ids = self.session.scalars(
            insert(Article).returning(Article.id, sort_by_parameter_order=True), rows
        ).all()
        return {-(k + 1): article_id for k, article_id in enumerate(ids)}

    def _insert_links(self, results: list[SaveResult]) -> None:
        """Bands of the new articles, and every URL not stored before this batch."""
        bands = [
            {"band_key": key, "article_id": results[i].article_id}
            for i in self.new
            for key in dict.fromkeys(fingerprint.band_keys(self.sigs[i]))
        ]
        seen = set(self.before)
        urls = []
        for i, result in enumerate(results):
            for url in self.urls[i]:
                if url not in seen:
                    seen.add(url)
                    urls.append(
                        {
                            "url": url,
                            "article_id": result.article_id,
                            "source_id": self._source_id(i),
                            "first_seen": utcnow(),
                        }
                    )
        if bands:
            self.session.execute(insert(FingerprintBand), bands)
        if urls:
            self.session.execute(insert(ArticleUrl), urls)

    def _source_id(self, i: int) -> int | None:
        name = self.records[i].source
        return self.source_ids.get(name) if name else None


def _chunks(values: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _source_ids(session: Session, names: set[str]) -> dict[str, int]:
    if not names:
        return {}
    return dict(
        session.execute(select(Source.name, Source.id).where(Source.name.in_(names))).tuples().all()
    )


def _stored_urls(session: Session, urls: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(list(dict.fromkeys(urls))):
        found.update(
            session.execute(
                select(ArticleUrl.url, ArticleUrl.article_id).where(ArticleUrl.url.in_(chunk))
            )
            .tuples()
            .all()
        )
    return found


def _articles_by_hash(session: Session, digests: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(digests):
        for digest, article_id in session.execute(
            select(Article.content_hash, func.min(Article.id))
            .where(Article.content_hash.in_(chunk))
            .group_by(Article.content_hash)
        ).tuples():
            found[digest] = article_id
    return found


def _articles_by_band(
    session: Session, keys: list[int]
) -> tuple[dict[int, set[int]], dict[int, bytes]]:
    """Stored articles sharing an LSH band with the batch (the near-duplicate candidates),
    by band, and their signatures, each fetched once however many bands it shares."""
    by_band: dict[int, set[int]] = {}
    for chunk in _chunks(list(dict.fromkeys(keys))):
        for key, article_id in session.execute(
            select(FingerprintBand.band_key, FingerprintBand.article_id).where(
                FingerprintBand.band_key.in_(chunk)
            )
        ).tuples():
            by_band.setdefault(key, set()).add(article_id)
    signatures: dict[int, bytes] = {}
    for chunk in _chunks(sorted(set().union(*by_band.values()))):
        signatures.update(
            session.execute(select(Article.id, Article.fingerprint).where(Article.id.in_(chunk)))
            .tuples()
            .all()
        )
    return by_band, signatures


def _offset_minutes(value: datetime | None) -> int | None:
    if value is None or value.utcoffset() is None:
        return None
    offset = value.utcoffset()
    assert offset is not None
    return int(offset.total_seconds() // 60)

"""SQLAlchemy 2.0 models: one class per table. The schema itself is owned by Alembic
(store/migrations); docs/schema.md documents the views analysts query."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from store.types import JSONType, UTCDateTime, utcnow
from store.vocabulary import ENTITY_TYPES as ENTITY_TYPES  # re-exported: defined there
from store.vocabulary import EVENT_TYPES as EVENT_TYPES
from store.vocabulary import REGULATION_STAGES as REGULATION_STAGES


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSONType,
    }


class Source(Base):
    """A publisher or regulator, mirrored from the sources file so articles can join to it."""

    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # news | regulator
    lang: Mapped[str | None] = mapped_column(String(10))
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)  # entry points, interval
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CrawlRun(Base):
    __tablename__ = "crawl_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    pages: Mapped[int] = mapped_column(default=0)
    new: Mapped[int] = mapped_column(default=0)
    duplicates: Mapped[int] = mapped_column(default=0)
    errors: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20), default="running")
    error: Mapped[str | None] = mapped_column(Text)


class HttpValidator(Base):
    """ETag / Last-Modified of a feed or sitemap, for conditional GET on the next crawl."""

    __tablename__ = "http_validators"
    url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)


class Article(Base):
    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)  # canonical URL
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str | None] = mapped_column(String(500))
    lang: Mapped[str] = mapped_column(String(10), default="other")
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    published_offset_minutes: Mapped[int | None]  # the page's own UTC offset, e.g. +540 (JST)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    fingerprint: Mapped[bytes] = mapped_column(LargeBinary)  # MinHash signature

    urls: Mapped[list[ArticleUrl]] = relationship(back_populates="article")


class FingerprintBand(Base):
    """LSH bands of each article's MinHash: near-duplicates share at least one band."""

    __tablename__ = "fingerprint_bands"
    band_key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )


class ArticleUrl(Base):
    """Every URL an article was found at: the same text syndicated elsewhere is stored once."""

    __tablename__ = "article_urls"
    url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    article: Mapped[Article] = relationship(back_populates="urls")


class Entity(Base):
    __tablename__ = "entities"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # <type>:<slug>
    type: Mapped[str] = mapped_column(String(20), index=True)
    name_ja: Mapped[str | None] = mapped_column(String(300))
    name_zh: Mapped[str | None] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    aliases: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"ja": [...], "zh": [...]}
    links: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"developer": "org:baidu"}
    discovered: Mapped[bool] = mapped_column(Boolean, default=False)
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    first_article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL")
    )


class EntityName(Base):
    """One name of an entity in one language (ja, zh, zh-Hant, en): the preferred names and
    every alias, with the folded form that cross-script lookups use."""

    __tablename__ = "entity_names"
    entity_id: Mapped[int] = mapped_column(
        ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True
    )
    lang: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(300), primary_key=True)
    folded: Mapped[str] = mapped_column(String(300), index=True)
    preferred: Mapped[bool] = mapped_column(Boolean, default=False)


class Mention(Base):
    __tablename__ = "mentions"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    field: Mapped[str] = mapped_column(String(10))  # title | body: what the offsets index
    surface: Mapped[str] = mapped_column(String(300))
    start_char: Mapped[int]
    end_char: Mapped[int]
    method: Mapped[str] = mapped_column(String(20))  # gazetteer | ner | discovery


class ArticleNlpState(Base):
    """Which articles the NLP stage has processed, and with which pipeline version."""

    __tablename__ = "article_nlp_state"
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    processed_at: Mapped[datetime] = mapped_column(default=utcnow)
    pipeline_version: Mapped[str] = mapped_column(String(50))
    error: Mapped[str | None] = mapped_column(Text)


class ArticleEmbedding(Base):
    __tablename__ = "article_embeddings"
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    model: Mapped[str] = mapped_column(String(300))
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float32, L2-normalized


class Story(Base):
    __tablename__ = "stories"
    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(Text, default="")
    label_ja: Mapped[str] = mapped_column(Text, default="")
    label_zh: Mapped[str] = mapped_column(Text, default="")
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    n_articles: Mapped[int] = mapped_column(default=0)
    centroid: Mapped[bytes | None] = mapped_column(LargeBinary)
    entity_keys: Mapped[dict[str, Any]] = mapped_column(default=dict)  # key -> article count


class ArticleStory(Base):
    __tablename__ = "article_stories"
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"), index=True)
    similarity: Mapped[float] = mapped_column(Float, default=1.0)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)


class Topic(Base):
    """A theme above stories (chips and export controls, open-weight releases ...), kept
    stable across recomputations while its stories stay together."""

    __tablename__ = "topics"
    id: Mapped[int] = mapped_column(primary_key=True)
    label_ja: Mapped[str] = mapped_column(Text, default="")
    label_zh: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoryTopic(Base):
    __tablename__ = "story_topics"
    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)


class Event(Base):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(20), index=True)  # model_release | regulation
    key: Mapped[str] = mapped_column(String(400), unique=True)  # identity of the real event
    org_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id"))
    model_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id"))
    law_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id"))
    stage: Mapped[str | None] = mapped_column(String(20))
    event_date: Mapped[datetime | None]
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)  # version, dates, params...
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"))
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    first_reported_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class EventArticle(Base):
    __tablename__ = "event_articles"
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    evidence: Mapped[str] = mapped_column(Text, default="")
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class Subscription(Base):
    """Mirror of a subscription from the config file; deliveries reference it."""

    __tablename__ = "subscriptions"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(20))  # email | slack
    target: Mapped[str] = mapped_column(String(500))  # address, or a masked webhook
    filters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    mode: Mapped[str] = mapped_column(String(20), default="immediate")  # immediate | digest
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AlertDelivery(Base):
    """The outbox: one row per (subscription, event, revision), delivered at most once."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (UniqueConstraint("subscription_id", "event_id", "revision"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    revision: Mapped[int] = mapped_column(default=0)  # 0 = first alert, 1.. = marked updates
    state: Mapped[str] = mapped_column(String(20), default="queued")  # queued|sending|sent|failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class JobRun(Base):
    """One run of a daemon job (crawl, process, dispatch ...), for `aiwatch status`."""

    __tablename__ = "job_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(200), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="running")  # running|ok|error
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)


Index("ix_alert_deliveries_state_next", AlertDelivery.state, AlertDelivery.next_attempt_at)

"""Full-text search over titles and bodies that works without word boundaries.

SQLite uses an FTS5 trigram index, PostgreSQL a pg_trgm GIN index. Terms shorter than three
characters (two-character Chinese words such as 百度) cannot use a trigram index and fall
back to a substring scan. In SQLite, articles stored since the NLP stage last ran are not
in the index yet (`articles_fts_pending`, migration 0007): they are scanned too. A term
that names a known entity also matches every article that mentions the entity, however it
is written there (ファーウェイ finds 华为), and those articles come first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, column, func, or_, select, table, text
from sqlalchemy.orm import Session, sessionmaker

from store.models import Article, Mention, Source

TRIGRAM = 3
INDEX_BATCH = 500  # articles per transaction: the crawl's writes wait at most that long
PENDING = "articles_fts_pending"  # ids of the stored articles not indexed yet
_NEXT_BATCH = f"SELECT article_id FROM {PENDING} ORDER BY article_id LIMIT {INDEX_BATCH}"
_INDEX_NEXT_BATCH = text(
    "INSERT INTO articles_fts(rowid, title, body) "
    f"SELECT id, title, body FROM articles WHERE id IN ({_NEXT_BATCH})"
)
_FORGET_NEXT_BATCH = text(f"DELETE FROM {PENDING} WHERE article_id IN ({_NEXT_BATCH})")


@dataclass(frozen=True)
class Hit:
    article_id: int
    title: str
    url: str
    lang: str
    source: str | None
    published_at: datetime | None
    snippet: str


def search_articles(
    session: Session,
    query: str,
    *,
    limit: int = 20,
    entities: dict[str, list[int]] | None = None,
) -> list[Hit]:
    """Articles matching every word of `query`; `entities` maps a word to the ids of the
    entities it names, so that a mention of any of them matches the word too."""
    terms = [t for t in query.split() if t]
    if not terms:
        return []
    entities = entities or {}
    conditions = [_term_condition(session, term, entities.get(term, [])) for term in terms]
    named = [i for term in terms for i in entities.get(term, [])]
    by_entity = (
        Article.id.in_(select(Mention.article_id).where(Mention.entity_id.in_(named)))
        if named
        else None
    )
    # Find the matches first, then sort them: given ORDER BY ... LIMIT, PostgreSQL would
    # otherwise walk every article newest first looking for a rare term.
    hits = select(Article.id).where(and_(*conditions)).cte("hits").prefix_with("MATERIALIZED")
    newest = func.coalesce(Article.published_at, Article.fetched_at).desc()
    order = [newest, Article.id.desc()]
    if by_entity is not None:
        order.insert(0, case((by_entity, 0), else_=1))
    rows = session.execute(
        select(Article, Source.name)
        .join(hits, hits.c.id == Article.id)
        .outerjoin(Source, Source.id == Article.source_id)
        .order_by(*order)
        .limit(limit)
    )
    return [
        Hit(a.id, a.title, a.url, a.lang, source, a.published_at, _snippet(a.body, terms[0]))
        for a, source in rows
    ]


def _term_condition(
    session: Session, term: str, entity_ids: list[int]
) -> ColumnElement[bool]:
    condition = _text_condition(session, term)
    if entity_ids:
        mentions = select(Mention.article_id).where(Mention.entity_id.in_(entity_ids))
        condition = or_(condition, Article.id.in_(mentions))
    return condition


def index_pending(sessions: sessionmaker[Session]) -> int:
    """Add the articles stored since the last call to SQLite's full-text index; how many.

    The crawl only notes new ids (a trigram index of a whole body costs more than storing
    it); the NLP stage calls this once per run. A no-op on PostgreSQL."""
    indexed = 0
    while True:
        with sessions.begin() as session:
            if session.get_bind().dialect.name != "sqlite":
                return 0
            # The INSERT comes first: it takes the write lock, so the DELETE removes
            # exactly the ids it indexed.
            indexed += session.execute(_INDEX_NEXT_BATCH).rowcount
            if session.execute(_FORGET_NEXT_BATCH).rowcount < INDEX_BATCH:
                return indexed


def _text_condition(session: Session, term: str) -> ColumnElement[bool]:
    like = f"%{_escape_like(term)}%"
    scan = or_(Article.title.ilike(like, escape="\\"), Article.body.ilike(like, escape="\\"))
    if session.get_bind().dialect.name == "sqlite" and len(term) >= TRIGRAM:
        phrase = '"' + term.replace('"', '""') + '"'
        indexed = Article.id.in_(
            select(text("rowid"))
            .select_from(text("articles_fts"))
            .where(text("articles_fts MATCH :phrase").bindparams(phrase=phrase))
        )
        pending = Article.id.in_(select(column("article_id")).select_from(table(PENDING)))
        return or_(indexed, and_(pending, scan))
    return scan


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _snippet(body: str, term: str, width: int = 60) -> str:
    at = body.lower().find(term.lower())
    if at < 0:
        return body[: width * 2].replace("\n", " ")
    start = max(0, at - width)
    return ("…" if start else "") + body[start : at + len(term) + width].replace("\n", " ")

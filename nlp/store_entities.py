"""Entities in the store: curated ones mirrored from the gazetteer, discovered ones added
as articles introduce them, and the user's curation (promote, merge).

A name the statistical recognizer found is kept as a candidate until two sources (outlets)
have named it: only then is it a discovered entity, listed for promotion and matched like a
gazetteer name. Names found by the discovery patterns (a known family and a version) are
explainable on their own and count from their first article.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from nlp.entities import Found
from nlp.entity_names import sync_entity_names
from nlp.gazetteer import Entry, Gazetteer
from store.models import Article, Entity, EntityName, Event, Mention

MIN_SOURCES = 2  # outlets that must name a recognizer-found name before it is an entity


@dataclass(frozen=True)
class DiscoveredEntity:
    key: str
    type: str
    names: dict[str, str]  # ja / zh / en: the surface most often seen in that language
    sources: int
    mentions: int


class CurationError(ValueError):
    """A promote or merge that cannot be done (unknown key, key taken)."""


def sync_gazetteer(session: Session, gazetteer: Gazetteer) -> int:
    """Upsert every gazetteer record as a curated entity; returns how many changed."""
    rows = {e.key: e for e in session.scalars(select(Entity))}
    changed = 0
    for entry in gazetteer.entries.values():
        row = rows.get(entry.key)
        values = {
            "type": entry.type,
            "name_ja": entry.names.get("ja"),
            "name_zh": entry.names.get("zh"),
            "name_en": entry.names.get("en"),
            "aliases": {"aka": list(entry.aliases), "ambiguous": list(entry.ambiguous)},
            "links": dict(entry.links),
            "discovered": False,
        }
        if row is None:
            session.add(Entity(key=entry.key, **values))
            changed += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            changed += 1
    session.flush()
    sync_entity_names(session)
    return changed


def discovered_entities(session: Session, min_sources: int = MIN_SOURCES) -> list[DiscoveredEntity]:
    """Discovered entities: recognizer-found names seen in `min_sources` sources or more, and
    every name the discovery patterns found; with the names seen per language."""
    rows = session.execute(
        select(
            Entity.key,
            Entity.type,
            Mention.surface,
            Mention.method,
            Article.lang,
            Article.source_id,
        )
        .join(Mention, Mention.entity_id == Entity.id)
        .join(Article, Article.id == Mention.article_id)
        .where(Entity.discovered.is_(True))
    ).all()
    seen: dict[tuple[str, str], list] = defaultdict(list)
    for key, type_, *rest in rows:
        seen[(key, type_)].append(rest)
    out = []
    for (key, type_), mentions in sorted(seen.items()):
        sources = {source for *_, source in mentions if source is not None}
        patterned = any(method != "ner" for _, method, _, _ in mentions)
        if len(sources) < min_sources and not patterned:
            continue
        by_lang: dict[str, Counter[str]] = defaultdict(Counter)
        for surface, _, lang, _ in mentions:
            by_lang["zh" if lang.startswith("zh") else lang][surface] += 1
        names = {lang: c.most_common(1)[0][0] for lang, c in sorted(by_lang.items())}
        out.append(DiscoveredEntity(key, type_, names, len(sources), len(mentions)))
    return out


def learnt_entries(session: Session, gazetteer: Gazetteer) -> list[Entry]:
    """Store entities not in the gazetteer file, as entries the matcher can use: curated
    (promoted) ones and discovered ones, not single-source candidates."""
    discovered = {d.key for d in discovered_entities(session)}
    entries = []
    query = select(Entity).where(Entity.key.not_in(list(gazetteer.entries)))
    for row in session.scalars(query):
        if row.discovered and row.key not in discovered:
            continue
        names = {
            lang: n
            for lang, n in (("ja", row.name_ja), ("zh", row.name_zh), ("en", row.name_en))
            if n
        }
        aliases = tuple((row.aliases or {}).get("aka", []))
        if names:
            entries.append(Entry(row.key, names, aliases, links=dict(row.links or {})))
    return entries


def entity_for(session: Session, found: Found, lang: str, article_id: int) -> tuple[int, bool]:
    """The stored entity's id for `found`, creating a discovered entity the first time it is
    seen; returns (id, created)."""
    existing = session.scalar(select(Entity.id).where(Entity.key == found.key))
    if existing is not None:
        return existing, False
    name_field = "name_ja" if lang == "ja" else "name_zh" if lang.startswith("zh") else "name_en"
    names = {name_field: found.surface}
    if found.name_en:
        names["name_en"] = found.name_en
    links = {"family": found.family} if found.family and found.family.startswith("model:") else {}
    if found.family and found.family.startswith("org:"):
        links["developer"] = found.family
    entity = Entity(
        key=found.key,
        type=found.type,
        discovered=True,
        first_article_id=article_id,
        aliases={"aka": [found.surface]},
        links=links,
        **names,
    )
    session.add(entity)
    session.flush()
    sync_entity_names(session, [entity])
    return entity.id, True


def promote(session: Session, key: str, new_key: str | None = None) -> Entity:
    """Mark a discovered entity as curated (optionally under a better key)."""
    entity = _get(session, key)
    if new_key and new_key != key:
        if session.scalar(select(Entity.id).where(Entity.key == new_key)):
            raise CurationError(f"{new_key} already exists: use `aiwatch entities merge`")
        entity.key = new_key
    entity.discovered = False
    session.flush()
    return entity


def merge(session: Session, source_key: str, target_key: str) -> Entity:
    """Fold `source_key` into `target_key`: its mentions, events and names move over."""
    if source_key == target_key:
        raise CurationError("cannot merge an entity into itself")
    source, target = _get(session, source_key), _get(session, target_key)
    session.execute(
        update(Mention).where(Mention.entity_id == source.id).values(entity_id=target.id)
    )
    for column in (Event.org_id, Event.model_id, Event.law_id):
        session.execute(update(Event).where(column == source.id).values({column: target.id}))
    names = [n for n in (source.name_ja, source.name_zh, source.name_en) if n]
    aka = list(
        dict.fromkeys(
            [*(target.aliases or {}).get("aka", []), *names, *(source.aliases or {}).get("aka", [])]
        )
    )
    target.aliases = {**(target.aliases or {}), "aka": aka}
    session.execute(delete(EntityName).where(EntityName.entity_id == source.id))
    session.execute(delete(Entity).where(Entity.id == source.id))
    session.flush()
    sync_entity_names(session, [target])
    return target


def _get(session: Session, key: str) -> Entity:
    entity = session.scalar(select(Entity).where(Entity.key == key))
    if entity is None:
        raise CurationError(f"no entity {key!r}")
    return entity

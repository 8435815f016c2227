"""Entities in the store: curated ones mirrored from the gazetteer, discovered ones added
as articles introduce them, and the user's curation (promote, merge)."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from nlp.entities import Found
from nlp.entity_names import sync_entity_names
from nlp.gazetteer import Entry, Gazetteer
from store.models import Entity, EntityName, Event, Mention


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


def learnt_entries(session: Session, gazetteer: Gazetteer) -> list[Entry]:
    """Store entities not in the gazetteer file, as entries the matcher can use."""
    entries = []
    for row in session.scalars(select(Entity).where(Entity.key.not_in(list(gazetteer.entries)))):
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

"""Every name of every stored entity, per language, in `entity_names`: what
`v_entity_names` shows and what cross-script search looks names up in.

Preferred names come from the record (ja, zh, en) plus the zh name in Taiwan's traditional
script; an alias's language is read off its script (kana: ja, Latin: en, traditional
characters: zh-Hant, other Han: zh).
"""

from __future__ import annotations

import re
from functools import cache

import hanzidentifier
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from nlp.fold import fold
from store.models import Entity, EntityName

_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc]")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
MAX_NAME = 300


@cache
def _to_traditional() -> object:
    import opencc

    return opencc.OpenCC("s2tw")


def alias_lang(name: str) -> str:
    if _KANA.search(name):
        return "ja"
    han = "".join(_HAN.findall(name))
    if not han:
        return "en"
    return "zh-Hant" if hanzidentifier.identify(han) == hanzidentifier.TRADITIONAL else "zh"


def entity_names(entity: Entity) -> set[tuple[str, str, bool]]:
    """(lang, name, preferred) for every name of `entity`."""
    names: dict[tuple[str, str], bool] = {}
    for lang, name in (("ja", entity.name_ja), ("zh", entity.name_zh), ("en", entity.name_en)):
        if name:
            names[(lang, name)] = True
    if entity.name_zh and _HAN.search(entity.name_zh):
        traditional = _to_traditional().convert(entity.name_zh)  # type: ignore[attr-defined]
        if traditional != entity.name_zh:
            names[("zh-Hant", traditional)] = True
    aliases = entity.aliases or {}
    for alias in [*aliases.get("aka", []), *aliases.get("ambiguous", [])]:
        names.setdefault((alias_lang(alias), alias), False)
    return {(lang, name[:MAX_NAME], preferred) for (lang, name), preferred in names.items()}


def sync_entity_names(session: Session, entities: list[Entity] | None = None) -> int:
    """Make `entity_names` match the entities' names (all entities by default); returns how
    many rows were added or removed."""
    if entities is None:
        entities = list(session.scalars(select(Entity)))
    session.flush()
    ids = [e.id for e in entities]
    stored: dict[int, set[tuple[str, str, bool]]] = {i: set() for i in ids}
    for chunk in range(0, len(ids), 500):
        rows = session.execute(
            select(
                EntityName.entity_id, EntityName.lang, EntityName.name, EntityName.preferred
            ).where(EntityName.entity_id.in_(ids[chunk : chunk + 500]))
        )
        for entity_id, lang, name, preferred in rows:
            stored[entity_id].add((lang, name, preferred))
    changed, replaced, added = 0, [], []
    for entity in entities:
        wanted = entity_names(entity)
        if wanted == stored[entity.id]:
            continue
        replaced.append(entity.id)
        added.extend(
            {
                "entity_id": entity.id,
                "lang": lang,
                "name": name,
                "folded": fold(name),
                "preferred": preferred,
            }
            for lang, name, preferred in wanted
        )
        changed += len(wanted ^ stored[entity.id])
    # one statement per 500 entities, not one per entity: each ORM delete also scans the
    # session's loaded objects, which made a new store's first run quadratic (seconds)
    for chunk in range(0, len(replaced), 500):
        session.execute(
            delete(EntityName).where(EntityName.entity_id.in_(replaced[chunk : chunk + 500]))
        )
    if added:
        session.execute(insert(EntityName), added)
    return changed


def entity_ids_named(session: Session, name: str) -> list[int]:
    """Entities one of whose names is `name`, in any script or spelling."""
    folded = fold(name.strip())
    return list(
        session.scalars(select(EntityName.entity_id).where(EntityName.folded == folded).distinct())
    )

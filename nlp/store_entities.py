"""Entities in the store: curated ones mirrored from the gazetteer, discovered ones added
as articles introduce them, and the user's curation (promote, merge).

A name the statistical recognizer found is kept as a candidate until two sources (outlets)
have named it: only then is it a discovered entity, listed for promotion and matched like a
gazetteer name. Names found by the discovery patterns (a known family and a version) are
explainable on their own and count from their first article.

A new name joins an entity the store already has when it is one of that entity's names in
another script (華為 / 华为 fold alike), when an earlier article tied the same surface to an
entity, or when the parenthesis next to it names one (月之暗面（Moonshot AI）): the aliases
written there are kept, and tie a katakana name in one article to a Chinese one in the next.
The recognizer's type for one entity can differ between sentences; a discovered entity takes
the type most of its names were proposed with, and its key follows its type.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from nlp.discovery import aliases_after, heads_before
from nlp.entities import Found
from nlp.entity_names import alias_lang, sync_entity_names
from nlp.fold import fold
from nlp.gazetteer import Entry, Gazetteer
from nlp.names import PROPER_TAGS, can_be_name
from store.models import Article, Entity, EntityName, Event, Mention

MIN_SOURCES = 2  # outlets that must name a recognizer-found name before it is an entity
TYPE_VOTES = "types"  # in a discovered entity's aliases: how often each type was proposed
_DIGIT = re.compile(r"\d")
_LATIN = re.compile(r"[A-Za-z]")
_KATAKANA = re.compile(r"^[\u30a1-\u30fa\u30fc・]{3,}$")


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
    """Upsert every gazetteer record as a curated entity, and make one of the discovered
    entities that share a name; returns how many changed. Runs when a run starts, before
    nlp.process reads entity ids by key (a merge within a run would leave ids it holds)."""
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
    return changed + unify_discovered(session)


def unify_discovered(session: Session) -> int:
    """Discovered entities that share a name become one, under the oldest's key: two names
    stored apart (ムーンショットAI, 月之暗面) that a later article's parenthesis tied together.
    Returns how many were merged away."""
    named: dict[str, list[int]] = defaultdict(list)
    query = select(EntityName.folded, Entity.id).join(Entity).where(Entity.discovered.is_(True))
    for folded, entity_id in session.execute(query):
        named[folded].append(entity_id)
    root: dict[int, int] = {}

    def find(entity_id: int) -> int:
        while root.get(entity_id, entity_id) != entity_id:
            entity_id = root[entity_id]
        return entity_id

    for ids in named.values():
        for other in ids[1:]:
            first, second = sorted((find(ids[0]), find(other)))
            if first != second:
                root[second] = first
    for entity_id in sorted(root, reverse=True):  # a merge can re-key its target: read keys anew
        source, target = session.get(Entity, entity_id), session.get(Entity, find(entity_id))
        assert source is not None and target is not None
        merge(session, source.key, target.key)
    return len(root)


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
    entity = session.scalar(select(Entity).where(Entity.key == found.key))
    text = _text_at(session.get(Article, article_id), found)
    aliases = [a for a in aliases_after(text, found.end) if _can_be_alias(a, lang)]
    entity = (
        entity
        or _discovered_named(session, found)
        or _earlier_mention(session, found)
        or _named(session, [*aliases, *heads_before(text, found.start)])
    )
    if entity is not None:
        if entity.discovered:
            _add_names(entity, [found.surface, *aliases], lang)
            _vote(session, entity, Counter([found.type]))
            session.flush()
            sync_entity_names(session, [entity])
        return entity.id, False
    links = {"family": found.family} if found.family and found.family.startswith("model:") else {}
    if found.family and found.family.startswith("org:"):
        links["developer"] = found.family
    entity = Entity(
        key=found.key,
        type=found.type,
        discovered=True,
        first_article_id=article_id,
        aliases={TYPE_VOTES: {found.type: 1}},
        links=links,
    )
    _add_names(entity, [found.surface, *aliases], lang)
    if found.name_en and entity.name_en is None:  # a Latin surface (GLM-5) is the name as written
        entity.name_en = found.name_en
    session.add(entity)
    session.flush()
    sync_entity_names(session, [entity])
    return entity.id, True


def _text_at(article: Article | None, found: Found) -> str:
    """The article field (title or body) `found` was read from: Found offsets index one."""
    if article is None:
        return ""
    if article.title[found.start : found.end] == found.surface:
        return article.title
    return article.body


def _can_be_alias(alias: str, lang: str) -> bool:
    """A parenthesis holds names and also amounts, readings and asides (約7兆8000億円,
    試行, 北京): a number is no alias unless it is a version of a Latin name (ERNIE 4.0); a
    Latin alias is no bare acronym; a Chinese or Japanese one is not one everyday word. The
    parenthesis next to a recognised name is the evidence, so the description checks
    nlp.names applies to a span alone are not asked (智谱 and 光年跃迁 read as phrases)."""
    if _DIGIT.search(alias) and not _LATIN.search(alias):
        return False
    script = alias_lang(alias)
    if script == "en" or _KATAKANA.match(alias):  # transliterations are names or loanwords
        return can_be_name(alias, "en")
    if script == "ja" or lang == "ja":
        return can_be_name(alias, "ja", "LAW")  # the label with no description checks
    import jieba.posseg  # loaded with nlp.names

    tag = jieba.posseg.dt.word_tag_tab.get(fold(alias))
    return can_be_name(alias, "en") and tag in (None, *PROPER_TAGS)


def _discovered_named(session: Session, found: Found) -> Entity | None:
    """A discovered entity one of whose names is `found`'s in any script (華為 / 华为), the
    one of the same type first."""
    rows = session.scalars(
        select(Entity)
        .join(EntityName, EntityName.entity_id == Entity.id)
        .where(EntityName.folded == fold(found.surface), Entity.discovered.is_(True))
        .order_by(Entity.id)
    ).all()
    return min(rows, key=lambda e: e.type != found.type, default=None)


def _earlier_mention(session: Session, found: Found) -> Entity | None:
    """The entity an earlier article tied this surface to, when it was not the gazetteer's
    own match (a recognised name an appositive linked to a curated entity)."""
    return session.scalar(
        select(Entity)
        .join(Mention, Mention.entity_id == Entity.id)
        .where(Mention.surface == found.surface, Mention.method != "gazetteer")
        .order_by(Mention.id)
        .limit(1)
    )


def _named(session: Session, names: list[str]) -> Entity | None:
    """The entity named by the first of `names` that names one; a curated entity's
    ambiguous names (which need context to link) do not count."""
    for name in names:
        for entity in session.scalars(
            select(Entity)
            .join(EntityName, EntityName.entity_id == Entity.id)
            .where(EntityName.folded == fold(name))
            .order_by(Entity.discovered, Entity.id)
        ):
            if name not in (entity.aliases or {}).get("ambiguous", []):
                return entity
    return None


def _add_names(entity: Entity, names: list[str], lang: str) -> None:
    """Keep `names` as aliases and fill the preferred names still empty, by script: Latin is
    English, kana Japanese, other Chinese characters the article's language."""
    aliases = entity.aliases or {}
    aka = list(dict.fromkeys([*aliases.get("aka", []), *names]))
    entity.aliases = {**aliases, "aka": aka}
    for name in names:
        script = alias_lang(name)
        field = "name_en" if script == "en" else "name_ja" if "ja" in (script, lang) else "name_zh"
        if getattr(entity, field) is None:
            setattr(entity, field, name)


def _vote(session: Session, entity: Entity, votes: Counter[str]) -> None:
    """Count `votes` for the entity's type; when another type has more votes, the entity
    takes it and the key that says it (unless that key is taken)."""
    aliases = entity.aliases or {}
    total = Counter(aliases.get(TYPE_VOTES, {entity.type: 1})) + votes
    entity.aliases = {**aliases, TYPE_VOTES: dict(total)}
    best = max(total, key=lambda t: (total[t], t == entity.type))
    key = f"{best}:{entity.key.split(':', 1)[1]}"
    if best != entity.type and session.scalar(select(Entity.id).where(Entity.key == key)) is None:
        entity.type, entity.key = best, key


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
    votes = Counter((source.aliases or {}).get(TYPE_VOTES, {source.type: 1}))
    session.execute(delete(EntityName).where(EntityName.entity_id == source.id))
    session.execute(delete(Entity).where(Entity.id == source.id))
    if source.discovered and target.discovered:
        _vote(session, target, votes)
    session.flush()
    sync_entity_names(session, [target])
    return target


def _get(session: Session, key: str) -> Entity:
    entity = session.scalar(select(Entity).where(Entity.key == key))
    if entity is None:
        raise CurationError(f"no entity {key!r}")
    return entity

"""Stories: the articles, in any language, that report the same thing.

Stories follow events: an article reporting an event that already has a story joins it, in
any language, and a story that holds an event takes by similarity only articles naming the
event's model or law, so funding, chip and off-topic pieces never join it, and a piece its
title marks as commentary (nlp.events.is_commentary) joins none.
Otherwise online clustering: each new article joins the most similar active story or starts
a new one. Similarity mixes the text embedding (cross-language) with the canonical entities
the article shares with the story, weighted so a shared model or law counts more than a
shared company. Only stories active within the window around the article's time are
compared, so the cost of one assignment depends on how busy the news is, not on the size of
the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nlp.keywords import top_keywords
from store.models import Article, ArticleStory, Entity, Event, Story

KEY_WEIGHT = {
    "model": 1.0,
    "law": 1.0,
    "chip": 0.6,
    "product": 0.6,
    "person": 0.5,
    "org": 0.4,
    "gov": 0.3,
}
EVENT_WINDOW_DAYS = 30  # how long an event's story takes later reports of that event
LABEL_ENTITIES = 3
LABEL_TITLES = 20  # the latest titles are enough for keywords; cost stays bounded


@dataclass(frozen=True)
class StoryParams:
    threshold: float = 0.5
    window_days: float = 4.0
    entity_weight: float = 0.45


def entity_similarity(article_keys: set[str], story_keys: dict[str, int]) -> float:
    """Weighted Jaccard of the article's keys and the keys any article of the story has."""
    union = article_keys | set(story_keys)
    if not union:
        return 0.0
    weight = lambda key: KEY_WEIGHT.get(key.split(":")[0], 0.3)  # noqa: E731
    shared = sum(weight(k) for k in article_keys & set(story_keys))
    return shared / sum(weight(k) for k in union)


def assign_story(
    session: Session,
    article: Article,
    vector: np.ndarray,
    keys: set[str],
    params: StoryParams,
    events: list[str] | None = None,
    commentary: bool = False,
    steps: set[tuple[str, bool]] | None = None,
) -> tuple[Story, bool]:
    """Put `article` into a story; returns (the story, whether it is new). `events` are the
    keys of the events it reports, most confident first, and `steps` its regulation steps
    as (stage, whether the gazetteer does not know the law); a `commentary` piece joins no
    story that holds an event."""
    when = article.published_at or article.fetched_at
    best, best_score = _event_story(session, events or [], when, params), 1.0
    if best is None:
        reported = Reported(keys, steps or set(), commentary)
        best, best_score = _similar_story(session, vector, reported, params, when)
    created = best is None
    if best is None:
        best = Story(first_seen=when, last_seen=when, n_articles=0, entity_keys={})
        session.add(best)
        best_score = 1.0
    _add(best, vector, keys, when)
    session.flush()
    session.merge(ArticleStory(article_id=article.id, story_id=best.id, similarity=best_score))
    return best, created


def _event_story(
    session: Session, events: list[str], when: datetime, params: StoryParams
) -> Story | None:
    """The story of the first of these events that has one still open at `when`: reports of
    one event keep coming for weeks (EVENT_WINDOW_DAYS), but not for months."""
    window = timedelta(days=max(params.window_days, EVENT_WINDOW_DAYS))
    for key in events:
        story_id = session.scalar(select(Event.story_id).where(Event.key == key))
        story = session.get(Story, story_id) if story_id is not None else None
        if (
            story is not None
            and story.last_seen >= when - window
            and story.first_seen <= when + window
        ):
            return story
    return None


@dataclass(frozen=True)
class Reported:
    """What an article names and reports, as far as joining an event's story goes."""

    keys: set[str]
    steps: set[tuple[str, bool]]  # (stage, law unknown to the gazetteer)
    commentary: bool

    def may_join(self, subjects: set[str], steps: set[tuple[str, bool]]) -> bool:
        """Whether it may join a story whose events are on `subjects` at `steps`: it names
        one of them, or reports the same stage where one law is unknown (a name the
        gazetteer does not have is another key in each language)."""
        if self.commentary:
            return False
        return bool(subjects & self.keys) or any(
            stage == other and (unlinked or other_unlinked)
            for stage, unlinked in self.steps
            for other, other_unlinked in steps
        )


def _similar_story(
    session: Session,
    vector: np.ndarray,
    reported: Reported,
    params: StoryParams,
    when: datetime,
) -> tuple[Story | None, float]:
    """The most similar active story, if similar enough; a story that holds an event only
    for an article that may join it (Reported.may_join)."""
    keys = reported.keys
    window = timedelta(days=params.window_days)
    candidates = session.execute(
        select(Story.id, Story.centroid, Story.entity_keys).where(
            Story.last_seen >= when - window,
            Story.first_seen <= when + window,
            Story.centroid.is_not(None),
        )
    ).all()
    subjects: dict[int, set[str]] = {}
    steps: dict[int, set[tuple[str, bool]]] = {}
    for story_id, key, stage, facts in session.execute(
        select(Event.story_id, Entity.key, Event.stage, Event.facts)
        .join(Entity, Entity.id == func.coalesce(Event.model_id, Event.law_id))
        .where(Event.story_id.in_([c.id for c in candidates]))
    ):
        subjects.setdefault(story_id, set()).add(key)
        if stage:
            steps.setdefault(story_id, set()).add((stage, bool((facts or {}).get("unlinked"))))
    candidates = [
        c
        for c in candidates
        if c.id not in subjects or reported.may_join(subjects[c.id], steps.get(c.id, set()))
    ]
    best, best_score = None, -1.0
    if candidates:
        centroids = np.frombuffer(b"".join(c.centroid for c in candidates), dtype=np.float32)
        text_scores = centroids.reshape(len(candidates), -1) @ vector
        scores = [
            (1 - params.entity_weight) * float(text_score)
            + params.entity_weight * entity_similarity(keys, candidate.entity_keys or {})
            for text_score, candidate in zip(text_scores, candidates, strict=True)
        ]
        index = int(np.argmax(scores))
        if scores[index] >= params.threshold:
            best, best_score = session.get(Story, candidates[index].id), scores[index]
    return best, best_score


def _add(story: Story, vector: np.ndarray, keys: set[str], when: datetime) -> None:
    n = story.n_articles
    centroid = (
        vector
        if story.centroid is None
        else (np.frombuffer(story.centroid, dtype=np.float32) * n + vector)
    )
    centroid = centroid / (np.linalg.norm(centroid) or 1.0)
    story.centroid = centroid.astype(np.float32).tobytes()
    story.n_articles = n + 1
    counts = dict(story.entity_keys or {})
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    story.entity_keys = counts
    story.first_seen = min(story.first_seen, when)
    story.last_seen = max(story.last_seen, when)


def label_story(session: Session, story: Story) -> None:
    """Labels in Japanese and Chinese: the story's main entities under their names in that
    language (an entity with no name in any script is left out, never shown as its key),
    then the commonest title words of that language (dictionary words: nlp.keywords); a story
    with no title in the language gets names only, never words of another language."""
    ranked = sorted(
        (story.entity_keys or {}).items(),
        key=lambda kv: (-kv[1] * KEY_WEIGHT.get(kv[0].split(":")[0], 0.3), kv[0]),
    )[: LABEL_ENTITIES * 2]
    rows = {
        e.key: e
        for e in session.scalars(select(Entity).where(Entity.key.in_([k for k, _ in ranked])))
    }
    titles = session.execute(
        select(Article.title, Article.lang)
        .join(ArticleStory)
        .where(ArticleStory.story_id == story.id)
        .order_by(func.coalesce(Article.published_at, Article.fetched_at).desc(), Article.id.desc())
        .limit(LABEL_TITLES)
    ).all()
    labels = {}
    for lang, field, other, sep in (
        ("ja", "name_ja", "name_zh", "・"),
        ("zh", "name_zh", "name_ja", "、"),
    ):
        names = []
        for key, _count in ranked:
            entity = rows.get(key)
            name = entity and (getattr(entity, field) or entity.name_en or getattr(entity, other))
            if name and name not in names:
                names.append(name)
        names = names[:LABEL_ENTITIES]
        same_lang = [t for t, article_lang in titles if article_lang.startswith(lang)]
        exclude = frozenset(names) | {rows[k].name_en or "" for k, _ in ranked if k in rows}
        words = top_keywords(same_lang, lang, n=2, exclude=exclude) if same_lang else []
        labels[lang] = sep.join([*names, *words])
    story.label_ja, story.label_zh = labels["ja"], labels["zh"]
    story.label = (
        story.label_ja
        if story.label_ja == story.label_zh
        else (f"{story.label_ja} / {story.label_zh}")
    )

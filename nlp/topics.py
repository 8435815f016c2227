"""Topics: coarse themes above stories (chips and export controls, open-weight releases,
pricing wars, generative-AI regulation, funding and listings).

Recomputed on a schedule: stories are clustered by their text centroid together with a
profile of what they are about (entity types, event types), then each new cluster takes
the id of the previous topic it shares most stories with, so a story keeps its topic id
while its theme holds together; a theme that splits keeps its id on the larger part.
Labels come from c-TF-IDF over properly tokenized words (nlp.keywords).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from nlp.keywords import tokens
from store.models import Article, ArticleStory, Event, Story, StoryTopic, Topic
from store.types import utcnow

PROFILE_TYPES = ("model", "law", "chip", "org", "gov", "product", "person")
PROFILE_WEIGHT = 0.6
DISTANCE = 0.65  # average-linkage cosine distance at which themes are cut
KEEP_ID_OVERLAP = 0.3  # share of a new cluster's stories an old topic must hold to keep its id
LABEL_WORDS = 3


@dataclass
class TopicSummary:
    topics: int
    created: int
    kept: int


def _profile(story: Story, event_types: set[str]) -> np.ndarray:
    counts = Counter(key.split(":")[0] for key in (story.entity_keys or {}))
    vector = [counts.get(t, 0) for t in PROFILE_TYPES]
    vector += [1.0 if t in event_types else 0.0 for t in ("model_release", "regulation")]
    array = np.asarray(vector, dtype=np.float32)
    return array / (np.linalg.norm(array) or 1.0)


def recompute_topics(session: Session) -> TopicSummary:
    stories = [s for s in session.scalars(select(Story).order_by(Story.id)) if s.centroid]
    if not stories:
        return TopicSummary(0, 0, 0)
    events = defaultdict(set)
    for story_id, type_ in session.execute(select(Event.story_id, Event.type)):
        events[story_id].add(type_)
    features = np.stack(
        [
            np.concatenate(
                [
                    np.frombuffer(s.centroid, dtype=np.float32),
                    PROFILE_WEIGHT * _profile(s, events[s.id]),
                ]
            )
            for s in stories
        ]
    )
    if len(stories) == 1:
        labels = np.array([1])
    else:
        labels = fcluster(
            linkage(features, method="average", metric="cosine"), DISTANCE, criterion="distance"
        )
    clusters: dict[int, list[int]] = defaultdict(list)
    for story, label in zip(stories, labels, strict=True):
        clusters[int(label)].append(story.id)
    previous: dict[int, int] = dict(
        session.execute(select(StoryTopic.story_id, StoryTopic.topic_id)).tuples().all()
    )
    summary = TopicSummary(len(clusters), 0, 0)
    taken: set[int] = set()
    assignment: dict[int, int] = {}
    for members in sorted(clusters.values(), key=len, reverse=True):
        votes = Counter(previous[s] for s in members if s in previous)
        topic_id = next(
            (
                t
                for t, n in votes.most_common()
                if t not in taken and n >= KEEP_ID_OVERLAP * len(members)
            ),
            None,
        )
        if topic_id is None:
            topic = Topic()
            session.add(topic)
            session.flush()
            topic_id = topic.id
            summary.created += 1
        else:
            summary.kept += 1
        taken.add(topic_id)
        for story_id in members:
            assignment[story_id] = topic_id
    session.execute(delete(StoryTopic))
    now = utcnow()
    session.add_all(
        StoryTopic(story_id=s, topic_id=t, assigned_at=now) for s, t in assignment.items()
    )
    for topic in session.scalars(select(Topic)):
        topic.active = topic.id in taken
    session.flush()
    _label(session, taken)
    return summary


def _label(session: Session, topic_ids: set[int]) -> None:
    """c-TF-IDF: words frequent in a topic's titles and rare in the other topics."""
    rows = session.execute(
        select(StoryTopic.topic_id, Article.title, Article.lang)
        .join(ArticleStory, ArticleStory.story_id == StoryTopic.story_id)
        .join(Article, Article.id == ArticleStory.article_id)
    )
    words: dict[str, dict[int, Counter[str]]] = {
        "ja": defaultdict(Counter),
        "zh": defaultdict(Counter),
    }
    for topic_id, title, lang in rows:
        group = "zh" if lang.startswith("zh") else lang
        if group in words:
            words[group][topic_id].update(tokens(title, lang))
    for topic in session.scalars(select(Topic).where(Topic.id.in_(topic_ids))):
        labels = {}
        for group, per_topic in words.items():
            total = Counter()
            for counter in per_topic.values():
                total.update(counter)
            mine = per_topic.get(topic.id, Counter())
            size = sum(mine.values()) or 1
            average = sum(total.values()) / max(len(per_topic), 1)
            scored = {w: (n / size) * math.log(1 + average / total[w]) for w, n in mine.items()}
            best = sorted(scored, key=lambda w: (-scored[w], w))[:LABEL_WORDS]
            labels[group] = ("・" if group == "ja" else "、").join(best)
        # a theme reported in one language only is labelled in that language for both
        topic.label_ja = labels["ja"] or labels["zh"]
        topic.label_zh = labels["zh"] or labels["ja"]
        topic.updated_at = utcnow()

"""Stories follow events: one story per real-world event in any language, and an event's
story takes by similarity only articles that name its model or law."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy.orm import Session

from nlp.events import is_commentary
from nlp.stories import StoryParams, assign_story
from store.articles import ArticleRecord, save_articles
from store.models import Article, Entity, Event, Story
from tests.conftest import StoreHandle

START = datetime(2026, 5, 1, tzinfo=UTC)
MODEL = "model:glm-5"


def _unit(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).normal(size=64).astype(np.float32)
    return vector / np.linalg.norm(vector)


def _article(session: Session, n: int, title: str) -> Article:
    [saved] = save_articles(
        session,
        [
            ArticleRecord(
                f"https://s.example/{n}",
                title,
                title * 20,
                "zh-Hans",
                published_at=START + timedelta(hours=n),
            )
        ],
    )
    article = session.get(Article, saved.article_id)
    assert article is not None
    return article


def _story_holding(
    session: Session, params: StoryParams, title: str, key: str, event: Event
) -> Story:
    """The story of a first report (`title`) of `event` on the entity `key`, holding it."""
    first, _ = assign_story(session, _article(session, 1, title), _unit(1), {key}, params)
    entity = Entity(key=key, type=key.split(":")[0], name_en=key)
    session.add(entity)
    session.flush()
    if event.type == "regulation":
        event.law_id = entity.id
    else:
        event.model_id = entity.id
    event.story_id = first.id
    session.add(event)
    session.flush()
    return first


def _release_story(session: Session, params: StoryParams) -> Story:
    """The story of a first report of the GLM-5 release, holding that event."""
    release = Event(type="model_release", key="model_release:model:glm5")
    return _story_holding(session, params, "智谱发布GLM-5", MODEL, release)


def test_reports_of_one_event_share_a_story_and_others_stay_out(store: StoreHandle) -> None:
    params = StoryParams()
    with store.sessions.begin() as s:
        first = _release_story(s, params)
        # another language, a different-looking text: the event decides
        japanese, _ = assign_story(
            s,
            _article(s, 2, "智譜、GLM-5を公開"),
            _unit(2),
            {MODEL},
            params,
            events=["model_release:model:glm5"],
        )
        # the same words as the first report but about funding, naming no model: kept out
        funding, created = assign_story(
            s, _article(s, 3, "智谱完成新一轮融资"), _unit(1), {"org:zhipu-ai"}, params
        )
        # a report the classifier missed, naming the model and reading alike: joins
        missed, _ = assign_story(s, _article(s, 4, "GLM-5上手体验"), _unit(1), {MODEL}, params)
        assert japanese.id == first.id and missed.id == first.id
        assert created and funding.id != first.id


def test_commentary_naming_the_model_joins_no_event_story(store: StoreHandle) -> None:
    params = StoryParams()
    with store.sessions.begin() as s:
        first = _release_story(s, params)
        title = "〈解説〉GLM-5は何を変えるか"
        opinion, created = assign_story(
            s, _article(s, 2, title), _unit(1), {MODEL}, params, commentary=is_commentary(title)
        )
        assert created and opinion.id != first.id


def test_titles_that_mark_commentary() -> None:
    for title in (
        "评论：国产模型的下一步",
        "〈解説〉AI法の施行で何が変わるか",
        "Analysis: the GLM-5 bet",
    ):
        assert is_commentary(title), title
    for title in ("智谱发布GLM-5", "解説動画を公開", "Zhipu releases GLM-5"):
        assert not is_commentary(title), title


def test_a_report_naming_the_rule_otherwise_joins_the_story_of_its_step(
    store: StoreHandle,
) -> None:
    """A rule the gazetteer does not know is another key in each language: reporting the same
    stage opens the story to the article, similarity still decides."""
    known, unknown = "law:cn-genai-interim-measures", "law:生成ai暫定弁法"
    params = StoryParams()
    with store.sessions.begin() as s:
        step = Event(type="regulation", key=f"regulation:{known}:published", stage="published")
        first = _story_holding(s, params, "网信办发布暂行办法", known, step)
        article = _article(s, 2, "中国、生成AI暫定弁法を公布")
        joined, _ = assign_story(
            s, article, _unit(1), {unknown}, params, steps={("published", True)}
        )
        drafted, created = assign_story(
            s,
            _article(s, 3, "生成AI暫定弁法の草案"),
            _unit(1),
            {unknown},
            params,
            steps={("draft", True)},
        )
        assert joined.id == first.id
        assert created and drafted.id != first.id

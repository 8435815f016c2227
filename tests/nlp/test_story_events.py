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


def _release_story(session: Session, params: StoryParams) -> Story:
    """The story of a first report of the GLM-5 release, holding that event."""
    first, _ = assign_story(
        session, _article(session, 1, "智谱发布GLM-5"), _unit(1), {MODEL}, params
    )
    model = Entity(key=MODEL, type="model", name_en="GLM-5")
    session.add(model)
    session.flush()
    session.add(
        Event(
            type="model_release",
            key="model_release:model:glm5",
            model_id=model.id,
            story_id=first.id,
        )
    )
    session.flush()
    return first


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

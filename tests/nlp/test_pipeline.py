"""The whole NLP stage on stored articles: stories across languages, one event per
real-world event, topics with stable ids, and the targets on the labeled corpus."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from nlp.process import process_pending
from nlp.topics import recompute_topics
from store.articles import ArticleRecord, save_article
from store.models import ArticleStory, Event, EventArticle, StoryTopic
from tests.conftest import Cli, StoreHandle

DAY = datetime(2026, 3, 20, 8, tzinfo=UTC)
ZH = (
    "智谱发布新一代开源大模型GLM-5",
    "智谱今天在北京发布新一代基座模型GLM-5,并宣布以开源方式提供模型权重。",
)
JA = (
    "智譜AI、オープンソースの新モデルGLM-5を発表",
    "中国の智譜AIは新たな基盤モデルGLM-5を発表し、重みをオープンソースで公開した。",
)
JA_LATER = (  # a later report of the same release, with one more fact
    "智譜AI、新モデルGLM-5を発表　パラメータ数は3550億",
    "智譜AIは新たな基盤モデルGLM-5を発表した。パラメータ数は3550億で、重みはオープンソースで公開された。",
)


def _save(store: StoreHandle, url: str, title: str, body: str, lang: str, when: datetime) -> None:
    with store.sessions.begin() as s:
        save_article(s, ArticleRecord(url, title, body, lang, published_at=when))


@pytest.mark.slow
def test_same_release_in_two_languages_is_one_story_and_one_event(store: StoreHandle) -> None:
    _save(store, "https://e/zh", *ZH, "zh-Hans", DAY)
    _save(store, "https://e/ja", *JA, "ja", DAY + timedelta(hours=3))
    process_pending(store.sessions)
    with store.sessions() as s:
        stories = set(s.scalars(select(ArticleStory.story_id)))
        events = s.scalars(select(Event)).all()
        evidence = s.scalar(select(func.count()).select_from(EventArticle))
    assert len(stories) == 1
    assert [(e.type, e.key) for e in events] == [("model_release", "model_release:model:glm5")]
    assert events[0].facts["langs"] == ["zh", "ja"] and events[0].facts["revision"] == 0
    assert evidence == 2
    with store.engine.connect() as conn:
        row = conn.execute(
            text("SELECT type, org_key, model_key, n_articles, evidence FROM v_events")
        ).one()
    assert row[:4] == ("model_release", "org:zhipu-ai", "model:glm-5", 2)
    assert "GLM-5" in row[4]


@pytest.mark.slow
def test_later_article_adds_a_fact_to_the_event(store: StoreHandle) -> None:
    _save(store, "https://e/ja", *JA, "ja", DAY)
    process_pending(store.sessions)
    _save(store, "https://e/ja2", *JA_LATER, "ja", DAY + timedelta(days=1))
    process_pending(store.sessions)
    with store.sessions() as s:
        [event] = s.scalars(select(Event)).all()
    assert event.facts["parameters"] == "3550億" and event.facts["revision"] == 1


@pytest.mark.slow
def test_old_story_is_not_reopened_by_a_later_mention(store: StoreHandle) -> None:
    _save(store, "https://e/zh", *ZH, "zh-Hans", DAY)
    _save(store, "https://e/ja", *JA, "ja", DAY + timedelta(days=40))
    process_pending(store.sessions)
    with store.sessions() as s:
        assert len(set(s.scalars(select(ArticleStory.story_id)))) == 2


@pytest.mark.slow
def test_topics_keep_their_ids_when_recomputed(store: StoreHandle) -> None:
    _save(store, "https://e/zh", *ZH, "zh-Hans", DAY)
    _save(store, "https://e/ja", *JA, "ja", DAY)
    _save(
        store,
        "https://e/o",
        "台風12号、九州に接近",
        "大型の台風12号は九州の南の海上を北上している。",
        "ja",
        DAY,
    )
    process_pending(store.sessions)
    with store.sessions.begin() as s:
        first = recompute_topics(s)
        before = dict(s.execute(select(StoryTopic.story_id, StoryTopic.topic_id)).tuples().all())
    with store.sessions.begin() as s:
        second = recompute_topics(s)
        after = dict(s.execute(select(StoryTopic.story_id, StoryTopic.topic_id)).tuples().all())
    assert first.created == first.topics and second.created == 0
    assert before == after
    with store.engine.connect() as conn:
        labels = conn.execute(text("SELECT label_ja, n_stories FROM v_topics")).all()
    assert len(labels) == first.topics and all(label for label, _ in labels)


@pytest.mark.slow
def test_cli_eval_meets_targets(cli: Cli) -> None:
    result = cli("eval", "--json")
    assert result.code == 0, result.err
    scores = json.loads(result.out)
    assert scores["stories"]["pairwise_f1"] >= 0.90
    assert scores["events"]["model_release"]["precision"] >= 0.95
    assert scores["events"]["model_release"]["recall"] >= 0.90
    assert scores["events"]["regulation"]["precision"] >= 0.90
    assert scores["events"]["regulation"]["recall"] >= 0.90


@pytest.mark.slow
def test_cli_stories_story_topics(store: StoreHandle, cli_store: Cli) -> None:
    _save(store, "https://e/zh", *ZH, "zh-Hans", datetime.now(UTC))
    _save(store, "https://e/ja", *JA, "ja", datetime.now(UTC))
    assert cli_store("process").code == 0
    listed = json.loads(cli_store("stories", "--since", "7d", "--json").out)
    assert len(listed) == 1 and listed[0]["langs"] == "ja,zh-Hans" and listed[0]["n_articles"] == 2
    shown = json.loads(cli_store("story", str(listed[0]["story_id"]), "--json").out)
    assert {a["lang"] for a in shown} == {"ja", "zh-Hans"}
    topics = json.loads(cli_store("topics", "--recompute", "--json").out)
    assert topics[0]["n_articles"] == 2 and topics[0]["in_period"] == 2
    assert cli_store("story", "999").code == 1
    bad = cli_store("stories", "--since", "a week")
    assert bad.code == 2 and "not a duration" in bad.err

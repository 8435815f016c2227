"""Story labels: keywords come from the story's latest titles, so labelling an article
costs the same in a story of 20 articles as in one of 2,000."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from nlp.stories import LABEL_TITLES, label_story
from store.articles import ArticleRecord, save_articles
from store.models import ArticleStory, Entity, Story
from tests.conftest import StoreHandle

CITIES = "北京 上海 广州 深圳 杭州 南京 武汉 成都 西安 重庆 天津 苏州 长沙 郑州 青岛 厦门 宁波 合肥 昆明 大连"


def test_label_keywords_come_from_the_latest_titles_only(store: StoreHandle) -> None:
    start = datetime(2026, 5, 1, tzinfo=UTC)
    old = ["量子芯片"] * 5  # the most frequent title words, but the oldest articles
    titles = old + CITIES.split()
    assert len(titles) - len(old) == LABEL_TITLES
    records = [
        ArticleRecord(
            f"https://s.example/{i}",
            title,
            title + "".join(chr(0x4E00 + (i * 97 + k * 31) % 3000) for k in range(80)),
            "zh-Hans",
            published_at=start + timedelta(hours=i),
        )
        for i, title in enumerate(titles)
    ]
    with store.sessions.begin() as s:
        ids = [r.article_id for r in save_articles(s, records)]
        story = Story()
        s.add(story)
        s.flush()
        s.execute(insert(ArticleStory), [{"article_id": i, "story_id": story.id} for i in ids])
        label_story(s, story)
        assert story.label_zh == "大连、昆明"  # the two newest titles; nothing of 量子芯片


def test_labels_have_names_and_whole_words_never_keys_or_fragments(store: StoreHandle) -> None:
    start = datetime(2026, 5, 1, tzinfo=UTC)
    titles = ["算法推荐管理规定落地 抖音淘宝成各大平台必答题", "算法推荐新规落地 各大平台调整推荐"]
    records = [
        ArticleRecord(
            f"https://s.example/l{i}", t, t * 5, "zh-Hans", published_at=start + timedelta(hours=i)
        )
        for i, t in enumerate(titles)
    ]
    with store.sessions.begin() as s:
        ids = [r.article_id for r in save_articles(s, records)]
        s.add_all(
            [
                Entity(key="org:douyin", type="org", name_zh="抖音", name_ja="TikTok中国版"),
                Entity(key="model:nameless", type="model"),
            ]
        )
        story = Story(entity_keys={"org:douyin": 2, "model:nameless": 2})
        s.add(story)
        s.flush()
        s.execute(insert(ArticleStory), [{"article_id": i, "story_id": story.id} for i in ids])
        label_story(s, story)
        assert story.label_zh.startswith("抖音、") and "成各大" not in story.label_zh
        assert story.label_ja == "TikTok中国版"  # no Japanese title: names only
        assert "nameless" not in story.label


def test_label_words_do_not_depend_on_the_process_hash_seed() -> None:
    """Tied words (one title: every word once) come in reading order in every process."""
    code = (
        "from nlp.keywords import top_keywords;"
        "print(top_keywords(['腾讯发布混元大模型 微信搭载新应用', '混元上线'], 'zh', n=3))"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3", "4")
    }
    assert len(seen) == 1, seen

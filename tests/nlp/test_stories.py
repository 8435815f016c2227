"""Story labels: keywords come from the story's latest titles, so labelling an article
costs the same in a story of 20 articles as in one of 2,000."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from nlp.stories import LABEL_TITLES, label_story
from store.articles import ArticleRecord, save_articles
from store.models import ArticleStory, Story
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

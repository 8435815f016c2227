"""The feed channel, `aiwatch export --sqlite`, `serve` on PostgreSQL, and times shown in
the [display] time zone (real SQLite and PostgreSQL stores, the real CLI)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser

from alerts.feed import FeedChannel
from alerts.render import Alert, EventSummary
from nlp.gazetteer import Gazetteer
from nlp.store_entities import sync_gazetteer
from store.articles import ArticleRecord, save_article
from tests.conftest import Cli, StoreHandle


def _summary(event_id: int, headline: str, update: bool = False) -> EventSummary:
    return EventSummary(
        event_id,
        "model_release",
        headline,
        [("組織", "百度")],
        [("zh-Hans", "百度发布新模型", "http://127.0.0.1/zh/1.html")],
        "百度发布了新模型。",
        update,
        story_id=7,
    )


def test_feed_channel_keeps_one_entry_per_event_and_counts_updates(tmp_path: Path) -> None:
    path = tmp_path / "feeds" / "models.atom"
    channel = FeedChannel(path, "models", ZoneInfo("Asia/Tokyo"))
    assert channel.send(Alert("a", [_summary(1, "新モデル: 百度 X")]), "a1").ok
    assert channel.send(Alert("b", [_summary(2, "新モデル: 阿里 Y")]), "a2").ok
    assert channel.send(Alert("c", [_summary(1, "新モデル: 百度 X", update=True)]), "a3").ok
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert [e.id for e in feed.entries] == [
        "tag:aiwatch,2026:event/1",  # updated last, so newest
        "tag:aiwatch,2026:event/2",
    ]
    assert "1 update(s)" in feed.entries[0].summary and "story 7" in feed.entries[0].summary
    assert feed.entries[0].links[0].hreflang == "zh-Hans"
    assert feed.entries[0].updated.endswith("+09:00")


def test_feed_channel_reports_an_unwritable_path(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = FeedChannel(blocker / "x.atom", "x", ZoneInfo("UTC")).send(
        Alert("a", [_summary(1, "h")]), "a1"
    )
    assert not result.ok and "cannot write the feed" in (result.error or "")


def _fill(store: StoreHandle) -> None:
    with store.sessions.begin() as s:
        sync_gazetteer(s, Gazetteer.load())
        save_article(
            s,
            ArticleRecord(
                "https://e.example/1",
                "华为发布昇腾新芯片",
                "华为今天发布了新一代昇腾芯片。",
                "zh-Hans",
                published_at=datetime(2026, 11, 20, 1, 0, tzinfo=UTC),
            ),
        )


def test_export_copies_the_store_into_a_new_sqlite_file(
    store: StoreHandle, cli_store: Cli, tmp_path: Path
) -> None:
    _fill(store)
    target = tmp_path / "snapshot.db"
    result = cli_store("export", "--sqlite", str(target))
    assert result.code == 0, result.err
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT title FROM v_articles").fetchall() == [("华为发布昇腾新芯片",)]
        names = conn.execute(
            "SELECT name FROM v_entity_names WHERE entity_key = 'org:huawei' AND lang = 'ja'"
        ).fetchall()
        assert ("ファーウェイ",) in names
        fts = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH '\"昇腾新\"'"
        assert conn.execute(fts).fetchall() == [(1,)]
    again = cli_store("export", "--sqlite", str(target))
    assert again.code == 1 and "exists" in again.err


def test_serve_on_postgres_explains_how_to_browse(store: StoreHandle, cli_store: Cli) -> None:
    if store.dialect != "postgresql":
        return
    result = cli_store("serve", "--port", "1")
    assert result.code == 1
    assert "aiwatch export --sqlite" in result.err and "BI tool" in result.err


def test_times_print_in_the_display_time_zone(store: StoreHandle, cli_store: Cli) -> None:
    _fill(store)
    query = "SELECT published_at FROM v_articles"
    table = cli_store("sql", "--allow-superuser", query)
    assert table.code == 0, table.err
    assert "2026-11-20 10:00 JST" in table.out
    as_json = json.loads(cli_store("sql", "--allow-superuser", query, "--json").out)
    assert as_json[0]["published_at"] == "2026-11-20T10:00:00+09:00"
    text = cli_store.config.read_text()
    cli_store.config.write_text(text + '\n[display]\ntimezone = "Asia/Shanghai"\n')
    assert "2026-11-20 09:00 CST" in cli_store("sql", "--allow-superuser", query).out

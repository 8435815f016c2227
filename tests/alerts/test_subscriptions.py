"""Subscriptions: a bad one is skipped with its reason and never stops the others; names
resolve from the gazetteer on a fresh store; pending names match once they are known; and
events found by `aiwatch process` reach every subscription that existed then."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from sqlalchemy import select

from alerts.subscriptions import read_subscriptions, skipped_in_store, sync_subscriptions
from store.models import Entity, Subscription
from tests.conftest import Cli, NewsSite, StoreHandle

RAW = [
    {"name": "good", "file": "/tmp/good.jsonl", "entities": ["org:moonshot-ai", "智谱"]},
    {"name": "nobody", "file": "/tmp/x.jsonl", "entities": ["不存在公司"]},
    {"name": "typo", "emial": "a@example.jp"},
    {"name": "good", "email": "a@example.jp"},
    {"name": "weekly", "email": "a@example.jp", "mode": "weekly"},
]


def _rows(store: StoreHandle) -> dict[str, Subscription]:
    with store.sessions() as session:
        return {row.name: row for row in session.scalars(select(Subscription))}


def test_subscriptions_bad_ones_skipped_with_reason_others_synced(store: StoreHandle) -> None:
    specs, bad = read_subscriptions(RAW)
    assert [s.name for s in specs] == ["good", "nobody"]
    with store.sessions.begin() as session:
        skipped = sync_subscriptions(session, specs, bad)
    reasons = {s.name: s.reason for s in skipped}
    assert set(reasons) == {"nobody", "typo", "good", "weekly"}
    assert "unknown entity '不存在公司'" in reasons["nobody"]
    assert "unknown setting 'emial' (did you mean 'email'?)" in reasons["typo"]
    assert "mode is immediate or digest" in reasons["weekly"]
    rows = _rows(store)
    assert rows["good"].enabled  # the first "good"; the second is the one skipped
    assert rows["good"].filters["entity_keys"] == ["org:moonshot-ai", "org:zhipu-ai"]
    assert not rows["nobody"].enabled and not rows["typo"].enabled
    with store.sessions() as session:
        shown = {s.name for s in skipped_in_store(session)}
    assert shown == {"nobody", "typo", "weekly"}


def test_subscriptions_fixed_one_is_enabled_again(store: StoreHandle) -> None:
    with store.sessions.begin() as session:
        sync_subscriptions(session, *read_subscriptions([RAW[1]]))
    fixed = {**RAW[1], "entities": ["月之暗面"]}
    with store.sessions.begin() as session:
        assert sync_subscriptions(session, *read_subscriptions([fixed])) == []
    row = _rows(store)["nobody"]
    assert row.enabled and row.filters["entity_keys"] == ["org:moonshot-ai"]
    with store.sessions() as session:
        assert skipped_in_store(session) == []


def test_subscriptions_pending_name_matches_once_known(store: StoreHandle) -> None:
    raw = [{"name": "new", "file": "/tmp/n.jsonl", "pending_entities": ["星河智能"]}]
    with store.sessions.begin() as session:
        assert sync_subscriptions(session, *read_subscriptions(raw)) == []
    assert _rows(store)["new"].filters["entity_keys"] == ["pending:星河智能"]  # matches nothing
    with store.sessions.begin() as session:
        session.add(Entity(key="org:xinghe", type="org", name_zh="星河智能", discovered=True))
    with store.sessions.begin() as session:
        sync_subscriptions(session, *read_subscriptions(raw))
    assert _rows(store)["new"].filters["entity_keys"] == ["org:xinghe"]


def test_subscriptions_add_refuses_unknown_entity_unless_pending(cli: Cli) -> None:
    assert cli("init").code == 0
    refused = cli("subscriptions", "add", "x", "--email", "a@example.jp", "--entity", "不存在公司")
    assert refused.code == 1 and "unknown entity '不存在公司'" in refused.err
    assert "subscriptions" not in tomllib.loads(cli.config.read_text())  # nothing written
    added = cli(
        "subscriptions",
        "add",
        "x",
        "--email",
        "a@example.jp",
        "--entity",
        "不存在公司",
        "--entity",
        "org:moonshot-ai",
        "--pending",
    )
    assert added.code == 0 and "'不存在公司' is not a known entity yet" in added.err
    listed = json.loads(cli("subscriptions", "list", "--json").out)
    assert listed[0]["entities"] == "org:moonshot-ai,不存在公司 (pending)"
    assert cli("config", "check").code == 0


@pytest.mark.slow
def test_subscriptions_hear_of_events_found_by_process_before_the_daemon_ran(
    tmp_path: Path, news_site: NewsSite
) -> None:
    (tmp_path / "sources.toml").write_text(
        f'[[source]]\nname = "site"\nfeeds = ["{news_site.base}/feed.rss"]\n'
    )
    cli = Cli(tmp_path / "aiwatch.toml")
    cli.config.write_text("[crawler]\ndownload_delay = 0\nautothrottle = false\n")
    assert cli("init").code == 0  # a fresh store: no entity known to it yet
    out = tmp_path / "alerts.jsonl"
    assert cli("subscriptions", "add", "all", "--file", str(out)).code == 0
    assert cli("crawl").code == 0
    processed = cli("process", "--json")
    assert processed.code == 0, processed.err
    queued = json.loads(cli("alerts", "list", "--json").out)
    assert queued and {a["subscription"] for a in queued} == {"all"}


def test_subscriptions_add_before_init_checks_the_gazetteer_and_creates_no_store(
    cli: Cli,
) -> None:
    cli.config.write_text("")
    assert (
        cli("subscriptions", "add", "m", "--email", "a@example.jp", "--entity", "月之暗面").code
        == 0
    )
    assert (
        cli("subscriptions", "add", "n", "--email", "a@example.jp", "--entity", "不存在").code == 1
    )
    assert sorted(p.name for p in cli.config.parent.iterdir()) == ["aiwatch.toml"]

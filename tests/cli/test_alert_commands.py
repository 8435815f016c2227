from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from tests.conftest import Cli, NewsSite, SmtpServer, Webhook


def test_subscriptions_add_list_remove_keep_the_config_file(cli: Cli) -> None:
    assert cli("init").code == 0
    added = cli(
        "subscriptions",
        "add",
        "policy-team",
        "--email",
        "team@example.jp",
        "--events",
        "regulation",
        "--mode",
        "digest",
        "--at",
        "09:00",
        "--tz",
        "Asia/Tokyo",
    )
    assert added.code == 0, added.err
    hook = "https://hooks.slack.com/services/T000/B000/SECRET"
    assert (
        cli(
            "subscriptions",
            "add",
            "models",
            "--slack-webhook",
            hook,
            "--events",
            "model_release",
            "--entity",
            "org:alibaba",
        ).code
        == 0
    )
    text = cli.config.read_text()
    assert "# aiwatch configuration" in text  # comments survive
    config = tomllib.loads(text)
    assert [s["name"] for s in config["subscriptions"]] == ["policy-team", "models"]
    listed = cli("subscriptions", "list", "--json")
    assert "SECRET" not in listed.out and "SECRET" not in cli("config", "show").out
    rows = {r["name"]: r for r in json.loads(listed.out)}
    assert rows["policy-team"]["mode"] == "digest" and rows["models"]["entities"] == "org:alibaba"
    assert cli("subscriptions", "add", "models", "--email", "x@y.jp").code == 1  # duplicate
    assert cli("subscriptions", "add", "bad", "--email", "x@y.jp", "--events", "ipo").code == 2
    assert cli("subscriptions", "remove", "policy-team").code == 0
    assert [s["name"] for s in tomllib.loads(cli.config.read_text())["subscriptions"]] == ["models"]
    assert cli("subscriptions", "remove", "policy-team").code == 1


def test_subscriptions_test_reports_success_and_exact_failure(
    cli: Cli, smtp_server: SmtpServer, webhook: Webhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("init").code == 0
    monkeypatch.setenv("AIWATCH_SMTP_HOST", "127.0.0.1")  # the environment overrides [smtp]
    monkeypatch.setenv("AIWATCH_SMTP_PORT", str(smtp_server.port))
    assert cli("subscriptions", "add", "mail", "--email", "team@example.jp").code == 0
    assert cli("subscriptions", "add", "hook", "--slack-webhook", webhook.url).code == 0
    ok = cli("subscriptions", "test", "mail")
    assert ok.code == 0 and "delivered" in ok.out, ok.err
    [mail] = smtp_server.wait_for(1)
    assert mail["Subject"] == "[aiwatch テスト] 配信設定の確認"
    webhook.script([404])
    failed = cli("subscriptions", "test", "hook")
    assert failed.code == 1 and "Slack answered 404" in failed.err
    assert webhook.url not in failed.err


@pytest.mark.slow
def test_run_once_crawls_processes_dispatches_and_status_shows_it(
    tmp_path: Path, news_site: NewsSite, webhook: Webhook
) -> None:
    (tmp_path / "sources.toml").write_text(
        f'[[source]]\nname = "site"\nfeeds = ["{news_site.base}/feed.rss"]\n'
    )
    cli = Cli(tmp_path / "aiwatch.toml")
    cli.config.write_text("[crawler]\ndownload_delay = 0\nautothrottle = false\n")
    assert cli("init").code == 0
    webhook.script([404])  # the first alert fails for good
    assert cli("subscriptions", "add", "hook", "--slack-webhook", webhook.url).code == 0
    result = cli("run", "--once", "--json")
    assert result.code == 0, result.err
    cycle = json.loads(result.out)
    assert cycle["crawl"]["new"] == 3 and cycle["process"]["processed"] == 3
    assert cycle["dispatch"]["failed"] == 1 and cycle["dispatch"]["sent"] >= 1
    failed = json.loads(cli("alerts", "list", "--failed", "--json").out)
    assert len(failed) == 1 and "404" in failed[0]["last_error"]
    status = json.loads(cli("status", "--json").out)
    assert {j["job"] for j in status["jobs"]} >= {"crawl:all", "process", "dispatch", "topics"}
    assert status["backlog_articles"] == 0 and status["alerts_failed"] == 1

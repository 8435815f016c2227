"""The daemon end to end: the local news site, real SMTP and webhook servers, short
intervals; and a kill -9 in the middle of a delivery."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import Cli, NewsSite, SmtpServer, Webhook


def _config(
    tmp_path: Path,
    site: NewsSite,
    webhook: Webhook,
    smtp: SmtpServer | None,
    lease: int = 120,
    extra_sources: str = "",
    extra_config: str = "",
) -> Cli:
    (tmp_path / "sources.toml").write_text(
        f'[[source]]\nname = "site"\nfeeds = ["{site.base}/feed.rss"]\nevery = "2s"\n'
        + extra_sources
    )
    mail = (
        (
            '\n[[subscriptions]]\nname = "mail"\nemail = "team@example.jp"\n'
            'events = ["model_release"]\n'
        )
        if smtp
        else ""
    )
    (tmp_path / "aiwatch.toml").write_text(
        "[crawler]\ndownload_delay = 0\nautothrottle = false\ntimeout = 120\n"
        '[schedule]\nprocess_every = "2s"\ndispatch_every = "1s"\n' + extra_config + "\n"
        f"[alerts]\nlease_seconds = {lease}\nbackoff_seconds = 1\n"
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp.port if smtp else 25}\n'
        '\n[[subscriptions]]\nname = "slack"\nslack_webhook = "env:TEST_SLACK_HOOK"\n' + mail
    )
    cli = Cli(tmp_path / "aiwatch.toml")
    assert cli("init").code == 0
    return cli


@contextmanager
def daemon(cli: Cli, webhook: Webhook) -> Iterator[subprocess.Popen[str]]:
    env = {**os.environ, "AIWATCH_CONFIG": str(cli.config), "TEST_SLACK_HOOK": webhook.url}
    with (cli.config.parent / "daemon.log").open("a") as log:  # a file: a pipe could fill up
        process = subprocess.Popen(
            [sys.executable, "-m", "aiwatch", "run"], env=env, text=True, stderr=log
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)


def wait_until(condition: Callable[[], bool], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.5)


def _query(tmp_path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(f"file:{tmp_path / 'aiwatch.db'}?mode=ro", uri=True) as conn:
        return conn.execute(sql).fetchall()


def _initial_alerts_sent(tmp_path: Path) -> bool:
    """The feed's first three articles are processed and every alert they raised is sent."""
    processed = _query(tmp_path, "SELECT count(*) FROM article_nlp_state")[0][0]
    pending = _query(tmp_path, "SELECT count(*) FROM alert_deliveries WHERE state != 'sent'")
    sent = _query(tmp_path, "SELECT count(*) FROM alert_deliveries WHERE state = 'sent'")
    return processed >= 3 and pending[0][0] == 0 and sent[0][0] > 0


def _glm5(texts: list[str]) -> int:
    return sum("GLM-5" in t for t in texts)


@pytest.mark.slow
def test_daemon_feed_item_to_email_and_slack_once_across_languages(
    tmp_path: Path, news_site: NewsSite, webhook: Webhook, smtp_server: SmtpServer
) -> None:
    cli = _config(tmp_path, news_site, webhook, smtp_server)
    with daemon(cli, webhook) as process:
        wait_until(lambda: _initial_alerts_sent(tmp_path))
        news_site.publish("/zh/1.html")  # GLM-5, in Chinese
        wait_until(lambda: _glm5([p["text"] for p in webhook.received()]) == 1)
        wait_until(lambda: _glm5([m["Subject"] for m in smtp_server.messages]) == 1)
        news_site.publish("/ja/late-glm5.html")  # the same release, in Japanese
        wait_until(
            lambda: (
                _query(
                    tmp_path,
                    "SELECT count(*) FROM article_nlp_state s JOIN "
                    "articles a ON a.id = s.article_id WHERE a.url LIKE "
                    "'%late-glm5%'",
                )[0][0]
                == 1
            )
        )
        time.sleep(4)  # several dispatch cycles
        assert _glm5([p["text"] for p in webhook.received()]) == 1
        assert _glm5([m["Subject"] for m in smtp_server.messages]) == 1
        [(langs, n_articles)] = _query(
            tmp_path,
            "SELECT s.langs, e.n_articles FROM v_events e JOIN v_stories s "
            "USING (story_id) WHERE e.model_key = 'model:glm-5'",
        )
        assert langs == "ja,zh-Hans" and n_articles == 2
        status = cli("status", "--json")
        assert status.code == 0 and '"job": "dispatch"' in status.out
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0


@pytest.mark.slow
def test_daemon_killed_mid_delivery_sends_each_alert_exactly_once(
    tmp_path: Path, news_site: NewsSite, webhook: Webhook
) -> None:
    cli = _config(tmp_path, news_site, webhook, None, lease=3)
    webhook.script(["hold"])  # the first delivery hangs until the daemon is dead
    with daemon(cli, webhook) as process:
        wait_until(webhook.holding)
        process.kill()  # kill -9 in the middle of a delivery
        process.wait(timeout=30)
    webhook.release()  # the hanging request ends unacknowledged: it was not delivered
    queued = _query(tmp_path, "SELECT count(*) FROM alert_deliveries")[0][0]
    assert queued >= 1
    assert _query(tmp_path, "SELECT count(*) FROM alert_deliveries WHERE state = 'sending'")[0][0]
    with daemon(cli, webhook) as process:
        wait_until(lambda: len(webhook.received()) >= queued)
        time.sleep(4)  # no late duplicates
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    texts = Counter(p["text"] for p in webhook.received())
    assert len(texts) == queued and set(texts.values()) == {1}
    states = _query(tmp_path, "SELECT state, count(*) FROM alert_deliveries GROUP BY state")
    assert states == [("sent", queued)]


@contextmanager
def slow_server(delay: float) -> Iterator[str]:
    """tests/slow_site.py, answering every request after `delay` seconds."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.slow_site", str(delay)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    try:
        yield f"http://127.0.0.1:{int(process.stdout.readline())}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def slow_site() -> Iterator[str]:
    """Every answer takes 60 s (within the crawler's 120 s timeout)."""
    with slow_server(60) as base:
        yield base


def _slow_sources(base: str, count: int) -> str:
    return "".join(
        f'\n[[source]]\nname = "slow{k}"\nfeeds = ["{base}/feed-{k}.rss"]\nevery = "1h"\n'
        for k in range(count)
    )


def _held(base: str) -> int:
    """Requests the slow site is holding: a slow crawl still running."""
    with urllib.request.urlopen(f"{base}/_open", timeout=10) as response:
        return int(response.read())


BAD_SUBSCRIPTIONS = (
    '\n[[subscriptions]]\nname = "nobody"\nemail = "a@example.jp"\nentities = ["不存在公司"]\n'
    '\n[[subscriptions]]\nname = "typo"\nemial = "a@example.jp"\n'
)


@pytest.mark.slow
def test_daemon_alerts_while_slow_crawls_run_and_bad_subscriptions_are_skipped(
    tmp_path: Path, news_site: NewsSite, webhook: Webhook, slow_site: str
) -> None:
    cli = _config(
        tmp_path,
        news_site,
        webhook,
        None,
        extra_sources=_slow_sources(slow_site, 2),
        extra_config="concurrent_crawls = 3\n",
    )
    with (tmp_path / "aiwatch.toml").open("a") as config:
        config.write(BAD_SUBSCRIPTIONS)  # after init: a hand-edited config
    with daemon(cli, webhook) as process:
        wait_until(lambda: _initial_alerts_sent(tmp_path))
        wait_until(lambda: _held(slow_site) > 0)  # crawls start staggered over their interval
        news_site.publish("/zh/1.html")
        wait_until(lambda: _glm5([p["text"] for p in webhook.received()]) == 1)
        assert _held(slow_site) > 0  # the slow crawls are still running
        status = cli("status")
        assert status.code == 0
        assert "subscription skipped: subscription 'nobody': unknown entity" in status.out
        assert "subscription 'typo': unknown setting 'emial' (did you mean 'email'?)" in status.out
        process.send_signal(signal.SIGTERM)  # mid-crawl: the crawls stop, then the daemon
        assert process.wait(timeout=90) == 0
    stderr = (tmp_path / "daemon.log").read_text()
    assert "Traceback" not in stderr, stderr[stderr.find("Traceback") - 300 :][:3000]
    assert stderr.count("subscription skipped: subscription 'nobody'") == 1  # once, not per run


def test_daemon_sigterm_with_jobs_queued_stops_cleanly(
    tmp_path: Path, news_site: NewsSite, webhook: Webhook
) -> None:
    sources = "".join(
        f'\n[[source]]\nname = "copy{k}"\nfeeds = ["{news_site.base}/feed.rss"]\nevery = "1m"\n'
        for k in range(12)
    )
    cli = _config(
        tmp_path,
        news_site,
        webhook,
        None,
        extra_sources=sources,
        extra_config="concurrent_crawls = 1\n",
    )
    with daemon(cli, webhook) as process:
        wait_until(lambda: _query(tmp_path, "SELECT count(*) FROM crawl_runs")[0][0] > 0)
        process.send_signal(signal.SIGTERM)  # 12 crawls still queued behind the first
        assert process.wait(timeout=120) == 0
    stderr = (tmp_path / "daemon.log").read_text()
    assert "Traceback" not in stderr and "cannot schedule" not in stderr
    assert "aiwatch daemon stopped" in stderr
    crawled = _query(tmp_path, "SELECT count(*) FROM job_runs WHERE job LIKE 'crawl:%'")[0][0]
    assert crawled < 13  # the queued ones were dropped, not run before exiting


def test_run_once_ctrl_c_mid_crawl_aborts_without_traceback(
    tmp_path: Path, news_site: NewsSite, webhook: Webhook
) -> None:
    with slow_server(15) as slow_site:  # Scrapy's graceful stop lets requests in flight end
        _ctrl_c_mid_crawl(tmp_path, news_site, webhook, slow_site)


def _ctrl_c_mid_crawl(
    tmp_path: Path, news_site: NewsSite, webhook: Webhook, slow_site: str
) -> None:
    cli = _config(tmp_path, news_site, webhook, None, extra_sources=_slow_sources(slow_site, 1))
    env = {**os.environ, "AIWATCH_CONFIG": str(cli.config), "TEST_SLACK_HOOK": webhook.url}
    process = subprocess.Popen(
        [sys.executable, "-m", "aiwatch", "run", "--once"],
        env=env,
        text=True,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, like a terminal's foreground job
        # ... whose Ctrl-C is not ignored: a test run started in the background by a
        # non-interactive shell (`pytest &`) ignores SIGINT, and children inherit that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        wait_until(lambda: _held(slow_site) > 0)  # crawling the slow site
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the command and its crawl
        _out, stderr = process.communicate(timeout=150)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130 and "Aborted." in stderr
    assert "Traceback" not in stderr, stderr

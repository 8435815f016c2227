"""Honest crawl status: a crawl in which every source fails exits 1, each failed source is
one log line with its reason, and `aiwatch status` shows each source's last result and
each job's last error."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from tests.conftest import Cli, NewsSite
from tests.crawler.test_crawl import _setup

REFUSED = "Connection was refused"
MIXED_SOURCES = """
[[source]]
name = "good"
feeds = ["{base}/feed.rss"]

[[source]]
name = "half"
feeds = ["{base}/hostile/partial.rss"]

[[source]]
name = "bad-selector"
listings = [{{ url = "{base}/listing.html", link_selector = "li[[" }}]

[[source]]
name = "not-a-url"
feeds = ["feed.rss"]
"""


@pytest.fixture
def dead_base() -> str:
    """A 127.0.0.1 address where nothing listens (the port was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _dead_sources(dead_base: str, names: list[str]) -> str:
    return "".join(
        f'\n[[source]]\nname = "{name}"\nfeeds = ["{dead_base}/{name}.rss"]\n'
        f'sitemaps = ["{dead_base}/{name}-sitemap.xml"]\n'
        for name in names
    )


def test_crawl_every_source_failing_exits_1_one_log_line_each(
    tmp_path: Path, news_site: NewsSite, dead_base: str
) -> None:
    cli = _setup(tmp_path, news_site, _dead_sources(dead_base, ["dead-a", "dead-b"]))
    result = cli("crawl", "--json")
    assert result.code == 1
    summary = {row["source"]: row for row in json.loads(result.out)}
    for name in ("dead-a", "dead-b"):
        row = summary[name]
        assert row["status"] == "failed" and row["errors"] == 2, row
        assert REFUSED in row["reason"] and f"{dead_base}/{name}.rss" in row["reason"]
        lines = [line for line in result.err.splitlines() if f"source={name} " in line]
        assert len(lines) == 1, lines  # not one per retry, robots.txt and entry point
        assert "source failed" in lines[0] and REFUSED in lines[0]
    assert "Error: all 2 source(s) failed" in result.err


def test_status_shows_each_source_last_result(
    tmp_path: Path, news_site: NewsSite, dead_base: str
) -> None:
    cli = _setup(tmp_path, news_site, MIXED_SOURCES + _dead_sources(dead_base, ["dead"]))
    assert cli("crawl").code == 0  # some sources worked
    status = cli("status", "--json")
    assert status.code == 0, status.err
    rows = {row["source"]: row for row in json.loads(status.out)["sources"]}
    assert rows["good"]["status"] == "ok" and rows["good"]["reason"] is None
    assert rows["good"]["new"] == 3
    assert rows["half"]["status"] == "partial" and rows["half"]["new"] == 1
    assert "HTTP 404" in rows["half"]["reason"] and "/hostile/gone.html" in rows["half"]["reason"]
    # an exception in the spider (a selector that is not CSS) is counted, and says what
    assert rows["bad-selector"]["status"] == "failed" and rows["bad-selector"]["errors"] == 1
    assert "SelectorSyntaxError" in rows["bad-selector"]["reason"]
    assert rows["dead"]["status"] == "failed" and REFUSED in rows["dead"]["reason"]
    assert rows["not-a-url"]["status"] == "failed" and "feed.rss" in rows["not-a-url"]["reason"]
    table = cli("status")
    assert table.code == 0 and "partial" in table.out and "failed" in table.out


def test_run_once_with_every_source_failing_exits_1_and_status_keeps_the_error(
    tmp_path: Path, news_site: NewsSite, dead_base: str
) -> None:
    cli: Cli = _setup(tmp_path, news_site, _dead_sources(dead_base, ["dead"]))
    once = cli("run", "--once")
    assert once.code == 1
    assert "Error: all 1 source(s) failed; dead:" in once.err
    assert "process:" in once.out  # the other steps of the cycle still ran
    jobs = {job["job"]: job for job in json.loads(cli("status", "--json").out)["jobs"]}
    crawl = jobs["crawl:all"]
    assert crawl["status"] == "failed" and REFUSED in crawl["error"]
    assert crawl["last_error"]["error"] == crawl["error"]
    assert crawl["result"]["failed_sources"] == ["dead"]

"""Alerts follow events, end to end: the labelled corpus (tests/corpus) served as a local news
site, `aiwatch run --once` with a real SMTP server; one alert per real-world event, and a
second run sends nothing again."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from tests.conftest import Cli, SmtpServer
from tests.newssite.articles import Page
from tests.newssite.server import article_html, rss

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "articles.yaml"


def _pages() -> tuple[list[Page], set[tuple[str | None, ...]]]:
    """The corpus's Japanese and Chinese articles as pages, and their real events."""
    pages, events = [], set()
    for item in yaml.safe_load(CORPUS.read_text(encoding="utf-8")):
        if item["lang"] not in ("ja", "zh-Hans", "zh-Hant"):
            continue
        paragraphs = tuple(p for p in item["body"].split("\n") if p.strip())
        pages.append(
            Page(
                f"/a/{item['id']}.html",
                item["lang"],
                "utf-8",
                "utf-8",
                item["title"],
                paragraphs,
                item["published"],
            )
        )
        for e in item.get("events") or []:
            events.add((e["type"], e.get("model") or e.get("law"), e.get("stage")))
    return pages, events


@pytest.fixture
def corpus_site() -> Iterator[tuple[str, set[tuple[str | None, ...]]]]:
    pages, events = _pages()
    by_path = {p.path: p for p in pages}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            if self.path == "/feed.rss":
                status, kind, body = 200, "application/xml", rss(base, list(by_path))
            elif self.path in by_path:
                status, kind, body = (
                    200,
                    "text/html; charset=utf-8",
                    article_html(by_path[self.path], base),
                )
            else:
                status, kind, body = 404, "text/plain", b"not found"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", events
    server.shutdown()
    server.server_close()


def _count(db: Path, sql: str) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return int(conn.execute(sql).fetchone()[0])


@pytest.mark.slow
def test_one_alert_per_real_event_and_none_repeated(
    tmp_path: Path, corpus_site: tuple[str, set[tuple[str | None, ...]]], smtp_server: SmtpServer
) -> None:
    base, real_events = corpus_site
    (tmp_path / "sources.toml").write_text(
        f'[[source]]\nname = "corpus"\nfeeds = ["{base}/feed.rss"]\n'
    )
    (tmp_path / "aiwatch.toml").write_text(
        "[crawler]\ndownload_delay = 0\nautothrottle = false\ntimeout = 120\n"
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_server.port}\n'
        '\n[[subscriptions]]\nname = "team"\nemail = "team@example.jp"\n'
    )
    cli = Cli(tmp_path / "aiwatch.toml")
    assert cli("init").code == 0
    first = cli("run", "--once")
    assert first.code == 0, first.err[-2000:]
    db = tmp_path / "aiwatch.db"
    events = _count(db, "SELECT count(*) FROM events")
    first_alerts = _count(
        db, "SELECT count(*) FROM alert_deliveries WHERE state = 'sent' AND revision = 0"
    )
    sent = len(smtp_server.messages)
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        keys = sorted(k for (k,) in conn.execute("SELECT key FROM events"))
    assert events == len(real_events), (keys, sorted(map(str, real_events)))
    assert first_alerts == events
    texts = [m.get_body(preferencelist=("plain",)).get_content() for m in smtp_server.messages]
    assert all("判定根拠" in t for t in texts)  # every alert says why it is an event
    story_id = _count(db, "SELECT min(story_id) FROM events")
    story = cli("story", str(story_id), "--events", "--json")
    shown = json.loads(story.out)
    assert story.code == 0 and shown and all(e["decision"] and e["evidence"] for e in shown)
    assert sent == _count(db, "SELECT count(*) FROM alert_deliveries WHERE state = 'sent'")
    again = cli("run", "--once")
    assert again.code == 0, again.err[-2000:]
    assert len(smtp_server.messages) == sent

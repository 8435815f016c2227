"""`aiwatch demo`: the bundled demo corpus served on 127.0.0.1 as a small news site with an
RSS feed, and one full cycle into a fresh store in a temporary directory."""

from __future__ import annotations

import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from typing import Any

import yaml


def demo_articles() -> list[dict[str, Any]]:
    return yaml.safe_load(files("seeds").joinpath("demo/articles.yaml").read_text("utf-8"))


def _page(article: dict[str, Any]) -> bytes:
    paragraphs = "".join(
        f"<p>{html.escape(line)}</p>" for line in article["body"].splitlines() if line.strip()
    )
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(article["title"])}'
        f'</title><meta property="article:published_time" content="{article["published"]}">'
        f'</head><body><nav><a href="/">aiwatch demo</a></nav><article><h1>'
        f"{html.escape(article['title'])}</h1>{paragraphs}</article>"
        f"<footer>aiwatch demo site</footer></body></html>"
    ).encode()


def _feed(base: str, articles: list[dict[str, Any]]) -> bytes:
    items = "".join(
        f"<item><title>{html.escape(a['title'])}</title><link>{base}{a['path']}</link></item>"
        for a in articles
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>aiwatch demo</title>{items}</channel></rss>"
    ).encode()


def serve_demo_site() -> tuple[ThreadingHTTPServer, str]:
    """Start the demo site on a free port of 127.0.0.1; returns (server, base URL)."""
    articles = {a["path"]: a for a in demo_articles()}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            base = f"http://{self.headers['Host']}"
            if self.path == "/feed.rss":
                body, kind = _feed(base, list(articles.values())), "application/rss+xml"
            elif self.path in articles:
                body, kind = _page(articles[self.path]), "text/html; charset=utf-8"
            elif self.path == "/robots.txt":
                body, kind = b"User-agent: *\nAllow: /\n", "text/plain"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"

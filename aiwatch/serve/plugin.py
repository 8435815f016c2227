"""aiwatch's Datasette plugin: the Atom feed of events at /-/aiwatch/events.atom
(?subscription=NAME) and stable story links at /-/aiwatch/story/N. It reads the store
through the config the server was started with, read-only."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from alerts.feed import atom, store_entries


@cache
def _app(config_path: str) -> Any:
    from aiwatch.app import App

    return App(Path(config_path))


def _settings(datasette: Any) -> dict[str, Any]:
    return datasette.plugin_config("aiwatch") or {}


async def events_feed(datasette: Any, request: Any) -> Response:
    from aiwatch.settings import display

    settings = _settings(datasette)
    app = _app(settings["config"])
    subscription = request.args.get("subscription") or None
    zone = display(app.config).zone
    with app.reader() as session:
        entries = store_entries(session, zone, subscription)
    title = f"aiwatch: {subscription}" if subscription else "aiwatch: all events"
    feed_id = f"tag:aiwatch,2026:subscription/{subscription or '*'}"
    body = atom(entries, title=title, feed_id=feed_id, self_url=str(request.url))
    return Response(body, content_type="application/atom+xml; charset=utf-8")


async def story_page(datasette: Any, request: Any) -> Response:
    story_id = request.url_vars["story_id"]
    database = _settings(datasette).get("database")
    if not database:
        raise NotFound("no store")
    return Response.redirect(f"/{database}/story?story_id={story_id}")


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/-/aiwatch/events\.atom$", events_feed),
        (r"^/-/aiwatch/story/(?P<story_id>\d+)$", story_page),
    ]

"""aiwatch's Datasette plugin: the Atom feed of events at /-/aiwatch/events.atom
(?subscription=NAME) and stable story links at /-/aiwatch/story/N. It reads the store
through the config the server was started with, read-only.

It also guards every request: only GET and HEAD are answered (405 otherwise: nothing served
takes input to act on, and Datasette answered a POST to a query with a 500), and a server
listening on a loopback address answers only requests that name a loopback host, so that a
web page elsewhere cannot read the store through a DNS name pointed at 127.0.0.1 (DNS
rebinding)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import cache
from ipaddress import ip_address
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


READ_METHODS = ("GET", "HEAD")
LOOPBACK_NAMES = ("localhost",)
Asgi = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[Asgi], Asgi]:
    loopback_only = _is_loopback(_settings(datasette).get("host", "127.0.0.1"))

    def wrap(app: Asgi) -> Asgi:
        async def guarded(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                refusal = _refusal(scope, loopback_only)
                if refusal is not None:
                    await refusal.asgi_send(send)
                    return
            await app(scope, receive, send)

        return guarded

    return wrap


def _refusal(scope: dict[str, Any], loopback_only: bool) -> Response | None:
    if scope["method"] not in READ_METHODS:
        response = Response.text(
            f"aiwatch serve is read-only: {scope['method']} is not answered, GET is", status=405
        )
        response.headers["Allow"] = ", ".join(READ_METHODS)
        return response
    host = _host(scope)
    if loopback_only and host is not None and not _is_loopback(host):
        return Response.text(
            f"aiwatch serve listens on a loopback address and answers only requests for "
            f"localhost or 127.0.0.1, not for {host!r}",
            status=403,
        )
    return None


def _host(scope: dict[str, Any]) -> str | None:
    """The host the request names (its Host header without the port), or None."""
    value = dict(scope.get("headers") or []).get(b"host")
    if value is None:
        return None
    host = value.decode("latin-1").strip()
    if host.startswith("["):  # [::1]:8001
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False

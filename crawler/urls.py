"""Canonical URLs: the same article reached through different links is one URL.

The tracking parameters dropped are data: seeds/tracking_params.txt.
"""

from __future__ import annotations

import functools
from importlib.resources import files
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


@functools.cache
def tracking_params() -> tuple[frozenset[str], tuple[str, ...]]:
    """(names, prefixes) from seeds/tracking_params.txt, lowercased."""
    text = files("seeds").joinpath("tracking_params.txt").read_text(encoding="utf-8")
    entries = [line.strip().lower() for line in text.splitlines()]
    entries = [entry for entry in entries if entry and not entry.startswith("#")]
    names = frozenset(entry for entry in entries if not entry.endswith("*"))
    prefixes = tuple(entry[:-1] for entry in entries if entry.endswith("*"))
    return names, prefixes


def is_tracking(name: str) -> bool:
    names, prefixes = tracking_params()
    key = name.lower()
    return key in names or key.startswith(prefixes)


def canonicalize(url: str) -> str:
    """Lowercase scheme and host, drop the fragment, default ports and tracking parameters,
    keep the order of the other parameters."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not (
        (parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)
    ):
        host = f"{host}:{port}"
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking(k)
    ]
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", urlencode(query), ""))

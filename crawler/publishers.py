"""Publishers are data: one TOML record per publisher in seeds/publishers/ (fundus style).

A record names the publisher, its domains, language and time zone, its feeds and sitemaps,
and, where the generic extractor gets the site wrong, rules that say where the title, the
body paragraphs, the date and the authors are (a CSS selector, an XPath, a meta tag or a
JSON-LD key). The format is described in seeds/publishers/README.md.
"""

from __future__ import annotations

import functools
import html
import re
import tomllib
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from crawler.markup import Markup, clean_text, element_lines, element_text

LANGS = ("ja", "zh-Hans", "zh-Hant", "en")
RULE_FIELDS = ("title", "paragraphs", "date", "authors")
_EXSLT = {"re": "http://exslt.org/regular-expressions"}


class PublisherError(ValueError):
    """A publisher record is incomplete or wrong."""


@dataclass(frozen=True)
class Rule:
    """Where one field is on the page: exactly one of css, xpath, meta or jsonld; then
    `strip` (a regular expression removed from each value), `split` (one between several
    values, for authors) and `breaks` (each <br>-separated line is its own paragraph)."""

    css: str | None = None
    xpath: str | None = None
    meta: str | None = None
    jsonld: str | None = None
    strip: str | None = None
    split: str | None = None
    breaks: bool = False
    _select: Any = field(default=None, compare=False, repr=False)

    @classmethod
    def parse(cls, where: str, raw: Any) -> Rule:
        if not isinstance(raw, dict):
            raise PublisherError(f'{where}: a rule is a table like {{ css = "..." }}')
        try:
            rule = cls(**raw)
        except TypeError as exc:
            raise PublisherError(f"{where}: {exc}") from None
        kinds = [k for k in ("css", "xpath", "meta", "jsonld") if getattr(rule, k)]
        if len(kinds) != 1:
            raise PublisherError(f"{where}: give exactly one of css, xpath, meta, jsonld")
        try:
            select = CSSSelector(rule.css) if rule.css else None
            select = etree.XPath(rule.xpath, namespaces=_EXSLT) if rule.xpath else select
            for pattern in (rule.strip, rule.split):
                re.compile(pattern or "")
        except (etree.XPathSyntaxError, SyntaxError, re.error) as exc:
            raise PublisherError(f"{where}: {exc}") from None
        object.__setattr__(rule, "_select", select)
        return rule

    def values(self, markup: Markup) -> list[str]:
        """The field's values on the page, cleaned, in document order."""
        if self.meta:
            raw = [markup.meta.get(self.meta.lower(), "")]
        elif self.jsonld:
            raw = [name for value in markup.jsonld_values(self.jsonld) for name in _names(value)]
        else:
            raw = []
            for found in self._select(markup.tree):
                if isinstance(found, HtmlElement):
                    raw.extend(element_lines(found) if self.breaks else [element_text(found)])
                else:
                    raw.append(str(found))
        if self.strip:
            raw = [re.sub(self.strip, "", value) for value in raw]
        if self.split:
            raw = [part for value in raw for part in re.split(self.split, value)]
        return [text for value in raw if (text := clean_text(value))]


def _names(value: Any) -> list[str]:
    """A JSON-LD value as text: a string, the `name` of an object, each item of a list."""
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    if isinstance(value, dict):
        return _names(value.get("name")) if "name" in value else []
    return [html.unescape(str(value))] if value not in (None, "") else []


@dataclass(frozen=True)
class Publisher:
    key: str  # the record's file name without .toml; sources refer to it
    name: str
    domains: tuple[str, ...]
    language: str
    timezone: str
    site_names: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    verified: bool = False  # True: the rules were checked against a stored page
    note: str = ""
    rules: dict[str, Rule] = field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def values(self, field_name: str, markup: Markup) -> list[str]:
        rule = self.rules.get(field_name)
        return rule.values(markup) if rule else []


def parse_publisher(key: str, raw: dict[str, Any], where: str) -> Publisher:
    raw = dict(raw)
    rules = raw.pop("rules", {})
    unknown = set(rules) - set(RULE_FIELDS)
    if unknown:
        raise PublisherError(f"{where}: unknown rule(s) {', '.join(sorted(unknown))}")
    parsed = {name: Rule.parse(f"{where}: rules.{name}", rule) for name, rule in rules.items()}
    try:
        publisher = Publisher(
            key=key,
            rules=parsed,
            **{k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()},
        )
    except TypeError as exc:
        raise PublisherError(f"{where}: {exc}") from None
    if not publisher.domains:
        raise PublisherError(f"{where}: a publisher needs at least one domain")
    if publisher.language not in LANGS:
        raise PublisherError(f"{where}: language must be one of {', '.join(LANGS)}")
    try:
        ZoneInfo(publisher.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise PublisherError(f"{where}: unknown time zone {publisher.timezone!r}") from None
    return publisher


def load_publishers(directory: Path) -> dict[str, Publisher]:
    """Every record in `directory`, by key."""
    found = {}
    for path in sorted(directory.glob("*.toml")):
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise PublisherError(f"{path}: not valid TOML: {exc}") from None
        found[path.stem] = parse_publisher(path.stem, raw, str(path))
    return found


@functools.cache
def bundled() -> dict[str, Publisher]:
    """The records shipped in seeds/publishers/, loaded once per process."""
    return load_publishers(Path(str(files("seeds").joinpath("publishers"))))


@functools.cache
def _by_domain() -> dict[str, Publisher]:
    return {domain: p for p in bundled().values() for domain in p.domains}


def publisher_for(url: str | None) -> Publisher | None:
    """The publisher whose domain is the URL's host or the nearest parent of it
    (xtech.nikkei.com is Nikkei xTECH, not Nikkei)."""
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    domains = _by_domain()
    while host:
        if host in domains:
            return domains[host]
        host = host.partition(".")[2]
    return None

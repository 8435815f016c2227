"""What a page says about itself: meta tags, JSON-LD objects, headings, text of elements.

Parsed once per page and shared by the title, date, author and publisher-rule code, so
that none of them walks the tree again for the same tags.
"""

from __future__ import annotations

import copy
import html
import json
import re
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from lxml.html import HtmlElement

_SPACE = re.compile(r"[ \t\r\n\f\v]+")
_EDGE = " \t\r\n\f\v\u3000\ufeff\u200b\xa0"
_BREAK = "\ue000"  # (private use) stands for a <br> while an element's text is read line by line
ARTICLE_TYPES = {"Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle", "WebPage"}


def clean_text(text: str) -> str:
    """Runs of ASCII whitespace become one space; the ideographic space inside a Japanese
    headline stays, at the edges it goes (with byte-order marks and zero-width spaces)."""
    return _SPACE.sub(" ", text).strip(_EDGE)


def element_text(element: HtmlElement) -> str:
    return clean_text(element.text_content())


def element_lines(element: HtmlElement) -> list[str]:
    """The element's text split at its <br> tags: one paragraph per line."""
    element = copy.deepcopy(element)
    for br in element.iter("br"):
        br.tail = _BREAK + (br.tail or "")
    return [line for part in element.text_content().split(_BREAK) if (line := clean_text(part))]


class Markup:
    def __init__(self, tree: HtmlElement) -> None:
        self.tree = tree

    @cached_property
    def meta(self) -> dict[str, str]:
        """First content of each <meta> by lower-cased property, name or itemprop."""
        found: dict[str, str] = {}
        for tag in self.tree.iter("meta"):
            content = tag.get("content")
            if content is None:
                continue
            for attribute in ("property", "name", "itemprop"):
                key = tag.get(attribute)
                if key:
                    found.setdefault(key.strip().lower(), html.unescape(content).strip())
        return found

    @cached_property
    def jsonld(self) -> list[dict[str, Any]]:
        """Every JSON-LD object of the page, @graph members included, outermost first."""
        objects: list[dict[str, Any]] = []
        for script in self.tree.iter("script"):
            if (script.get("type") or "").strip().lower() != "application/ld+json":
                continue
            try:
                data = json.loads(script.text or "")
            except ValueError:
                continue
            pending = data if isinstance(data, list) else [data]
            for item in pending:
                if isinstance(item, dict):
                    objects.append(item)
                    graph = item.get("@graph")
                    if isinstance(graph, list):
                        pending.extend(graph)
        return objects

    def jsonld_values(self, key: str) -> Iterator[Any]:
        """Values of `key` in the JSON-LD objects, breadth first (the article's own
        fields before those of nested objects)."""
        queue: list[Any] = list(self.jsonld)
        while queue:
            item = queue.pop(0)
            if isinstance(item, dict):
                if key in item:
                    yield item[key]
                queue.extend(v for k, v in item.items() if k != key and k != "@graph")
            elif isinstance(item, list):
                queue.extend(item)

    @cached_property
    def article(self) -> dict[str, Any] | None:
        """The page's Article object in JSON-LD, if it has one."""
        for item in self.jsonld:
            kind = item.get("@type")
            kinds = set(kind) if isinstance(kind, list) else {kind}
            if kinds & ARTICLE_TYPES and isinstance(item.get("headline"), str):
                return item
        return None

    @cached_property
    def title(self) -> str:
        element = self.tree.find(".//title")
        return element_text(element) if element is not None else ""

    @cached_property
    def h1s(self) -> list[str]:
        return [text for h1 in self.tree.iter("h1") if (text := element_text(h1))]

    @cached_property
    def site_names(self) -> set[str]:
        """Names the page gives its site: og:site_name, application-name, the publisher
        (and an organization author) in JSON-LD."""
        names = {self.meta.get("og:site_name", ""), self.meta.get("application-name", "")}
        for key in ("publisher", "author", "sourceOrganization"):
            for value in self.jsonld_values(key):
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, dict) and item.get("@type") == "Organization":
                        names.add(str(item.get("name") or ""))
        return {clean_text(html.unescape(name)) for name in names if name.strip()}

    def link(self, rel: str) -> str | None:
        for tag in self.tree.iter("link"):
            if rel in (tag.get("rel") or "").lower().split() and tag.get("href"):
                return str(tag.get("href")).strip()
        return None

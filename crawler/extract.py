"""An HTML page to an article: main text, title, authors, publication time with its zone.

A page of a known publisher (seeds/publishers/, see crawler.publishers) is read with that
publisher's rules: the body is the paragraphs its selector finds, and the date and the
authors come from where its rules say. Wherever a rule is missing or finds nothing,
trafilatura finds the main text and drops navigation, related links and comments. Dates
come from the page's own markup (crawler.dates); a time without a zone is read in the
publisher's zone, or else in that of the page's language (JST for Japanese, China time
for Chinese). Titles lose the site's name (crawler.titles).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo

import trafilatura
from lxml.html import HtmlElement
from trafilatura.deduplication import LRUCache
from trafilatura.metadata import (
    examine_meta,
    extract_author,
    extract_meta_json,
    find_date,  # htmldate's, as trafilatura calls it
)
from trafilatura.settings import LRU_SIZE, Extractor, set_date_params
from trafilatura.utils import load_html

from crawler.dates import parse_datetime, published_at
from crawler.lang import detect
from crawler.markup import Markup
from crawler.publishers import Publisher, bundled, publisher_for
from crawler.titles import page_title

JST = timezone(timedelta(hours=9), "JST")
CST = timezone(timedelta(hours=8), "CST")
MIN_BODY_CHARS = 40
_RUBY = re.compile(r"<(rt|rp)\b[^>]*>.*?</\1\s*>|</?(?:ruby|rb)\b[^>]*>", re.I | re.S)


@dataclass(frozen=True)
class Extracted:
    title: str
    body: str
    authors: tuple[str, ...]
    published_at: datetime | None
    lang: str
    page_title: str = ""  # the page's <title> as it stands, for learning the site's name
    publisher: str | None = None  # the publisher record whose rules read the page

    @property
    def author(self) -> str | None:
        return ", ".join(self.authors) or None


def local_zone(lang: str | None) -> timezone:
    return JST if lang == "ja" else CST


def extract(
    page: str, url: str, lang_hint: str | None = None, publisher_hint: str | None = None
) -> Extracted | None:
    """The article in `page`, or None when it has no main text (an index page, an error).

    The publisher is the one of the URL's domain, else of the page's canonical link or
    og:url, else `publisher_hint` (the source's)."""
    page = _RUBY.sub("", page)
    tree = load_html(page)
    if tree is None:
        return None
    markup = Markup(tree)
    publisher = (
        publisher_for(url)
        or publisher_for(markup.link("canonical"))
        or publisher_for(markup.meta.get("og:url"))
        or bundled().get(publisher_hint or "")
    )
    paragraphs = publisher.values("paragraphs", markup) if publisher else []
    body = "\n".join(paragraphs)
    if len(body) < MIN_BODY_CHARS:
        body = _main_text(tree, url)
    if len(body) < MIN_BODY_CHARS:
        return None
    rule_titles = publisher.values("title", markup) if publisher else []
    site_names = (*publisher.site_names, publisher.name) if publisher else ()
    title = page_title(markup, site_names, rule_titles[0] if rule_titles else None)
    # a record covers one language: an edition in another has a record of its own
    lang = publisher.language if publisher else detect(f"{title}\n{body}")
    zone: tzinfo = (
        publisher.zone if publisher else local_zone(lang if lang != "other" else lang_hint)
    )
    dates = publisher.values("date", markup) if publisher else []
    published = published_at(markup, page, zone, dates)
    if published is None:
        found = find_date(tree, **set_date_params(True))
        parsed = parse_datetime(found, zone) if found else None
        published = parsed[0] if parsed else None
    authors = _authors(tree, publisher, markup)
    return Extracted(
        title, body, authors, published, lang, markup.title, publisher.key if publisher else None
    )


def _main_text(tree: HtmlElement, url: str) -> str:
    """trafilatura's main text of the page's tree (it works on a copy: the tree is not
    parsed a second time, and stays as it was for the title, date and author rules)."""
    options = copy.copy(_options())  # as trafilatura varies its own options
    options.url = options.source = url
    options.dedup = LRUCache(maxsize=LRU_SIZE)  # per page: no state carried across pages
    doc = trafilatura.bare_extraction(tree, options=options)
    return (doc.text or "").strip() if doc is not None else ""


@functools.cache
def _options() -> Extractor:
    """trafilatura's options for the main text, built once per process: reading them from
    its configuration took a tenth of a millisecond a page."""
    return Extractor(
        output_format="python",
        with_metadata=False,  # see _authors
        comments=False,
        tables=False,
        precision=True,
        fast=True,  # no second opinion from readability/jusText: twice as fast, same text here
    )


def _authors(tree: HtmlElement, publisher: Publisher | None, markup: Markup) -> tuple[str, ...]:
    """The publisher's author rule, or where it finds none trafilatura's author, found the
    way its own metadata step finds it, without the rest of that step (site name,
    categories, tags, licence, a date search): a third of the extraction time."""
    found = publisher.values("authors", markup) if publisher else []
    if found:
        return tuple(dict.fromkeys(found))
    meta = examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None  # trafilatura's rule for author meta tags
    with contextlib.suppress(Exception):  # as trafilatura guards its JSON-LD reader
        meta = extract_meta_json(tree, meta)
    author = meta.author or extract_author(tree)
    return (author,) if author else ()

"""An HTML page to an article: main text, title, author, publication time with its zone.

trafilatura finds the main text and drops navigation, related links and comments. Dates
come from the page's own machine-readable markup first, because trafilatura keeps only the
day; a time without a zone is read in the zone of the page's language (JST for Japanese,
China time for Chinese).
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import trafilatura
from lxml.html import HtmlElement
from trafilatura.metadata import (
    examine_meta,
    extract_author,
    extract_meta_json,
    extract_title,
    find_date,  # htmldate's, as trafilatura calls it
)
from trafilatura.settings import set_date_params
from trafilatura.utils import load_html

from crawler.lang import detect

JST = timezone(timedelta(hours=9), "JST")
CST = timezone(timedelta(hours=8), "CST")
MIN_BODY_CHARS = 40
_RUBY = re.compile(r"<(rt|rp)\b[^>]*>.*?</\1\s*>|</?(?:ruby|rb)\b[^>]*>", re.I | re.S)
_DATE_META = re.compile(
    r"""<meta[^>]+(?:property|name|itemprop)\s*=\s*["'](?:article:published_time|"""
    r"""og:published_time|pubdate|publishdate|date|datePublished|dc\.date)["'][^>]*>""",
    re.I,
)
_CONTENT = re.compile(r"""content\s*=\s*["']([^"']+)["']""", re.I)
_TIME_TAG = re.compile(r"""<time[^>]+datetime\s*=\s*["']([^"']+)["']""", re.I)
_JSON_LD = re.compile(r"""<script[^>]+application/ld\+json[^>]*>(.*?)</script>""", re.I | re.S)
_CJK_DATE = re.compile(
    r"(\d{4})\s*[年/\-.]\s*(\d{1,2})\s*[月/\-.]\s*(\d{1,2})\s*日?"
    r"(?:\s*(\d{1,2})\s*[:時]\s*(\d{2}))?"
)


@dataclass(frozen=True)
class Extracted:
    title: str
    body: str
    author: str | None
    published_at: datetime | None
    lang: str


def local_zone(lang: str | None) -> timezone:
    return JST if lang == "ja" else CST


def parse_datetime(value: str, zone: timezone) -> datetime | None:
    """ISO 8601 or a CJK date (2026年3月16日 10:30); naive values are read in `zone`."""
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        match = _CJK_DATE.search(value)
        if not match:
            return None
        y, mo, d, h, mi = (int(g) if g else 0 for g in match.groups())
        try:
            parsed = datetime(y, mo, d, h, mi)
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def _published(page: str, zone: timezone) -> datetime | None:
    candidates: list[str] = []
    for tag in _DATE_META.findall(page):
        content = _CONTENT.search(tag)
        if content:
            candidates.append(content.group(1))
    for block in _JSON_LD.findall(page):
        try:
            data = json.loads(block)
        except ValueError:
            continue
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict) and isinstance(item.get("datePublished"), str):
                candidates.append(item["datePublished"])
    candidates.extend(_TIME_TAG.findall(page))
    for value in candidates:
        parsed = parse_datetime(value, zone)
        if parsed:
            return parsed
    return None


def extract(page: str, url: str, lang_hint: str | None = None) -> Extracted | None:
    """The article in `page`, or None when it has no main text (an index page, an error)."""
    page = _RUBY.sub("", page)
    doc = trafilatura.bare_extraction(
        page,
        url=url,
        with_metadata=False,  # see _title_and_author
        include_comments=False,
        include_tables=False,
        deduplicate=True,
        favor_precision=True,
        fast=True,  # no second opinion from readability/jusText: twice as fast, same text here
    )
    if doc is None:
        return None
    body = (doc.text or "").strip()
    if len(body) < MIN_BODY_CHARS:
        return None
    tree = load_html(page)
    title, author = _title_and_author(tree) if tree is not None else (None, None)
    title = (title or "").strip()
    lang = detect(f"{title}\n{body}")
    zone = local_zone(lang if lang != "other" else lang_hint)
    published = _published(page, zone)
    if published is None and tree is not None:
        found = find_date(tree, **set_date_params(True))
        published = parse_datetime(found, zone) if found else None
    return Extracted(title, body, author, published, lang)


def _title_and_author(tree: HtmlElement) -> tuple[str | None, str | None]:
    """trafilatura's title and author, the way its own metadata step finds them, without
    the rest of that step (site name, categories, tags, licence, a date search): a third
    of the extraction time. The date comes from the page's markup first (`_published`)."""
    meta = examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None  # trafilatura's rule for author meta tags
    with contextlib.suppress(Exception):  # as trafilatura guards its JSON-LD reader
        meta = extract_meta_json(tree, meta)
    return meta.title or extract_title(tree), meta.author or extract_author(tree)

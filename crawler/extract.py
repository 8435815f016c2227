"""An HTML page to an article: main text, title, author, publication time with its zone.

trafilatura finds the main text and drops navigation, related links and comments. Dates
come from the page's own machine-readable markup first, because trafilatura keeps only the
day; a time without a zone is read in the zone of the page's language (JST for Japanese,
China time for Chinese).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import trafilatura
from lxml import html as lxml_html

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
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        deduplicate=True,
        favor_precision=True,
        fast=True,  # no second opinion from readability/jusText: twice as fast, same text here
    )
    if doc is None:
        return None
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    body = (data.get("text") or "").strip()
    if len(body) < MIN_BODY_CHARS:
        return None
    title = (data.get("title") or _html_title(page) or "").strip()
    lang = detect(f"{title}\n{body}")
    zone = local_zone(lang if lang != "other" else lang_hint)
    published = _published(page, zone)
    if published is None and data.get("date"):
        published = parse_datetime(data["date"], zone)
    return Extracted(title, body, data.get("author") or None, published, lang)


def _html_title(page: str) -> str | None:
    try:
        tree = lxml_html.fromstring(page)
    except (ValueError, lxml_html.etree.ParserError):
        return None
    title = tree.findtext(".//title")
    return title.strip() if title else None

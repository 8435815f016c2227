"""When an article was published, from the page's own markup.

Pages state it several times and not equally well: a meta tag may hold only the day
(`2025-01-21`) while the JSON-LD holds the minute and the offset (`2025-01-21T20:50:32+09:00`),
or the only time is in the visible byline (`2024年04月24日23:52`). The first value found
decides the day; a value on the same day that also gives the time, and then the offset,
wins over it. A time without an offset is read in the publisher's time zone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, tzinfo
from enum import IntEnum

from crawler.markup import Markup

META_KEYS = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "published_at",
    "dc.date.issued",
    "dc.date",
    "date",
)
CJK_DATE = re.compile(
    r"(\d{4})\s*[年/\-.]\s*(\d{1,2})\s*[月/\-.]\s*(\d{1,2})\s*日?"
    r"(?:\s*(\d{1,2})\s*[:時]\s*(\d{2}))?"
)
_BODY = re.compile(r"<body\b", re.I)
_TAG = re.compile(r"<[^>]+>")


class Precision(IntEnum):
    DAY = 0
    TIME = 1  # a time of day without an offset
    OFFSET = 2


def parse_datetime(value: str, zone: tzinfo) -> tuple[datetime, Precision] | None:
    """ISO 8601 or a CJK date (2026年3月16日 10:30), with how much of it the page gave;
    values without an offset are read in `zone`."""
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        precision = Precision.DAY if len(value) <= 10 else Precision.TIME
    except ValueError:
        match = CJK_DATE.search(value)
        if not match:
            return None
        y, mo, d, h, mi = (int(g) if g else 0 for g in match.groups())
        try:
            parsed = datetime(y, mo, d, h, mi)
        except ValueError:
            return None
        precision = Precision.TIME if match.group(4) else Precision.DAY
    if parsed.tzinfo:
        return parsed, Precision.OFFSET
    return parsed.replace(tzinfo=zone), precision


def published_at(
    markup: Markup, page: str, zone: tzinfo, first: Iterable[str] = ()
) -> datetime | None:
    """The publication time: from `first` (a publisher's rule), the meta tags, JSON-LD
    and <time> elements in that order, refined by same-day values that say more."""
    candidates = [*first, *_markup_values(markup)]
    parsed = [p for value in candidates if (p := parse_datetime(value, zone))]
    if not parsed:
        return None
    best, precision = parsed[0]
    if precision == Precision.DAY:
        parsed.extend(p for value in _visible_times(page) if (p := parse_datetime(value, zone)))
    for value, rank in parsed[1:]:
        same = _local(value, zone)[: 3 if precision == Precision.DAY else 5]
        if rank > precision and same == _local(best, zone)[: len(same)]:
            best, precision = value, rank
    return best


def _markup_values(markup: Markup) -> list[str]:
    values = [markup.meta[key] for key in META_KEYS if markup.meta.get(key)]
    values += [v for v in markup.jsonld_values("datePublished") if isinstance(v, str)]
    values += [str(t.get("datetime")) for t in markup.tree.iter("time") if t.get("datetime")]
    return values


def _visible_times(page: str) -> list[str]:
    """Dates with a time of day in the page's text, as in a byline."""
    start = _BODY.search(page)
    text = _TAG.sub(" ", page[start.start() if start else 0 :])
    return [m.group(0) for m in CJK_DATE.finditer(text) if m.group(4)]


def _local(value: datetime, zone: tzinfo) -> tuple[int, ...]:
    """Year, month, day, hour and minute on the publisher's clock."""
    return tuple(value.astimezone(zone).timetuple()[:5])

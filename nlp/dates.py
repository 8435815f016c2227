"""Dates as reporters write them, resolved against the article's publication time.

`20日`, `上周一`, `先月`, `昨日`, `本月`, `今年3月`, `9月1日起`, `2025年1月1日`, `元旦`,
"on Monday", "last week", "Jan. 13" all name a day, a week or a month relative to when
(and in which time zone) the article was published: a Tokyo morning paper's `20日` is the
day before its date line. A date without a year takes the year that puts it nearest the
publication; a day of the month alone is the latest such day up to the publication.
Month-only dates stay month-only (`granularity`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

_KANJI = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_NUM = r"(\d{1,4}|[〇一二三四五六七八九十]{1,4})"
_WEEKDAYS_CJK = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEKDAYS_JA = {"月": 0, "火": 1, "水": 2, "木": 3, "金": 4, "土": 5, "日": 6}
_WEEKDAYS_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS_EN = (
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
)
_EN_YEAR = r"(?:,?\s*(\d{4}))?"
_MONTH_EN = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_YEAR_WORDS = r"(今年|本年|去年|昨年|前年|明年|来年)\s*"
_NO_DAY = r"(?!\s*[0-9〇一二三四五六七八九十]+\s*[日号])"
_YEAR_WORD = {"今年": 0, "本年": 0, "去年": -1, "昨年": -1, "前年": -2, "明年": 1, "来年": 1}
_REL_DAY = {
    "前天": -2,
    "一昨日": -2,
    "昨天": -1,
    "昨日": -1,
    "前日": -1,  # "前日に発表した": the day before the article's
    "前一天": -1,
    "今天": 0,
    "今日": 0,
    "本日": 0,
    "明天": 1,
    "明日": 1,
    "yesterday": -1,
    "today": 0,
    "tomorrow": 1,
}
_REL_WEEK = {"上周": -1, "上週": -1, "先週": -1, "本周": 0, "本週": 0, "今週": 0, "下周": 1}
_REL_WEEK.update({"下週": 1, "来週": 1, "last week": -1, "this week": 0, "next week": 1})
_REL_MONTH = {"上个月": -1, "上月": -1, "先月": -1, "本月": 0, "今月": 0, "这个月": 0}
_REL_MONTH.update({"下个月": 1, "来月": 1, "last month": -1, "this month": 0, "next month": 1})

PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("ymd", re.compile(rf"{_NUM}\s*年\s*{_NUM}\s*月\s*{_NUM}\s*[日号]")),
    (
        "ywd",
        re.compile(r"(今年|本年|去年|昨年|前年|明年|来年)\s*" + rf"{_NUM}\s*月\s*{_NUM}\s*[日号]"),
    ),
    (
        "ym",
        re.compile(rf"(\d{{4}})\s*年\s*{_NUM}\s*月(?!\s*[0-9〇一二三四五六七八九十]+\s*[日号])"),
    ),
    (
        "yw_m",
        re.compile(r"(今年|本年|去年|昨年|前年|明年|来年)\s*" + rf"{_NUM}\s*月(?!\s*\d+\s*[日号])"),
    ),
    ("md", re.compile(rf"(?<![\d年])\s*{_NUM}\s*月\s*{_NUM}\s*[日号]")),
    ("m", re.compile(rf"(?<![\d年月〇一二三四五六七八九十]){_NUM}\s*月(?!\s*{_NUM}\s*[日号])")),
    ("d", re.compile(r"(?<![\d月年])(\d{1,2})\s*日(?![本元間内后後前以])")),
    ("new_year", re.compile(r"(今年|本年|去年|昨年|明年|来年)?\s*(?:元旦|元日)")),
    ("rel_day", re.compile("|".join(sorted(_REL_DAY, key=len, reverse=True)), re.I)),
    ("week_day", re.compile(r"(上|本|这|下)?(?:周|週|星期|礼拜)([一二三四五六日天])")),
    ("week_day_ja", re.compile(r"(先週|今週|来週)?の?([月火水木金土日])曜日?")),
    ("rel_week", re.compile("|".join(sorted(_REL_WEEK, key=len, reverse=True)), re.I)),
    ("rel_month", re.compile("|".join(sorted(_REL_MONTH, key=len, reverse=True)), re.I)),
    (
        "en_mdy",
        re.compile(rf"\b{_MONTH_EN}\s+(\d{{1,2}})(?!\d)(?:st|nd|rd|th)?(?:,?\s*(\d{{4}}))?", re.I),
    ),
    ("en_dmy", re.compile(rf"\b(\d{{1,2}})\s+{_MONTH_EN}(?:\s+(\d{{4}}))?", re.I)),
    ("en_weekday", re.compile(r"\b(last\s+)?(" + "|".join(_WEEKDAYS_EN) + r")\b", re.I)),
    ("en_month", re.compile(rf"\bin\s+{_MONTH_EN}(?:\s+(\d{{4}}))?", re.I)),
]


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    day: date  # the day, or the first day of the week or month
    granularity: str  # day | week | month

    @property
    def month(self) -> str:
        return f"{self.day.year:04d}-{self.day.month:02d}"

    @property
    def last_day(self) -> date:
        """The last day of the day, week or month the mention names."""
        if self.granularity == "month":
            return _month_shift(self.day, 1) - timedelta(days=1)
        if self.granularity == "week":
            return self.day + timedelta(days=6)
        return self.day


def number(text: str) -> int:
    """Arabic or kanji numerals up to 99 (十二, 二十一, 三十)."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return int("".join(str(_KANJI[c]) for c in text))
    tens, _, ones = text.partition("十")
    return (_KANJI[tens] if tens else 1) * 10 + (_KANJI[ones] if ones else 0)


def _nearest_year(month: int, day: int, ref: date) -> date | None:
    options = []
    for year in (ref.year - 1, ref.year, ref.year + 1):
        try:
            options.append(date(year, month, day))
        except ValueError:
            continue
    return min(options, key=lambda d: abs((d - ref).days)) if options else None


def _latest_month(day: int, ref: date) -> date | None:
    """A day of the month alone is the latest such day up to a few days after `ref`
    (reports look back: `28日` in a paper dated the 22nd is last month's 28th)."""
    options = []
    for shift in (-1, 0, 1):
        year, month = divmod(ref.month - 1 + shift, 12)
        try:
            options.append(date(ref.year + year, month + 1, day))
        except ValueError:
            continue
    past = [d for d in options if d <= ref + timedelta(days=2)]
    return max(past) if past else None


def _month_shift(ref: date, shift: int) -> date:
    year, month = divmod(ref.month - 1 + shift, 12)
    return date(ref.year + year, month + 1, 1)


def _weekday(ref: date, weekday: int, week_shift: int | None) -> date:
    """A weekday of last / this / next week, or (no week named) the latest one up to `ref`."""
    if week_shift is None:
        return ref - timedelta(days=(ref.weekday() - weekday) % 7)
    monday = ref - timedelta(days=ref.weekday()) + timedelta(weeks=week_shift)
    return monday + timedelta(days=weekday)


def _resolve(kind: str, m: re.Match[str], ref: date) -> tuple[date, str] | None:
    g = m.groups()
    if kind == "ymd":
        return date(number(g[0]), number(g[1]), number(g[2])), "day"
    if kind == "ywd":
        return date(ref.year + _YEAR_WORD[g[0]], number(g[1]), number(g[2])), "day"
    if kind == "ym":
        return date(int(g[0]), number(g[1]), 1), "month"
    if kind == "yw_m":
        return date(ref.year + _YEAR_WORD[g[0]], number(g[1]), 1), "month"
    if kind == "md":
        day = _nearest_year(number(g[0]), number(g[1]), ref)
        return (day, "day") if day else None
    if kind == "m":
        near = _nearest_year(number(g[0]), 1, ref.replace(day=1))
        return (near, "month") if near else None
    if kind == "d":
        day = _latest_month(int(g[0]), ref)
        return (day, "day") if day else None
    if kind == "new_year":
        if g[0]:
            return date(ref.year + _YEAR_WORD[g[0]], 1, 1), "day"
        return _nearest_year(1, 1, ref) or ref, "day"
    if kind == "rel_day":
        return ref + timedelta(days=_REL_DAY[m.group().lower()]), "day"
    if kind == "week_day":
        shift = {"上": -1, "本": 0, "这": 0, "下": 1}.get(g[0] or "")
        return _weekday(ref, _WEEKDAYS_CJK[g[1]], shift), "day"
    if kind == "week_day_ja":
        shift = {"先週": -1, "今週": 0, "来週": 1}.get(g[0] or "")
        return _weekday(ref, _WEEKDAYS_JA[g[1]], shift), "day"
    if kind == "rel_week":
        monday = ref - timedelta(days=ref.weekday())
        return monday + timedelta(weeks=_REL_WEEK[re.sub(r"\s+", " ", m.group().lower())]), "week"
    if kind == "rel_month":
        return _month_shift(ref, _REL_MONTH[m.group().lower()]), "month"
    if kind in ("en_mdy", "en_dmy"):
        month, day = (g[0], g[1]) if kind == "en_mdy" else (g[1], g[0])
        index = _MONTHS_EN.index(month[:3].lower()) + 1
        if g[2]:
            return date(int(g[2]), index, int(day)), "day"
        near = _nearest_year(index, int(day), ref)
        return (near, "day") if near else None
    if kind == "en_weekday":
        weekday = _WEEKDAYS_EN.index(g[1].lower())
        return _weekday(ref - timedelta(days=7) if g[0] else ref, weekday, None), "day"
    index = _MONTHS_EN.index(g[0][:3].lower()) + 1  # en_month
    if g[1]:
        return date(int(g[1]), index, 1), "month"
    return _nearest_year(index, 1, ref.replace(day=1)) or ref, "month"


def find_dates(text: str, published: datetime) -> list[DateMention]:
    """Every date `text` names, resolved against `published` (aware, in the article's own
    time zone); overlapping readings keep the first (most specific) pattern's."""
    ref = published.date()
    found: list[DateMention] = []
    for kind, pattern in PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.start() + len(m.group()) - len(m.group().lstrip()), m.end()
            if any(f.start < end and start < f.end for f in found):
                continue
            try:
                resolved = _resolve(kind, m, ref)
            except (ValueError, KeyError):
                continue
            if resolved is not None:
                found.append(DateMention(start, end, text[start:end], *resolved))
    return sorted(found, key=lambda f: f.start)


def local_time(at: datetime, offset_minutes: int | None) -> datetime:
    """A stored UTC time (naive means UTC) in the article's own zone, for `find_dates`."""
    aware = at if at.tzinfo else at.replace(tzinfo=UTC)
    return aware.astimezone(timezone(timedelta(minutes=offset_minutes or 0)))

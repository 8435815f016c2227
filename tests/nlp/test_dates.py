from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from nlp.dates import find_dates, local_time, number

JST = timezone(timedelta(hours=9))
CST = timezone(timedelta(hours=8))
EST = timezone(timedelta(hours=-5))
SATURDAY_JST = datetime(2025, 3, 22, 8, 0, tzinfo=JST)


@pytest.mark.parametrize(
    ("text", "expected", "granularity"),
    [
        ("腾讯于20日发布混元T1", "2025-03-20", "day"),
        ("21日夜に公開した", "2025-03-21", "day"),
        ("28日に発表", "2025-02-28", "day"),  # later in the month than the date line: last month
        ("上周一发布", "2025-03-10", "day"),
        ("上週三宣布", "2025-03-12", "day"),
        ("周三宣布", "2025-03-19", "day"),
        ("先週の月曜日に", "2025-03-10", "day"),
        ("水曜に公開", "2025-03-19", "day"),
        ("昨日発表した", "2025-03-21", "day"),
        ("昨天晚间", "2025-03-21", "day"),
        ("一昨日", "2025-03-20", "day"),
        ("今日から", "2025-03-22", "day"),
        ("先月公開", "2025-02-01", "month"),
        ("上个月上线", "2025-02-01", "month"),
        ("本月上线", "2025-03-01", "month"),
        ("来月施行", "2025-04-01", "month"),
        ("今年3月施行", "2025-03-01", "month"),
        ("去年3月发布", "2024-03-01", "month"),
        ("去年3月5日发布", "2024-03-05", "day"),
        ("十二月施行", "2024-12-01", "month"),
        ("2024年12月に", "2024-12-01", "month"),
        ("自9月1日起施行", "2025-09-01", "day"),
        ("2025年1月1日起施行", "2025-01-01", "day"),
        ("２０２５年１月１日", "2025-01-01", "day"),
        ("元旦起施行", "2025-01-01", "day"),
        ("来年元日施行", "2026-01-01", "day"),
        ("二〇二五年一月一日", "2025-01-01", "day"),
        ("last week", "2025-03-10", "week"),
        ("上周", "2025-03-10", "week"),
        ("先週", "2025-03-10", "week"),
        ("It launched on Monday", "2025-03-17", "day"),
        ("It launched last Monday", "2025-03-10", "day"),
        ("yesterday", "2025-03-21", "day"),
        ("last month", "2025-02-01", "month"),
        ("in March", "2025-03-01", "month"),
        ("in December 2024", "2024-12-01", "month"),
        ("Jan. 13, 2025", "2025-01-13", "day"),
        ("on January 29", "2025-01-29", "day"),
        ("on 13 January 2025", "2025-01-13", "day"),
        ("December 2 2024", "2024-12-02", "day"),
    ],
)
def test_dates_resolved_against_publication(text: str, expected: str, granularity: str) -> None:
    [found] = find_dates(text, SATURDAY_JST)
    assert (found.day.isoformat(), found.granularity) == (expected, granularity)


def test_publication_time_zone_decides_the_day() -> None:
    """23:30 in New York is already the next day in Tokyo: 昨日 follows the article's zone."""
    evening = datetime(2025, 1, 13, 23, 30, tzinfo=EST)
    assert find_dates("yesterday", evening)[0].day.isoformat() == "2025-01-12"
    tokyo = evening.astimezone(JST)
    assert find_dates("昨日", tokyo)[0].day.isoformat() == "2025-01-13"


def test_month_without_year_takes_the_nearest_year() -> None:
    january = datetime(2025, 1, 5, tzinfo=CST)
    assert find_dates("12月26日发布", january)[0].day.isoformat() == "2024-12-26"
    assert find_dates("2月1日起施行", january)[0].day.isoformat() == "2025-02-01"


def test_month_only_keeps_its_month() -> None:
    [found] = find_dates("今年3月施行", SATURDAY_JST)
    assert found.month == "2025-03" and found.granularity == "month"


@pytest.mark.parametrize(
    "text",
    ["3个月内完成", "30日以内に", "markets rose 20 percent", "7日間の無料期間", "may be 5 times"],
)
def test_durations_and_words_are_no_dates(text: str) -> None:
    assert find_dates(text, SATURDAY_JST) == []


def test_several_dates_in_order() -> None:
    text = "国务院9月30日公布条例，自2025年1月1日起施行。"
    found = find_dates(text, datetime(2024, 10, 1, tzinfo=CST))
    assert [f.day.isoformat() for f in found] == ["2024-09-30", "2025-01-01"]


@pytest.mark.parametrize(("text", "value"), [("十二", 12), ("二十一", 21), ("三十", 30), ("7", 7)])
def test_numbers(text: str, value: int) -> None:
    assert number(text) == value


def test_local_time_reads_stored_utc_in_the_articles_zone() -> None:
    stored = datetime(2025, 3, 21, 23, 0)  # naive: UTC, as SQLite returns it
    assert local_time(stored, 540).isoformat() == "2025-03-22T08:00:00+09:00"


@pytest.mark.parametrize(
    ("text", "last"),
    [("2月", date(2025, 2, 28)), ("12月", date(2024, 12, 31)), ("last week", date(2025, 3, 9))],
)
def test_a_month_or_a_week_ends_on_its_last_day(text: str, last: date) -> None:
    published = datetime(2025, 3, 12, 9, tzinfo=UTC)
    (mention,) = find_dates(text, published)
    assert mention.last_day == last

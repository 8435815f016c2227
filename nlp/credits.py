"""Bylines and datelines: who reported the news, not what the news names.

Chinese wire copy opens with its agency and a dateline (新华社北京3月5日电, 本报讯), credits
its reporters in parentheses (（记者 李明 通讯员 王芳）) or after 记者 (环球时报记者陈青青报道)
and ends with its editors (责任编辑：刘洋); Japanese papers write 【北京＝山田太郎】. The
statistical recogniser reads those names as organisations and persons, so a span it
proposes inside a credit is dropped. Gazetteer matches are kept: a known body named in a
credit line (记者从工信部获悉) is still named.
"""

from __future__ import annotations

import re

_ROLES = "|".join(  # simplified and traditional; the longest first
    (
        "责任编辑", "責任編輯", "记者", "記者", "通讯员", "通訊員", "实习生", "實習生",
        "编辑", "編輯", "责编", "責編", "校对", "校對", "作者", "撰文", "摄影", "攝影",
    )
)  # fmt: skip
_CREDITS = re.compile(
    "|".join(
        (
            # agency, place and date at the start of a line: 中新网上海7月26日电, 本报讯
            r"^[^\s，。,（(]{1,16}?\d{1,2}月\d{1,2}日(?:电|電|讯|訊)",
            r"^本[报報][^\s，。,（(]{0,6}?(?:讯|訊)",
            # the reporters in parentheses right after it, or anywhere
            rf"[（(]\s*(?:{_ROLES})[^）)\n]{{0,40}}[）)]",
            # a line of credits: 责任编辑：刘洋, 编辑 赵磊 校对 孙静
            rf"^\s*(?:{_ROLES})[\s：:].*$",
            # the name after 记者 (环球时报记者陈青青报道), at most a Chinese name's length
            r"(?:记者|記者)\s*[\u3400-\u9fff·]{2,4}(?=报道|報導|摄|攝|发自|發自|\s|$)",
            # 【北京＝山田太郎】
            r"【[^】\n]{1,12}[=＝][^】\n]{1,16}】",
        )
    ),
    re.MULTILINE,
)


def credit_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every byline, dateline and credit line in `text`."""
    return [m.span() for m in _CREDITS.finditer(text)]

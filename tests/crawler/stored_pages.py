"""The stored publisher pages of tests/crawler/pages/ and what each should give."""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

PAGES = Path(__file__).parent / "pages"


@dataclass(frozen=True)
class StoredPage:
    name: str  # fundus' publisher name, as in the file names
    url: str
    html: bytes
    title: str
    paragraphs: tuple[str, ...]
    other_text: tuple[str, ...]  # summary and section headlines: body text, not paragraphs
    authors: tuple[str, ...]
    published_at: datetime


def squash(text: str) -> str:
    """Text compared without its whitespace: fundus writes the ideographic space of a
    headline as a space on some sites and keeps it on others."""
    return re.sub(r"\s+", "", text)


@cache
def stored_pages() -> tuple[StoredPage, ...]:
    urls = json.loads((PAGES / "meta.info").read_text(encoding="utf-8"))
    corrections = json.loads((PAGES / "corrections.json").read_text(encoding="utf-8"))
    pages = []
    for filename, info in sorted(urls.items()):
        name = filename.split("_")[0]
        expected = json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))["V1"]
        expected |= corrections.get(name, {})
        sections = expected["body"]["sections"]
        for section in sections:  # readings aiwatch drops with the ruby markup
            for reading in expected.get("furigana", ()):
                section["paragraphs"] = [p.replace(reading, "") for p in section["paragraphs"]]
        pages.append(
            StoredPage(
                name=name,
                url=info["url"],
                html=gzip.decompress((PAGES / filename).read_bytes()),
                title=expected["title"],
                paragraphs=tuple(p for s in sections for p in s["paragraphs"]),
                other_text=(
                    *expected["body"]["summary"],
                    *(h for s in sections for h in s["headline"]),
                ),
                authors=tuple(expected.get("authors", ())),
                published_at=datetime.fromisoformat(expected["publishing_date"]),
            )
        )
    return tuple(pages)


def paragraph_scores(page: StoredPage, body: str) -> tuple[float, float]:
    """(recall, precision): the share of the expected paragraphs found in `body`, and the
    share of `body`'s lines (by characters) that are text of the article."""
    found = squash(body)
    recall = sum(squash(p) in found for p in page.paragraphs) / len(page.paragraphs)
    article = squash("".join((*page.paragraphs, *page.other_text)))
    lines = [squash(line) for line in body.splitlines() if squash(line)]
    total = sum(len(line) for line in lines)
    precise = sum(len(line) for line in lines if line in article)
    return recall, precise / total if total else 0.0

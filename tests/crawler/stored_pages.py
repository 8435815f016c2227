"""The stored publisher pages of tests/crawler/pages/ and what each should give."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

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


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """The files of `directory` over HTTP on 127.0.0.1, from a subprocess; yields the base
    URL."""
    directory.mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1"],
        cwd=directory,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert server.stdout is not None
    announced = re.search(r"port (\d+)", server.stdout.readline())  # "Serving HTTP on ..."
    try:
        assert announced, "the HTTP server did not start"
        yield f"http://127.0.0.1:{announced.group(1)}"
    finally:
        server.terminate()
        server.wait()


def publish(directory: Path, base: str, pages: tuple[StoredPage, ...]) -> dict[str, StoredPage]:
    """Each page as `<name>.html`, listed in `sitemap.xml` and `feed.rss`; the pages by
    the URL they are served at."""
    served = {f"{base}/{page.name}.html": page for page in pages}
    for url, page in served.items():
        (directory / url.rsplit("/", 1)[1]).write_bytes(page.html)
    locations = "".join(f"<url><loc>{escape(url)}</loc></url>" for url in served)
    (directory / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locations}</urlset>',
        encoding="utf-8",
    )
    items = "".join(f"<item><title>t</title><link>{escape(url)}</link></item>" for url in served)
    (directory / "feed.rss").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Stored pages</title>{items}'
        "</channel></rss>",
        encoding="utf-8",
    )
    return served

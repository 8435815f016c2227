"""Reading an article page, bytes to article, in worker processes.

Decoding and extraction are CPU-bound Python (trafilatura walks the whole tree). Run in the
crawl process they would hold the GIL that the downloader and the store writer need, so a
crawl could never use more than one core. Workers are spawned once per crawl and shared by
every source in it; `workers = 0` reads pages in the crawl process itself.
"""

from __future__ import annotations

import asyncio
import html
import multiprocessing as mp
import re
import signal
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection
from urllib.parse import urljoin

from crawler.encoding import decode
from crawler.extract import Extracted, extract
from crawler.urls import canonicalize

_HEAD_END = re.compile(r"</head\s*>|<body\b", re.I)
_LINK_TAG = re.compile(r"<link\b[^>]*>", re.I)
_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


class PageReadError(Exception):
    """A page could not be read for a reason outside the page (a worker died)."""


@dataclass(frozen=True)
class PageText:
    article: Extracted
    canonical: str | None  # the page's own rel=canonical URL, canonicalized


def canonical_link(page: str, base: str) -> str | None:
    """The `<link rel="canonical">` of the page's head, absolute and canonicalized.

    A regular expression over the head, not a second parse of the whole page."""
    end = _HEAD_END.search(page)
    head = page[: end.start() if end else 200_000]
    for tag in _LINK_TAG.findall(head):
        attributes = {
            m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _ATTRIBUTE.finditer(tag)
        }
        if "canonical" in attributes.get("rel", "").lower().split() and attributes.get("href"):
            return canonicalize(urljoin(base, attributes["href"].strip()))
    return None


def read_page(body: bytes, content_type: str, url: str, lang_hint: str | None) -> PageText | None:
    """The article in an HTML page, or None when the page has no article text."""
    text, _encoding = decode(body, content_type)
    article = extract(text, url, lang_hint)
    if article is None:
        return None
    return PageText(article, canonical_link(text, url))


Job = tuple[bytes, str, str, str | None]  # read_page's arguments


def _serve(conn: Connection, crawl_end: Connection) -> None:
    """A worker's life: read pages until the crawl closes the pipe."""
    crawl_end.close()  # a forked copy of the crawl's end would keep the pipe open forever
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the crawl's to handle
    while True:
        try:
            job_id, job = conn.recv()
        except EOFError:
            return
        try:
            conn.send((job_id, read_page(*job), None))
        except Exception as exc:  # a bug or a page no parser survives: report, go on
            conn.send((job_id, None, f"extraction failed: {type(exc).__name__}: {exc}"))


class _Worker:
    """One worker process and its pipe, driven from the event loop: no threads in the
    crawl process, so nothing waits for the GIL to pass a page along."""

    IN_FLIGHT = 2  # jobs in the pipe: the next page is there when the worker is done

    def __init__(self, method: str) -> None:
        context = mp.get_context(method)
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child, self.conn), name="aiwatch-extract"
        )
        self.process.daemon = True
        self.process.start()
        child.close()
        self.queued: deque[tuple[int, Job]] = deque()
        self.waiting: dict[int, asyncio.Future[PageText | None]] = {}
        self.sent = 0
        self.loop: asyncio.AbstractEventLoop | None = None
        self.alive = True

    def submit(self, job_id: int, job: Job) -> asyncio.Future[PageText | None]:
        if self.loop is None:
            self.loop = asyncio.get_running_loop()
            self.loop.add_reader(self.conn.fileno(), self._receive)
        future = self.loop.create_future()
        self.waiting[job_id] = future
        self.queued.append((job_id, job))
        self._send()
        return future

    def _send(self) -> None:
        try:
            while self.queued and self.sent < self.IN_FLIGHT:
                self.conn.send(self.queued.popleft())
                self.sent += 1
        except OSError:
            self._died()

    def _receive(self) -> None:
        try:
            while self.conn.poll():
                job_id, page, error = self.conn.recv()
                self.sent -= 1
                future = self.waiting.pop(job_id)
                if not future.done():
                    if error:
                        future.set_exception(PageReadError(error))
                    else:
                        future.set_result(page)
        except (EOFError, OSError):
            self._died()
            return
        self._send()

    def _died(self) -> None:
        """The process is gone (out of memory, a crash in a parser): its pages fail."""
        self.stop()
        self.process.join(1)
        reason = f"page reader process died (exit code {self.process.exitcode})"
        for future in self.waiting.values():
            if not future.done():
                future.set_exception(PageReadError(reason))
        self.waiting.clear()

    def stop(self) -> None:
        if self.alive:
            self.alive = False
            if self.loop is not None:
                self.loop.remove_reader(self.conn.fileno())
            self.conn.close()  # the worker reads EOF and exits


class PageReader:
    """`read_page` in `workers` processes.

    Create it first thing in a process, while that process has a single thread: the
    workers are then forked, sharing the modules already imported, instead of spawned (a
    spawned worker imports the program again, a second or more). Workers that replace
    dead ones are spawned, since by then the crawl runs threads, and forking a process
    with threads can copy a lock in its locked state.
    """

    def __init__(self, workers: int) -> None:
        self._workers = [_Worker("fork") for _ in range(workers)]
        self._jobs = 0

    async def read(
        self, body: bytes, content_type: str, url: str, lang_hint: str | None
    ) -> PageText | None:
        job: Job = (body, content_type, url, lang_hint)
        if not self._workers:
            return read_page(*job)
        self._workers = [w if w.alive else _Worker("spawn") for w in self._workers]
        worker = min(self._workers, key=lambda w: len(w.waiting))
        self._jobs += 1
        return await worker.submit(self._jobs, job)

    def close(self) -> None:
        for worker in self._workers:
            worker.stop()
        for worker in self._workers:
            worker.process.join(5)
            if worker.process.is_alive():
                worker.process.kill()
        self._workers = []

"""What the crawl of one source came to: `ok`, `partial` or `failed`, with a one-line reason.

A source fails when none of its entry points (feeds, sitemaps, listings) could be read:
then the crawl logs one line for it, the reason, however many requests and retries it
took to find out. Otherwise each failed page or entry point is logged with its URL, and
the source is `partial`. Every error counts, whatever raised it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

OK, PARTIAL, FAILED, INTERRUPTED = "ok", "partial", "failed", "interrupted"


@dataclass
class Outcome:
    source: str
    entry_points_read: int = 0
    entry_failures: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)
    errors: int = 0
    first_error: str | None = None

    def entry_read(self) -> None:
        self.entry_points_read += 1

    def entry_failed(self, url: str, reason: str) -> None:
        """Logged at the end: alone, it may be the whole story of a failed source."""
        self._count(url, reason)
        self.entry_failures.append((url, reason))

    def page_failed(self, url: str, reason: str) -> None:
        self._count(url, reason)
        log.error("crawl error", extra={"source": self.source, "url": url, "reason": reason})

    def _count(self, url: str, reason: str) -> None:
        self.errors += 1
        if self.first_error is None:
            self.first_error = f"{reason} ({url})"

    def finish(self, store_errors: int, closed: str) -> tuple[str, str | None, int]:
        """(status, reason, errors) of the crawl, and its log lines."""
        errors = self.errors + store_errors
        if closed != "finished":
            return INTERRUPTED, f"stopped: {closed}", errors
        if self.entry_failures and not self.entry_points_read:
            url, why = self.entry_failures[0]
            more = len(self.entry_failures) - 1
            reason = f"{url}: {why}" + (f" (and {more} more entry point(s))" if more else "")
            log.error("source failed", extra={"source": self.source, "reason": reason})
            return FAILED, reason, errors
        for url, why in self.entry_failures:
            log.error("crawl error", extra={"source": self.source, "url": url, "reason": why})
        if errors == 0:
            return OK, None, 0
        first = self.first_error or "articles could not be stored"
        return PARTIAL, f"{errors} error(s), the first: {first}", errors

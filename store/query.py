"""Ad-hoc read-only SQL for analysts: the store cannot be changed through it.

Two gates, either of which holds alone: the statement must parse as one read-only query
(store/sqlcheck.py), and it runs on a connection the database keeps read-only, with a time
limit (store/readonly.py). Stopping the client (Ctrl-C, SIGTERM) stops the query on the
server too.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from sqlalchemy.engine import make_url

from store.readonly import (
    CANCELLED,
    TIMED_OUT,
    QueryCancelled,
    QueryResult,
    QueryTimeout,
    ReadOnlySession,
    ReadOnlyViolation,
    open_read_only,
)
from store.sqlcheck import QueryRefused, check_read_only

__all__ = ["QueryRefused", "QueryResult", "ReadOnlyViolation", "run_read_only"]

log = logging.getLogger(__name__)
DEFAULT_TIMEOUT = 30.0
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_PARSE_ALARM_REPEAT_S = 0.05


def run_read_only(
    url: str,
    sql: str,
    *,
    limit: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    allow_superuser: bool = False,
) -> QueryResult:
    """Run `sql`, which must be one read-only query, on a read-only connection to `url`,
    stopping it after `timeout` seconds."""
    with _parse_time_limit(timeout):
        check_read_only(sql, make_url(url).get_backend_name())
    session = open_read_only(url, timeout=timeout, allow_superuser=allow_superuser)
    try:
        with _cancel_on_stop(session) as stopped:
            log.debug("query running", extra={"timeout_s": timeout})
            result = session.run(sql, limit)
        if stopped:
            raise QueryCancelled(CANCELLED)
        return result
    finally:
        session.close()


class _ParseExpired(BaseException):
    """Raised into the parser by SIGALRM; a BaseException so no `except Exception` in the
    parser swallows it."""


@contextmanager
def _parse_time_limit(timeout: float) -> Iterator[None]:
    """Reading the text counts against the limit too: some texts take the parser longer
    than any query (`SELECT a[1][1]...`)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise _ParseExpired

    previous = signal.signal(signal.SIGALRM, expire)
    # The alarm repeats: raised while the garbage collector runs a weakref callback, the
    # exception is printed and dropped ("Exception ignored in ...") and parsing goes on.
    signal.setitimer(signal.ITIMER_REAL, timeout, _PARSE_ALARM_REPEAT_S)
    try:
        yield
    except _ParseExpired:
        raise QueryTimeout(TIMED_OUT.format(timeout=timeout)) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _cancel_on_stop(session: ReadOnlySession) -> Iterator[list[int]]:
    """While the query runs, SIGINT and SIGTERM cancel it on the server instead of leaving
    it running there; yields the signals received."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def stop(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        session.cancel()

    previous = {sig: signal.signal(sig, stop) for sig in _STOP_SIGNALS}
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

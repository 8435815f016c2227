"""A function run in worker processes, driven by the crawl's event loop.

The crawl process runs Scrapy on one core. Page extraction (CPU-bound Python) and store
writes (Python plus SQLite) would compete with it for the GIL, so each runs in processes
of its own and talks to the crawl over a pipe that the event loop watches: no helper
threads in the crawl process, so nothing waits for the GIL to pass a job along.

Create a pool first thing in a process, while that process has a single thread: its
workers are then forked, sharing the modules already imported, instead of spawned (a
spawned worker imports the program again, a second or more). Workers that replace dead
ones are spawned, since by then the crawl runs threads, and forking a process with threads
can copy a lock in its locked state.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import signal
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any


class WorkerError(Exception):
    """A job failed in its worker, or the worker died with the job."""


# The crawl's ends of every worker's pipe. A forked worker closes its copies of them: a
# copy left open would keep that pipe open after the crawl closes it, and the worker at
# the other end would never see the end of its jobs.
_crawl_ends: list[Connection] = []


def _serve(function: Callable[..., Any], conn: Connection) -> None:
    """A worker's life: run jobs until the crawl closes the pipe."""
    for crawl_end in _crawl_ends:
        crawl_end.close()
    # Ctrl-C and a SIGTERM to the whole process group are the crawl's to handle: it stops
    # gracefully, and a worker stops when the crawl closes its pipe (or dies).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while True:
        try:
            job_id, args = conn.recv()
        except (EOFError, OSError):  # closed; reset if it closed with our results unread
            return
        try:
            result = (job_id, function(*args), None)
        except Exception as exc:  # report the job's failure and take the next one
            result = (job_id, None, f"{type(exc).__name__}: {exc}")
        try:
            conn.send(result)
        except OSError:  # the crawl is gone (killed): nobody to report to
            return


class _Worker:
    """One worker process and the crawl's end of its pipe. Jobs beyond IN_FLIGHT wait in
    the crawl process: the pipe holds at most two, so the event loop seldom waits for
    the worker to read one (only a page larger than the pipe's buffer can make it)."""

    IN_FLIGHT = 2  # jobs in the pipe: the next one is there when the worker is done

    def __init__(self, function: Callable[..., Any], method: str, name: str) -> None:
        context = mp.get_context(method)
        self.conn, child = context.Pipe()
        _crawl_ends.append(self.conn)
        self.process = context.Process(
            target=_serve, args=(function, child), name=name, daemon=True
        )
        self.process.start()
        child.close()
        self.queued: deque[tuple[int, tuple[Any, ...]]] = deque()
        self.waiting: dict[int, asyncio.Future[Any]] = {}
        self.sent = 0
        self.loop: asyncio.AbstractEventLoop | None = None
        self.alive = True

    def submit(self, job_id: int, args: tuple[Any, ...]) -> asyncio.Future[Any]:
        if self.loop is None:
            self.loop = asyncio.get_running_loop()
            self.loop.add_reader(self.conn.fileno(), self._receive)
        future = self.loop.create_future()
        self.waiting[job_id] = future
        self.queued.append((job_id, args))
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
                job_id, result, error = self.conn.recv()
                self.sent -= 1
                future = self.waiting.pop(job_id)
                if future.done():
                    continue
                if error:
                    future.set_exception(WorkerError(error))
                else:
                    future.set_result(result)
        except (EOFError, OSError):
            self._died()
            return
        self._send()

    def _died(self) -> None:
        """The process is gone (out of memory, a crash in a C library): its jobs fail."""
        self.stop()
        self.process.join(1)
        reason = f"{self.process.name} process died (exit code {self.process.exitcode})"
        for future in self.waiting.values():
            if not future.done():
                future.set_exception(WorkerError(reason))
        self.waiting.clear()

    def stop(self) -> None:
        if self.alive:
            self.alive = False
            if self.loop is not None:
                self.loop.remove_reader(self.conn.fileno())
            _crawl_ends.remove(self.conn)
            self.conn.close()  # the worker reads EOF and exits


class WorkerPool:
    """`function` in `size` processes; each job goes to the least busy one."""

    def __init__(self, function: Callable[..., Any], size: int, name: str) -> None:
        self.function = function
        self.name = name
        self._workers = [_Worker(function, "fork", name) for _ in range(size)]
        self._jobs = 0

    async def run(self, *args: Any) -> Any:
        """`function(*args)` in a worker; WorkerError if it raised or its worker died."""
        self._workers = [
            w if w.alive else _Worker(self.function, "spawn", self.name) for w in self._workers
        ]
        worker = min(self._workers, key=lambda w: len(w.waiting))
        self._jobs += 1
        return await worker.submit(self._jobs, args)

    def close(self) -> None:
        for worker in self._workers:
            worker.stop()
        for worker in self._workers:
            worker.process.join(10)
            if worker.process.is_alive():
                worker.process.kill()
        self._workers = []

"""Worker processes driven by the event loop: results, failures, a worker that dies."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import threading

import pytest

from crawler.workers import WorkerError, WorkerPool, _serve


def square(n: int) -> int:
    return n * n


def fail_or_die(how: str) -> int:
    if how == "raise":
        raise ValueError("no parser survives this page")
    if how == "die":
        os._exit(3)  # as an out-of-memory kill or a crash in a C library would
    return os.getpid()


def test_jobs_run_in_other_processes_and_come_back_in_order() -> None:
    pool = WorkerPool(square, 2, "test-worker")

    async def main() -> list[int]:
        return list(await asyncio.gather(*(pool.run(n) for n in range(50))))

    try:
        assert asyncio.run(main()) == [n * n for n in range(50)]
    finally:
        pool.close()


def test_a_failing_job_is_an_error_and_the_worker_goes_on() -> None:
    pool = WorkerPool(fail_or_die, 1, "test-worker")

    async def main() -> int:
        with pytest.raises(WorkerError, match="ValueError: no parser survives"):
            await pool.run("raise")
        return int(await pool.run("pid"))

    try:
        assert asyncio.run(main()) != os.getpid()
    finally:
        pool.close()


def test_a_dead_worker_fails_its_jobs_and_is_replaced() -> None:
    pool = WorkerPool(fail_or_die, 1, "test-worker")

    async def main() -> tuple[int, int]:
        before = int(await pool.run("pid"))
        with pytest.raises(WorkerError, match=r"test-worker process died \(exit code 3\)"):
            await pool.run("die")
        return before, int(await pool.run("pid"))

    try:
        before, after = asyncio.run(main())
        assert before != after  # a new process took over
    finally:
        pool.close()


def test_close_ends_the_worker_processes() -> None:
    pool = WorkerPool(square, 2, "test-worker")
    processes = [w.process for w in pool._workers]
    assert all(p.is_alive() for p in processes)
    pool.close()
    assert not any(p.is_alive() for p in processes)
    assert all(p.exitcode == 0 for p in processes)  # they saw the end of their jobs


def test_a_worker_ends_quietly_when_the_crawl_closes_with_its_results_unread() -> None:
    """A crawl stopped by SIGTERM closes its pipes with results still in them; the worker's
    next read is then a connection reset, not an end of file (a traceback in the daemon's
    log). The worker's loop runs here in the test's own main thread (it sets signal
    handlers), the crawl's side in a thread."""
    crawl_end, worker_end = multiprocessing.Pipe()

    def crawl() -> None:
        crawl_end.send((1, (3,)))
        crawl_end.poll(10)  # the result is there, unread
        crawl_end.close()

    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    thread = threading.Thread(target=crawl)
    thread.start()
    try:
        _serve(square, worker_end)  # returns instead of raising ConnectionResetError
    finally:
        signal.signal(signal.SIGINT, handlers[0])
        signal.signal(signal.SIGTERM, handlers[1])
        thread.join()

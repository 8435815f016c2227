"""Crawl benchmark: pages/s end to end (fetch, decode, extract, store into SQLite) over the
local news site with throttling off, the CPU time the crawl spends per page, and the median
extraction time per page; side by side with a baseline revision, in the same run.

The site renders its pages before the clock starts, so the numbers are the crawler's own.
Each tree is measured by this file's code in a process started in that tree (the baseline
in a throwaway git worktree), against the same site; rounds alternate between the trees, and with more than one round
each number's median over the rounds is printed too.
Pages/s depend on the machine's load, which is printed; the CPU time per page (the crawl
process and its extraction and store workers) hardly does.

    python -m bench.crawl --pages 1000 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

BASELINE = "b523fad"  # the last commit before the publisher work of issue 12
REPO = Path(__file__).resolve().parents[1]


def measure(base: str, pages_wanted: int) -> dict[str, Any]:
    """One crawl of the bench site at `base` by the crawler of the tree this runs in."""
    from sqlalchemy import func, select

    from aiwatch.config import Config
    from crawler.pages import read_page
    from crawler.run import crawl
    from crawler.sources import SourceRecord
    from store.db import make_engine, session_factory
    from store.models import Article, CrawlRun
    from store.schema import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        config_path = Path(tmp) / "aiwatch.toml"
        config_path.write_text(
            "[crawler]\ndownload_delay = 0\nautothrottle = false\nconcurrent_per_domain = 16\n"
        )
        config = Config.load(config_path)
        engine = make_engine(config.database_url)
        upgrade(engine)
        sessions = session_factory(engine)
        feeds = [f"{base}/bench/feed-{k}.rss" for k in range(pages_wanted // 100)]
        source = SourceRecord(name="bench", lang="ja", feeds=feeds)
        logging.basicConfig(level=logging.WARNING)
        cpu0 = _children_cpu()
        t0 = time.perf_counter()
        summary = crawl(sessions, config.database_url, config.section("crawler"), [source])
        elapsed = time.perf_counter() - t0
        cpu = _children_cpu() - cpu0
        with sessions() as s:
            stored = s.scalar(select(func.count()).select_from(Article))
            run = s.scalars(select(CrawlRun)).one()
        assert run.finished_at is not None
        crawling = (run.finished_at - run.started_at).total_seconds()
    wall, cpu_samples = [], []
    for n in range(50):
        with urllib.request.urlopen(f"{base}/bench/{n}.html") as response:
            body = response.read()
        t1, c1 = time.perf_counter(), time.process_time()
        read_page(body, "text/html; charset=utf-8", f"{base}/bench/{n}.html", "ja")
        wall.append((time.perf_counter() - t1) * 1000)
        cpu_samples.append((time.process_time() - c1) * 1000)
    pages = summary[0].pages
    return {
        "pages": pages,
        "stored": stored,
        "elapsed": elapsed,
        "start_stop": elapsed - crawling,
        "end_to_end": pages / elapsed,
        "spider": pages / crawling,
        "cpu_ms": cpu / pages * 1000,
        "extract_ms": statistics.median(wall),
        "extract_cpu_ms": statistics.median(cpu_samples),
        "page_kb": len(body) / 1024,
    }


def _children_cpu() -> float:
    """CPU seconds of this process's finished children and theirs: the crawl process and
    the workers it waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_in(tree: Path, base: str, pages: int) -> dict[str, Any]:
    """`measure` in a fresh interpreter whose imports come from `tree`."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.crawl", "--site", base, "--pages", str(pages)],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.splitlines()[-1])
    return result


def _report(label: str, r: dict[str, Any]) -> None:
    print(
        f"{label}: crawl: {r['pages']:.0f} pages ({r['stored']:.0f} articles stored) in "
        f"{r['elapsed']:.1f} s = {r['end_to_end']:.0f} pages/s end to end, including the crawl "
        f"process's start and stop ({r['start_stop']:.1f} s)"
    )
    print(
        f"{label}: crawl: {r['spider']:.0f} pages/s from the spider's start to its last commit; "
        f"{r['cpu_ms']:.1f} ms CPU per page (crawl process and its workers)"
    )
    print(
        f"{label}: extraction (decode, main text, metadata, language, canonical link): "
        f"median {r['extract_ms']:.1f} ms/page, {r['extract_cpu_ms']:.1f} ms CPU "
        f"({r['page_kb']:.0f} KB pages)"
    )


def _git(*args: str, check: bool = True) -> str:
    done = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True)
    if check and done.returncode:
        raise SystemExit(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def _load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=1000, help="multiple of 100")
    parser.add_argument(
        "--baseline", default=BASELINE, help="git revision measured side by side ('' for none)"
    )
    parser.add_argument("--rounds", type=int, default=1, help="medians over rounds are printed")
    parser.add_argument("--site", help=argparse.SUPPRESS)  # measure this tree against it
    args = parser.parse_args()
    if args.site:
        print(json.dumps(measure(args.site, args.pages)))
        return
    site = subprocess.Popen(
        [sys.executable, "-m", "tests.newssite", "--prerender", str(args.pages)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert site.stdout is not None
    base = f"http://127.0.0.1:{int(site.stdout.readline())}"
    head = _git("rev-parse", "--short", "HEAD").strip()
    trees = [(f"{head} working tree", REPO)]
    worktree = Path(tempfile.mkdtemp(prefix="bench-crawl-")) / "baseline"
    try:
        if args.baseline:
            _git("worktree", "add", "--detach", str(worktree), args.baseline)
            shutil.copy(Path(__file__), worktree / "bench" / "crawl.py")  # the same measuring
            trees.append((f"baseline {args.baseline}", worktree))
        results: dict[str, list[dict[str, Any]]] = {label: [] for label, _ in trees}
        for n in range(args.rounds):
            print(f"round {n + 1}: {_load()}", flush=True)
            for label, tree in trees:
                results[label].append(_run_in(tree, base, args.pages))
                _report(label, results[label][-1])
        if args.rounds > 1:
            print(f"median of {args.rounds} rounds (each number's own), {_load()}")
            for label, rounds in results.items():
                _report(label, {k: statistics.median(r[k] for r in rounds) for k in rounds[0]})
    finally:
        if args.baseline:
            _git("worktree", "remove", "--force", str(worktree), check=False)
        shutil.rmtree(worktree.parent, ignore_errors=True)
        site.terminate()


if __name__ == "__main__":
    main()

"""Latency benchmark: seconds from an item appearing in a feed to its alert arriving at a
Slack-compatible webhook, with the source polled every 10 s, first alone and then with 16
slow sources crawling at the same time (local servers on 127.0.0.1 that answer each request
after 20 s: tests/slow_site.py), p50 and p95 side by side; and the daemon's peak memory
with all models loaded (crawls run in child processes and are not counted).

    python -m bench.latency --items 5 --slow 16
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.conftest import NewsSite, Webhook


def _start(module: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen([sys.executable, "-m", module], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, f"http://127.0.0.1:{int(process.stdout.readline())}"


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(q * len(ordered)) - 1)]


def measure(
    items: int, slow: int, slow_delay: float, daemon_log: Path | None = None
) -> tuple[list[float], float]:
    """Latencies of `items` new feed items, with `slow` slow sources crawling beside the
    news site (each on its own port of tests/slow_site, answering after `slow_delay` s),
    and the daemon's peak RSS. `daemon_log`, when given, keeps the daemon's log there."""
    site_process, site_base = _start("tests.newssite")
    hook_process, hook_base = _start("tests.webhook_server")
    slow_processes = [_start_slow(slow_delay) for _ in range(slow)]
    site, webhook = NewsSite(site_base, site_process), Webhook(hook_base)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        sources = f'[[source]]\nname = "site"\nfeeds = ["{site_base}/feed.rss"]\nevery = "10s"\n'
        sources += "".join(
            f'\n[[source]]\nname = "slow{k}"\nfeeds = ["{base}/feed-{k}.rss"]\nevery = "10s"\n'
            for k, (_process, base) in enumerate(slow_processes)
        )
        (home / "sources.toml").write_text(sources)
        (home / "aiwatch.toml").write_text(
            f"[crawler]\ndownload_delay = 0\nautothrottle = false\ntimeout = {slow_delay * 3}\n"
            '[schedule]\nprocess_every = "2s"\ndispatch_every = "1s"\n'
            f"concurrent_crawls = {slow + 1}\n"
            f'\n[[subscriptions]]\nname = "hook"\nslack_webhook = "{webhook.url}"\n'
            'events = ["model_release"]\n'
        )
        env = {**os.environ, "AIWATCH_CONFIG": str(home / "aiwatch.toml")}
        subprocess.run(
            [sys.executable, "-m", "aiwatch", "init"], env=env, check=True, capture_output=True
        )
        log_file = daemon_log.open("w") if daemon_log else subprocess.DEVNULL
        daemon = subprocess.Popen(
            [sys.executable, "-m", "aiwatch", "run"], env=env, stderr=log_file
        )
        try:
            _settle(home / "aiwatch.db", webhook)  # the feed's first items alerted, models loaded
            latencies = []
            for n in range(items):
                site.publish(f"/release/{n}.html")
                started = time.monotonic()
                while not any(_mentions(p, n) for p in webhook.received()):
                    if time.monotonic() - started > 180:
                        raise SystemExit(f"item {n}: no alert after 180 s")
                    time.sleep(0.2)
                latencies.append(time.monotonic() - started)
                held = sum(_held(base) for _process, base in slow_processes)
                print(
                    f"  {time.strftime('%H:%M:%S')} {slow:2d} slow sources, item {n}: alert after {latencies[-1]:.1f} s "
                    f"({held} slow requests in flight)",
                    flush=True,
                )
            return latencies, _peak_rss_mb(daemon.pid)
        finally:
            daemon.terminate()
            daemon.wait(timeout=120)
            for process in (site_process, hook_process, *(p for p, _ in slow_processes)):
                process.terminate()


def _mentions(payload: dict[str, object], n: int) -> bool:
    """Whether an alert is about release item n (its company 星河n智能 or model 星河n号)."""
    text = json.dumps(payload, ensure_ascii=False)
    return f"星河{n}号" in text or f"星河{n}智能" in text


def _settle(store: Path, webhook: Webhook, timeout: float = 600) -> None:
    """Wait until the feed's first articles are processed and their alerts sent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if store.exists():
            with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as conn:
                processed = conn.execute("SELECT count(*) FROM article_nlp_state").fetchone()[0]
                pending = conn.execute(
                    "SELECT count(*) FROM alert_deliveries WHERE state != 'sent'"
                ).fetchone()[0]
            if processed >= 3 and pending == 0 and webhook.received():
                return
        time.sleep(1)
    raise SystemExit("the daemon did not settle")


def _start_slow(delay: float) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.slow_site", str(delay)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    return process, f"http://127.0.0.1:{int(process.stdout.readline())}"


def _held(base: str) -> int:
    with urllib.request.urlopen(f"{base}/_open", timeout=10) as response:
        return int(response.read())


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=5)
    parser.add_argument("--slow", type=int, default=16, help="slow sources beside the site")
    parser.add_argument("--slow-delay", type=float, default=20.0, help="seconds per answer")
    parser.add_argument(
        "--daemon-log", type=Path, help="keep the daemon logs as DIR/daemon-<slow>.log"
    )
    args = parser.parse_args()

    def log_for(slow: int) -> Path | None:
        return args.daemon_log / f"daemon-{slow}.log" if args.daemon_log else None

    runs = {0: measure(args.items, 0, args.slow_delay, log_for(0))}
    runs[args.slow] = measure(args.items, args.slow, args.slow_delay, log_for(args.slow))
    print(f"feed item -> alert (site polled every 10 s), load average {_load()}:")
    for slow, (latencies, rss) in runs.items():
        print(
            f"  {slow:2d} slow sources crawling: p50 {statistics.median(latencies):5.1f} s, "
            f"p95 {_percentile(latencies, 0.95):5.1f} s, max {max(latencies):5.1f} s, "
            f"daemon peak RSS {rss:,.0f} MB"
        )


if __name__ == "__main__":
    main()

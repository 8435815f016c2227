"""Latency benchmark: seconds from an item appearing in a feed to its alert arriving at a
Slack-compatible webhook, with the source polled every 10 s; and the daemon's peak memory
with all models loaded (crawls run in child processes and are not counted).

    python -m bench.latency --items 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=5)
    args = parser.parse_args()
    site_process, site_base = _start("tests.newssite")
    hook_process, hook_base = _start("tests.webhook_server")
    site, webhook = NewsSite(site_base, site_process), Webhook(hook_base)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        (home / "sources.toml").write_text(
            f'[[source]]\nname = "site"\nfeeds = ["{site_base}/feed.rss"]\nevery = "10s"\n'
        )
        (home / "aiwatch.toml").write_text(
            "[crawler]\ndownload_delay = 0\nautothrottle = false\n"
            '[schedule]\nprocess_every = "2s"\ndispatch_every = "1s"\n'
            f'\n[[subscriptions]]\nname = "hook"\nslack_webhook = "{webhook.url}"\n'
            'events = ["model_release"]\n'
        )
        env = {**os.environ, "AIWATCH_CONFIG": str(home / "aiwatch.toml")}
        subprocess.run(
            [sys.executable, "-m", "aiwatch", "init"], env=env, check=True, capture_output=True
        )
        daemon = subprocess.Popen(
            [sys.executable, "-m", "aiwatch", "run"], env=env, stderr=subprocess.DEVNULL
        )
        try:
            time.sleep(30)  # first crawl of the existing feed, models loaded
            latencies = []
            for n in range(args.items):
                before = len(webhook.received())
                site.publish(f"/release/{n}.html")
                started = time.monotonic()
                while len(webhook.received()) == before:
                    if time.monotonic() - started > 180:
                        raise SystemExit(f"item {n}: no alert after 180 s")
                    time.sleep(0.2)
                latencies.append(time.monotonic() - started)
                print(f"  item {n}: alert after {latencies[-1]:.1f} s", flush=True)
            latencies.sort()
            p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
            print(
                f"feed item -> alert: median {statistics.median(latencies):.1f} s, "
                f"p95 {p95:.1f} s, max {latencies[-1]:.1f} s (poll every 10 s)"
            )
            print(f"daemon peak RSS {_peak_rss_mb(daemon.pid):,.0f} MB (all models loaded)")
        finally:
            daemon.terminate()
            daemon.wait(timeout=60)
            site_process.terminate()
            hook_process.terminate()


if __name__ == "__main__":
    main()

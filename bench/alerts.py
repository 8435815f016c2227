"""Alerts end to end on the development corpus: one alert per real-world event.

Serves the dev set's news site (../shared/devset) on 127.0.0.1, subscribes a JSON-lines file
to every event, runs `aiwatch run --once` twice through the CLI, as a user would, and prints
per split: the real events (the dev set's labels), the alerts sent, how many of those report
a real event (matched as the dev set's scorer matches events: by key, or by any name of the
entity), the real events alerted more than once, and the alerts the second run sent (0
expected: nothing new was published).

    python -m bench.alerts
"""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEVSET = REPO.parent / "shared" / "devset"
AIWATCH = Path(sys.executable).with_name("aiwatch")


def main() -> None:
    corpus = DEVSET / "corpus"
    labels = {a["id"]: a for a in json.loads((corpus / "labels.json").read_text())}
    splits: dict[str, str] = json.loads((corpus / "splits.json").read_text())
    entities: dict[str, Any] = json.loads((corpus / "entities.json").read_text())
    with tempfile.TemporaryDirectory(prefix="bench-alerts-") as tmp:
        root = Path(tmp)
        with _site(root) as feeds:
            config = _set_up(root, feeds)
            sent = [_run_once(config, root / "alerts.jsonl")]
            sent.append(_run_once(config, root / "alerts.jsonl") - sent[0])
        store = sqlite3.connect(root / "store.db")
        alerted = _alerted_events(store, _gold_of(store, entities))
        gid_of = _article_ids(store, labels)
        events_of = defaultdict(set)
        for event_id, article_id in store.execute("SELECT event_id, article_id FROM v_event_articles"):
            if article_id in gid_of:
                events_of[splits[gid_of[article_id]]].add(event_id)
    print(f"dev set: {len(labels)} articles; first run {sent[0]} alerts, second run {sent[1]}")
    for split in ("fit", "check"):
        gold = {
            _event_tuple(e)
            for gid, label in labels.items()
            if splits[gid] == split
            for e in label["events"]
        }
        first = [t for event_id, rev, t in alerted if event_id in events_of[split] and not rev]
        updates = sum(1 for event_id, rev, _ in alerted if event_id in events_of[split] and rev)
        real = Counter(t for t in first if t in gold)
        print(
            f"{split}: {len(gold)} real events, {len(first)} alerts (+{updates} updates), "
            f"{sum(real.values())} of them for a real event ({len(gold) - len(real)} real events "
            f"not alerted), {sum(n > 1 for n in real.values())} real events alerted twice or more"
        )


def _event_tuple(event: dict[str, Any]) -> tuple[str, ...]:
    if event["type"] == "model_release":
        return ("model_release", event["model"])
    return ("regulation", event["law"], event["regulation_stage"])


class _site:
    """The dev set's site, built and served on a free port; yields its feeds."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __enter__(self) -> list[dict[str, str]]:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        site = self.root / "site"
        script = str(DEVSET / "site.py")
        subprocess.run(
            [sys.executable, script, "build", str(site), f"http://127.0.0.1:{port}"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.server = subprocess.Popen([sys.executable, script, "serve", str(site), str(port)])
        time.sleep(0.5)
        feeds: list[dict[str, str]] = json.loads((site / "feeds.json").read_text())["feeds"]
        return feeds

    def __exit__(self, *_: object) -> None:
        self.server.terminate()
        self.server.wait()


def _cli(config: Path, *args: str) -> None:
    subprocess.run([str(AIWATCH), "--config", str(config), *args], check=True, capture_output=True)


def _set_up(root: Path, feeds: list[dict[str, str]]) -> Path:
    config = root / "aiwatch.toml"
    _cli(config, "init", "--db", f"sqlite:///{root / 'store.db'}")
    (root / "sources.toml").write_text("# the dev set's site only\n")
    for feed in feeds:
        _cli(config, "sources", "add", feed["slug"], "--feed", feed["url"], "--lang", feed["lang"])
    _cli(config, "subscriptions", "add", "everything", "--file", str(root / "alerts.jsonl"),
         "--mode", "immediate")  # fmt: skip
    return config


def _run_once(config: Path, alerts: Path) -> int:
    """`aiwatch run --once`; the alerts in the file after it."""
    _cli(config, "run", "--once")
    return len(alerts.read_text().splitlines()) if alerts.exists() else 0


def _norm(name: str) -> str:
    return unicodedata.normalize("NFKC", name or "").strip().lower()


def _gold_of(store: sqlite3.Connection, entities: dict[str, Any]) -> dict[str, str]:
    """aiwatch's entity key -> the dev set's key for the same entity (by key or name)."""
    by_name = {
        _norm(name): key
        for key, entity in entities.items()
        for names in entity.get("names", {}).values()
        for name in names
    }
    gold = {key: key for key in entities}
    for key, name in store.execute("SELECT entity_key, name FROM v_entity_names"):
        if key not in gold and _norm(name) in by_name:
            gold[key] = by_name[_norm(name)]
    return gold


def _alerted_events(
    store: sqlite3.Connection, gold: dict[str, str]
) -> list[tuple[int, int, tuple[str, ...]]]:
    """(event, revision: 0 for its first alert, its dev-set tuple) per alert sent."""
    rows = store.execute(
        """SELECT e.event_id, d.revision, e.type, e.model_key, e.law_key, e.stage
        FROM alert_deliveries d JOIN v_events e ON e.event_id = d.event_id
        WHERE d.state = 'sent'"""
    )
    return [
        (
            event_id,
            revision,
            ("model_release", gold.get(model, model))
            if kind == "model_release"
            else ("regulation", gold.get(law, law), stage),
        )
        for event_id, revision, kind, model, law, stage in rows
    ]


def _article_ids(store: sqlite3.Connection, labels: dict[str, Any]) -> dict[int, str]:
    """aiwatch's article id -> the dev set's (the page is named after it)."""
    return {
        article_id: Path(url).stem
        for article_id, url in store.execute("SELECT article_id, url FROM v_articles")
        if Path(url).stem in labels
    }


if __name__ == "__main__":
    main()

"""Alerts appended to a file as JSON lines: for `aiwatch demo`, and for scripts that pick
alerts up themselves."""

from __future__ import annotations

import json
from pathlib import Path

from alerts.channel import DeliveryResult
from alerts.render import Alert


class FileChannel:
    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, alert: Alert, alert_id: str) -> DeliveryResult:
        record = {"alert_id": alert_id, "subject": alert.subject, "text": alert.text}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
        except OSError as exc:
            return DeliveryResult(False, f"cannot write {self.path}: {exc.strerror}")
        return DeliveryResult(True)

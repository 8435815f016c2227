"""The interface every channel implements: `send(alert) -> DeliveryResult`. A channel never
raises into the dispatcher; it says whether to retry, and when."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from alerts.render import Alert


@dataclass(frozen=True)
class DeliveryResult:
    ok: bool
    error: str | None = None
    permanent: bool = False  # retrying cannot help (bad address, 404 webhook)
    retry_after: float | None = None  # seconds the receiver asked us to wait


class Channel(Protocol):
    def send(self, alert: Alert, alert_id: str) -> DeliveryResult:
        """Deliver `alert`; `alert_id` is stable across retries (Message-ID, block id)."""
        ...

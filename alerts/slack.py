"""Slack incoming webhooks through slack-sdk, as Block Kit with a text fallback. A 429 is
retried after the Retry-After the server asked for."""

from __future__ import annotations

from slack_sdk.webhook import WebhookClient

from alerts.channel import DeliveryResult
from alerts.render import Alert, slack_escape

TIMEOUT = 30


class SlackChannel:
    def __init__(self, webhook_url: str) -> None:
        self.client = WebhookClient(webhook_url, timeout=TIMEOUT)

    def send(self, alert: Alert, alert_id: str) -> DeliveryResult:
        blocks = [{**block, "block_id": f"{alert_id}-{i}"} for i, block in enumerate(alert.blocks)]
        try:
            response = self.client.send(
                text=slack_escape(alert.subject),
                blocks=blocks,
                unfurl_links=False,
                unfurl_media=False,
            )
        except OSError as exc:  # connection refused, DNS, timeout
            return DeliveryResult(False, f"Slack webhook unreachable: {type(exc).__name__}")
        if response.status_code == 200:
            return DeliveryResult(True)
        if response.status_code == 429:
            retry = response.headers.get("Retry-After") or response.headers.get("retry-after")
            return DeliveryResult(
                False, "Slack rate limit (429)", retry_after=float(retry) if retry else None
            )
        permanent = 400 <= response.status_code < 500
        return DeliveryResult(
            False,
            f"Slack answered {response.status_code}: {response.body[:200]}",
            permanent=permanent,
        )

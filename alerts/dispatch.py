"""Draining the outbox: deliver due alerts with retries and exponential backoff.

A delivery is claimed (state `sending`, a lease in `next_attempt_at`) and committed before
the network call, and marked `sent` right after it. If the process dies in between, the
lease runs out and the delivery is sent again with the same alert id (email Message-ID,
Slack block ids); nothing queued is ever lost, and a delivery marked `sent` is never sent
again. A failure is recorded on the delivery and never raised into the scheduler.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from alerts.channel import Channel, DeliveryResult
from alerts.email import EmailChannel
from alerts.feed import FeedChannel
from alerts.file import FileChannel
from alerts.render import Display, render
from alerts.slack import SlackChannel
from alerts.subscriptions import SubscriptionSpec
from store.models import AlertDelivery, Subscription
from store.types import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DispatchSettings:
    lease_seconds: float = 120.0
    backoff_seconds: float = 30.0
    max_attempts: int = 6
    batch: int = 100
    display: Display = field(default_factory=Display)


@dataclass
class DispatchSummary:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    recovered: int = 0


ChannelFactory = Callable[[Subscription], Channel]


def channel_factory(
    specs: list[SubscriptionSpec],
    smtp: dict[str, Any],
    environ: dict[str, str] | None = None,
    display: Display | None = None,
) -> ChannelFactory:
    """Channels built from the config (where the webhook URLs live, never in the store)."""
    by_name = {spec.name: spec for spec in specs}
    env = dict(os.environ) if environ is None else environ

    def make(subscription: Subscription) -> Channel:
        spec = by_name.get(subscription.name)
        if spec is None:
            raise LookupError(f"subscription {subscription.name!r} is not in the config")
        if spec.email:
            return EmailChannel(spec.email, smtp)
        if spec.file:
            return FileChannel(Path(spec.file).expanduser())
        if spec.feed:
            return FeedChannel(Path(spec.feed).expanduser(), spec.name, (display or Display()).zone)
        hook = spec.slack_webhook or ""
        if hook.startswith("env:"):
            hook = env.get(hook[4:], "")
            if not hook:
                raise LookupError(
                    f"subscription {spec.name!r}: ${spec.slack_webhook[4:]} is not set"
                )
        return SlackChannel(hook)

    return make


def dispatch_due(
    sessions: sessionmaker[Session],
    channels: ChannelFactory,
    settings: DispatchSettings | None = None,
    now: datetime | None = None,
) -> DispatchSummary:
    settings = settings or DispatchSettings()
    now = now or utcnow()
    summary = DispatchSummary()
    with sessions.begin() as session:
        summary.recovered = session.execute(
            update(AlertDelivery)
            .where(AlertDelivery.state == "sending", AlertDelivery.next_attempt_at <= now)
            .values(state="queued")
        ).rowcount
    if summary.recovered:
        log.warning(
            "re-sending alerts whose dispatcher stopped mid-delivery",
            extra={"count": summary.recovered},
        )
    with sessions() as session:
        due = session.execute(
            select(AlertDelivery.id, AlertDelivery.subscription_id, Subscription.mode)
            .join(Subscription, Subscription.id == AlertDelivery.subscription_id)
            .where(
                AlertDelivery.state == "queued",
                AlertDelivery.next_attempt_at <= now,
                Subscription.enabled.is_(True),
            )
            .order_by(AlertDelivery.id)
            .limit(settings.batch)
        ).all()
    groups: dict[Any, list[int]] = {}
    for delivery_id, subscription_id, mode in due:
        key = subscription_id if mode == "digest" else ("one", delivery_id)
        groups.setdefault(key, []).append(delivery_id)
    for ids in groups.values():
        _deliver(sessions, channels, ids, settings, now, summary)
    return summary


def _claim(session: Session, ids: list[int], lease_until: datetime) -> list[int]:
    """Take the deliveries still queued; a concurrent dispatcher cannot take them too."""
    claimed = []
    for delivery_id in ids:
        taken = session.execute(
            update(AlertDelivery)
            .where(AlertDelivery.id == delivery_id, AlertDelivery.state == "queued")
            .values(
                state="sending", attempts=AlertDelivery.attempts + 1, next_attempt_at=lease_until
            )
        ).rowcount
        if taken:
            claimed.append(delivery_id)
    return claimed


def _deliver(
    sessions: sessionmaker[Session],
    channels: ChannelFactory,
    ids: list[int],
    settings: DispatchSettings,
    now: datetime,
    summary: DispatchSummary,
) -> None:
    with sessions.begin() as session:
        ids = _claim(session, ids, now + timedelta(seconds=settings.lease_seconds))
    if not ids:
        return
    name = "?"
    try:
        with sessions() as session:
            deliveries = list(
                session.scalars(
                    select(AlertDelivery)
                    .where(AlertDelivery.id.in_(ids))
                    .order_by(AlertDelivery.id)
                )
            )
            subscription = session.get(Subscription, deliveries[0].subscription_id)
            assert subscription is not None
            digest = subscription.mode == "digest"
            alert = render(session, deliveries, digest, settings.display)
            alert_id = f"aiwatch-{deliveries[0].id}-{deliveries[0].revision}"
            name = subscription.name
            channel = channels(subscription)
        result = channel.send(alert, alert_id)
    except Exception as exc:  # a broken subscription or render must not stop the others
        result = DeliveryResult(False, f"{type(exc).__name__}: {exc}")
    with sessions.begin() as session:
        for delivery in session.scalars(select(AlertDelivery).where(AlertDelivery.id.in_(ids))):
            _record(delivery, result, settings, now, summary)
    extra = {"subscription": name, "deliveries": ids}
    if result.ok:
        log.info("alert sent", extra=extra)
    else:
        log.error("alert not sent", extra={**extra, "error": result.error})


def _record(
    delivery: AlertDelivery,
    result: DeliveryResult,
    settings: DispatchSettings,
    now: datetime,
    summary: DispatchSummary,
) -> None:
    if result.ok:
        delivery.state, delivery.sent_at, delivery.last_error = "sent", utcnow(), None
        summary.sent += 1
    elif result.permanent or delivery.attempts >= settings.max_attempts:
        delivery.state, delivery.last_error = "failed", result.error
        summary.failed += 1
    else:
        wait = result.retry_after or settings.backoff_seconds * 2 ** (delivery.attempts - 1)
        delivery.state, delivery.last_error = "queued", result.error
        delivery.next_attempt_at = now + timedelta(seconds=wait)
        summary.retrying += 1

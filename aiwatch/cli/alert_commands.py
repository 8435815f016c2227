"""Commands for subscriptions and alerts."""

from __future__ import annotations

import click

from aiwatch.app import App, pass_app
from aiwatch.cli.output import emit, format_options
from aiwatch.config import append_subscription, remove_subscription
from alerts.subscriptions import (
    SubscriptionError,
    SubscriptionSpec,
    read_subscriptions,
    resolve_entities,
    unknown_entities_message,
)
from store.vocabulary import EVENT_TYPES, REGULATION_STAGES


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _specs(app: App) -> list[SubscriptionSpec]:
    """The valid subscriptions; each skipped one is a warning on stderr."""
    specs, skipped = read_subscriptions(app.config.settings.subscriptions)
    for item in skipped:
        click.echo(f"Warning: {app.config_path}: {item.reason}; skipped", err=True)
    return specs


@click.group()
def subscriptions() -> None:
    """List, add, remove and test alert subscriptions (kept in the config file)."""


@subscriptions.command("list")
@format_options
@pass_app
def subscriptions_list(app: App, as_json: bool, as_csv: bool) -> None:
    """List subscriptions; Slack webhook URLs are never shown.

    \b
    Example:
      aiwatch subscriptions list --json
    """
    rows = [
        (
            s.name,
            s.channel,
            s.target,
            ",".join(s.events),
            ",".join(s.stages),
            ",".join([*s.entities, *(f"{e} (pending)" for e in s.pending_entities)]),
            s.mode,
            f"{s.at} {s.tz}" if s.mode == "digest" else "",
        )
        for s in _specs(app)
    ]
    emit(
        ["name", "channel", "target", "events", "stages", "entities", "mode", "digest_at"],
        rows,
        as_json=as_json,
        as_csv=as_csv,
    )


@subscriptions.command("add")
@click.argument("name")
@click.option("--email", help="Send alerts to this address.")
@click.option("--slack-webhook", help="Slack incoming-webhook URL, or env:VARIABLE.")
@click.option("--file", "file_", help="Append alerts to this file as JSON lines.")
@click.option("--feed", help="Keep an Atom feed of the subscription's events in this file.")
@click.option("--events", multiple=True, help=f"Event types: {', '.join(EVENT_TYPES)}.")
@click.option(
    "--stage", "stages", multiple=True, help=f"Regulation stages: {', '.join(REGULATION_STAGES)}."
)
@click.option(
    "--entity",
    "entities",
    multiple=True,
    help="Canonical key or any name (org:alibaba, アリババ, 阿里巴巴).",
)
@click.option(
    "--pending",
    is_flag=True,
    help="Accept --entity names aiwatch does not know yet; they match once it learns them.",
)
@click.option("--lang", "langs", multiple=True, help="Only events reported in: ja, zh, en.")
@click.option("--keyword", "keywords", multiple=True, help="Only events whose evidence says this.")
@click.option("--min-confidence", type=float, default=0.0, show_default=True)
@click.option(
    "--mode", type=click.Choice(["immediate", "digest"]), default="immediate", show_default=True
)
@click.option("--at", default="09:00", show_default=True, help="Digest time of day (HH:MM).")
@click.option("--tz", default="Asia/Tokyo", show_default=True, help="Digest time zone.")
@pass_app
def subscriptions_add(
    app: App,
    name: str,
    email: str | None,
    slack_webhook: str | None,
    file_: str | None,
    feed: str | None,
    events: tuple[str, ...],
    stages: tuple[str, ...],
    entities: tuple[str, ...],
    pending: bool,
    langs: tuple[str, ...],
    keywords: tuple[str, ...],
    min_confidence: float,
    mode: str,
    at: str,
    tz: str,
) -> None:
    """Add a subscription to the config file.

    \b
    Example:
      aiwatch subscriptions add policy-team --email team@example.jp --events regulation \\
          --mode digest --at 09:00 --tz Asia/Tokyo
      aiwatch subscriptions add models --slack-webhook env:AIWATCH_SLACK_MODELS \\
          --events model_release --entity org:alibaba
    """
    from aiwatch.settings import gazetteer_path

    if any(s.get("name") == name for s in app.config.settings.subscriptions):
        raise click.ClickException(f"a subscription named {name!r} already exists")
    with app.session_if_store() as session:
        known, unknown = resolve_entities(session, _split(entities), gazetteer_path(app.config))
    if unknown and not pending:
        raise click.ClickException(unknown_entities_message(name, unknown))
    for entity in unknown:
        click.echo(
            f"Warning: {entity!r} is not a known entity yet; {name} matches it once aiwatch "
            "learns the name (a new entity found in articles, or `aiwatch entities promote`)",
            err=True,
        )
    try:
        spec = SubscriptionSpec(
            name=name,
            email=email,
            slack_webhook=slack_webhook,
            file=file_,
            feed=feed,
            events=_split(events),
            stages=_split(stages),
            entities=known,
            pending_entities=unknown,
            langs=_split(langs),
            keywords=_split(keywords),
            min_confidence=min_confidence,
            mode=mode,
            at=at,
            tz=tz,
        )
    except SubscriptionError as exc:
        raise click.UsageError(str(exc)) from None
    append_subscription(app.config_path, spec.to_dict())
    click.echo(f"Added subscription {name} ({spec.channel}: {spec.target})")


@subscriptions.command("remove")
@click.argument("name")
@pass_app
def subscriptions_remove(app: App, name: str) -> None:
    """Remove a subscription (its delivery history stays in the store).

    \b
    Example:
      aiwatch subscriptions remove policy-team
    """
    if not remove_subscription(app.config_path, name):
        raise click.ClickException(f"no subscription named {name!r}")
    click.echo(f"Removed subscription {name}")


@subscriptions.command("test")
@click.argument("name")
@pass_app
def subscriptions_test(app: App, name: str) -> None:
    """Send a sample alert and report success or the exact failure (exit status 1).

    \b
    Example:
      aiwatch subscriptions test policy-team
    """
    from aiwatch.settings import display
    from alerts.dispatch import channel_factory
    from alerts.render import Alert, EventSummary
    from store.models import Subscription

    specs = {s.name: s for s in _specs(app)}
    if name not in specs:
        raise click.ClickException(f"no subscription named {name!r}")
    sample = EventSummary(
        0,
        "model_release",
        "テスト: aiwatch からの試験配信",
        [("組織", "百度"), ("モデル", "文心X2 (sample)")],
        [("ja", "これは試験配信です", "https://example.invalid/sample")],
        "",
        update=False,
    )
    alert = Alert("[aiwatch テスト] 配信設定の確認", [sample])
    spec = specs[name]
    channel = channel_factory(list(specs.values()), app.config.smtp, display=display(app.config))(
        Subscription(name=name, channel=spec.channel, target=spec.target)
    )
    result = channel.send(alert, f"aiwatch-test-{name}")
    if not result.ok:
        raise click.ClickException(f"{name}: {result.error}")
    click.echo(f"{name}: sample alert delivered ({spec.channel}: {spec.target})")


@click.group()
def alerts() -> None:
    """Inspect queued, sent and failed alerts."""


@alerts.command("list")
@click.option("--failed", is_flag=True, help="Only alerts that failed for good.")
@click.option("--limit", type=int, default=50, show_default=True)
@format_options
@pass_app
def alerts_list(app: App, failed: bool, limit: int, as_json: bool, as_csv: bool) -> None:
    """List alert deliveries, newest first, with state, attempts and the last error.

    \b
    Example:
      aiwatch alerts list --failed
    """
    from sqlalchemy import select

    from store.models import AlertDelivery, Subscription

    query = (
        select(AlertDelivery, Subscription.name)
        .join(Subscription, Subscription.id == AlertDelivery.subscription_id)
        .order_by(AlertDelivery.id.desc())
        .limit(limit)
    )
    if failed:
        query = query.where(AlertDelivery.state == "failed")
    with app.sessions() as session:
        rows = [
            (
                d.id,
                name,
                d.event_id,
                "update" if d.revision else "new",
                d.state,
                d.attempts,
                d.sent_at,
                d.last_error,
            )
            for d, name in session.execute(query)
        ]
    emit(
        [
            "alert_id",
            "subscription",
            "event_id",
            "kind",
            "state",
            "attempts",
            "sent_at",
            "last_error",
        ],
        rows,
        as_json=as_json,
        as_csv=as_csv,
    )


COMMANDS = [subscriptions, alerts]

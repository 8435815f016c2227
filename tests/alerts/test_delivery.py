"""Alerts from real events to a real SMTP server and a real webhook endpoint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from alerts.dispatch import DispatchSettings, channel_factory, dispatch_due
from alerts.subscriptions import SubscriptionError, SubscriptionSpec, sync_subscriptions
from nlp.process import process_pending
from store.articles import ArticleRecord, save_article
from store.models import AlertDelivery, Event, Subscription
from tests.conftest import SmtpServer, StoreHandle, Webhook

GLM5_ZH = (
    "智谱发布新一代开源大模型GLM-5 <!channel> & <b>",
    "智谱今天在北京发布新一代基座模型GLM-5,并宣布以开源方式提供模型权重。",
)
GLM5_JA = ("智譜AI、新モデルGLM-5を発表", "中国の智譜AIは新たな基盤モデルGLM-5を発表した。")
LABELING = (
    "人工智能生成合成内容标识办法今日起施行",
    "国家互联网信息办公室发布的人工智能生成合成内容标识办法自9月1日起正式施行。",
)
NOW = datetime(2026, 3, 20, 8, tzinfo=UTC)


def _smtp(server: SmtpServer) -> dict[str, object]:
    return {
        "host": server.host,
        "port": server.port,
        "security": "none",
        "username": "",
        "password": "",
        "from": "aiwatch@example.jp",
    }


def _events(
    store: StoreHandle, specs: list[SubscriptionSpec], *articles: tuple[str, str, str]
) -> None:
    with store.sessions.begin() as s:
        sync_subscriptions(s, specs)
        for i, (title, body, lang) in enumerate(articles):
            save_article(
                s,
                ArticleRecord(
                    f"https://e/{i}", title, body, lang, published_at=NOW + timedelta(hours=i)
                ),
            )
    process_pending(store.sessions)


def _states(store: StoreHandle) -> list[tuple[str, int, str]]:
    with store.sessions() as s:
        return [
            (d.state, d.attempts, d.last_error or "")
            for d in s.scalars(select(AlertDelivery).order_by(AlertDelivery.id))
        ]


@pytest.mark.slow
def test_email_and_slack_alert_one_event(
    store: StoreHandle, smtp_server: SmtpServer, webhook: Webhook
) -> None:
    specs = [
        SubscriptionSpec(name="mail", email="team@example.jp", events=["model_release"]),
        SubscriptionSpec(name="slack", slack_webhook=webhook.url, entities=["智谱"]),
    ]
    _events(store, specs, (*GLM5_ZH, "zh-Hans"))
    summary = dispatch_due(store.sessions, channel_factory(specs, _smtp(smtp_server)))
    assert summary.sent == 2
    [mail] = smtp_server.wait_for(1)
    assert mail["Subject"] == "[aiwatch] 新モデル発表: 智譜AI 「GLM-5」"
    assert mail["To"] == "team@example.jp"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "GLM-5" in text and "&lt;!channel&gt; &amp; &lt;b&gt;" in html and "<b>" not in html
    [payload] = webhook.received()
    body = str(payload["blocks"])
    assert "&lt;!channel&gt; &amp; &lt;b&gt;" in body and "<!channel>" not in body
    assert "<https://e/0|" in body  # the article link
    assert dispatch_due(store.sessions, channel_factory(specs, _smtp(smtp_server))).sent == 0


@pytest.mark.slow
def test_slack_429_waits_retry_after_then_delivers(store: StoreHandle, webhook: Webhook) -> None:
    specs = [SubscriptionSpec(name="slack", slack_webhook=webhook.url)]
    _events(store, specs, (*GLM5_ZH, "zh-Hans"))
    webhook.script([429, 500])
    channels = channel_factory(specs, {})
    now = datetime.now(UTC)
    assert dispatch_due(store.sessions, channels, now=now).retrying == 1
    [(state, attempts, error)] = _states(store)
    assert (state, attempts) == ("queued", 1) and "429" in error
    assert dispatch_due(store.sessions, channels, now=now).sent == 0  # Retry-After not yet over
    assert dispatch_due(store.sessions, channels, now=now + timedelta(seconds=2)).retrying == 1
    later = now + timedelta(seconds=2 + 60 + 1)  # 500 on attempt 2: backoff 30 s * 2^1
    assert dispatch_due(store.sessions, channels, now=later).sent == 1
    assert len(webhook.received()) == 1 and _states(store)[0][:2] == ("sent", 3)


@pytest.mark.slow
def test_permanent_failure_is_kept_with_its_error(
    store: StoreHandle, webhook: Webhook, cli_store: object
) -> None:
    specs = [SubscriptionSpec(name="slack", slack_webhook=webhook.url)]
    _events(store, specs, (*GLM5_ZH, "zh-Hans"))
    webhook.script([404])
    assert dispatch_due(store.sessions, channel_factory(specs, {})).failed == 1
    [(state, attempts, error)] = _states(store)
    assert (state, attempts) == ("failed", 1) and "404" in error
    assert webhook.url not in error  # the secret URL never lands in the store or logs


@pytest.mark.slow
def test_mail_server_down_is_retried_not_raised(store: StoreHandle) -> None:
    specs = [SubscriptionSpec(name="mail", email="team@example.jp")]
    _events(store, specs, (*GLM5_ZH, "zh-Hans"))
    smtp = {"host": "127.0.0.1", "port": 1, "security": "none", "from": "a@example.jp"}
    settings = DispatchSettings(max_attempts=2, backoff_seconds=1)
    now = datetime.now(UTC)
    assert dispatch_due(store.sessions, channel_factory(specs, smtp), settings, now).retrying == 1
    later = now + timedelta(seconds=5)
    assert dispatch_due(store.sessions, channel_factory(specs, smtp), settings, later).failed == 1
    [(state, attempts, error)] = _states(store)
    assert (state, attempts) == ("failed", 2) and "unreachable" in error


@pytest.mark.slow
def test_digest_groups_events_and_waits_for_its_time(
    store: StoreHandle, smtp_server: SmtpServer
) -> None:
    specs = [
        SubscriptionSpec(
            name="digest", email="team@example.jp", mode="digest", at="09:00", tz="Asia/Tokyo"
        )
    ]
    _events(store, specs, (*GLM5_ZH, "zh-Hans"), (*LABELING, "zh-Hans"))
    channels = channel_factory(specs, _smtp(smtp_server))
    assert dispatch_due(store.sessions, channels).sent == 0  # not 09:00 JST yet
    summary = dispatch_due(store.sessions, channels, now=datetime.now(UTC) + timedelta(days=1))
    assert summary.sent == 2
    [mail] = smtp_server.wait_for(1)
    assert mail["Subject"] == "[aiwatch ダイジェスト] 新モデル発表 1件、規制の動き 1件"
    text = mail.get_body(("plain",)).get_content()
    assert text.index("規制の動き") < text.index("新モデル発表: 智譜AI")  # grouped by type


@pytest.mark.slow
def test_filters_select_events(store: StoreHandle, webhook: Webhook) -> None:
    specs = [
        SubscriptionSpec(
            name="policy", slack_webhook=webhook.url, events=["regulation"], stages=["effective"]
        ),
        SubscriptionSpec(name="alibaba", slack_webhook=webhook.url, entities=["アリババ"]),
        SubscriptionSpec(name="sure", slack_webhook=webhook.url, min_confidence=0.9),
    ]
    _events(store, specs, (*GLM5_ZH, "zh-Hans"), (*LABELING, "zh-Hans"))
    with store.sessions() as s:
        names = {sub.id: sub.name for sub in s.scalars(select(Subscription))}
        queued = {(names[d.subscription_id], d.event_id) for d in s.scalars(select(AlertDelivery))}
        events = list(s.scalars(select(Event)))
    effective = {e.id for e in events if e.type == "regulation" and e.stage == "effective"}
    sure = {e.id for e in events if e.confidence >= 0.9}
    assert effective and len(events) == 2
    assert {e for n, e in queued if n == "policy"} == effective
    assert {e for n, e in queued if n == "sure"} == sure
    assert not {e for n, e in queued if n == "alibaba"}  # neither event is Alibaba's


@pytest.mark.slow
def test_other_language_adds_no_alert_and_a_new_fact_one_update(
    store: StoreHandle, webhook: Webhook
) -> None:
    specs = [SubscriptionSpec(name="slack", slack_webhook=webhook.url)]
    _events(store, specs, (*GLM5_ZH, "zh-Hans"), (*GLM5_JA, "ja"))
    with store.sessions() as s:
        assert [d.revision for d in s.scalars(select(AlertDelivery))] == [0]
    with store.sessions.begin() as s:
        save_article(
            s,
            ArticleRecord(
                "https://e/9",
                "GLM-5の詳細",
                "智譜AIが公開したGLM-5はパラメータ数3550億のモデルだ。",
                "ja",
                published_at=NOW + timedelta(hours=5),
            ),
        )
    process_pending(store.sessions)
    with store.sessions() as s:
        assert sorted(d.revision for d in s.scalars(select(AlertDelivery))) == [0, 1]
    dispatch_due(store.sessions, channel_factory(specs, {}))
    subjects = [p["text"] for p in webhook.received()]
    assert len(subjects) == 2 and subjects[1].startswith("[aiwatch 更新]")


def test_subscription_validation_messages() -> None:
    with pytest.raises(SubscriptionError, match="exactly one of"):
        SubscriptionSpec(name="x")
    with pytest.raises(SubscriptionError, match="unknown event type"):
        SubscriptionSpec(name="x", email="a@b.jp", events=["ipo"])
    with pytest.raises(SubscriptionError, match="time zone"):
        SubscriptionSpec(name="x", email="a@b.jp", tz="Mars/Olympus")

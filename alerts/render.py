"""What an alert says: what happened, the organization and model or the law and stage, the
dates, and the articles in each language with links. Rendered as plain text, HTML (article
text escaped) and Slack Block Kit (& < > escaped, so no article can ping @channel or inject
a link)."""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import AlertDelivery, Article, Entity, Event, EventArticle, Subscription

TYPE_JA = {"model_release": "新モデル発表", "regulation": "規制の動き"}
STAGE_JA = {
    "draft": "意見募集案",
    "published": "公布",
    "effective": "施行",
    "amended": "改正",
    "enforcement": "執行・取り締まり",
}
MENTION_JA = {  # the release classifier's kinds of mention (nlp.event_features.RELEASE_CLASSES)
    "news": "新規リリースの報道",
    "comparison": "比較対象",
    "earlier": "過去のリリース",
    "plan": "計画・うわさ",
    "price": "価格改定",
    "mention": "言及のみ",
}
LANG_JA = {"ja": "日本語", "zh-Hans": "中国語(簡体)", "zh-Hant": "中国語(繁体)", "en": "英語"}
MAX_ARTICLES = 8
FILTER_JA = {
    "events": "種類",
    "stages": "段階",
    "entity_keys": "エンティティ",
    "langs": "言語",
    "keywords": "キーワード",
    "min_confidence": "最低確度",
}


@dataclass(frozen=True)
class Display:
    """How people read times and follow up: the [display] settings."""

    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Tokyo"))
    base_url: str = ""

    def story_link(self, story_id: int) -> str:
        if self.base_url:
            return f"{self.base_url.rstrip('/')}/-/aiwatch/story/{story_id}"
        return f"aiwatch story {story_id}"


@dataclass
class EventSummary:
    event_id: int
    type: str
    headline: str
    facts: list[tuple[str, str]]
    articles: list[tuple[str, str, str]]  # (lang, title, url)
    evidence: str
    update: bool
    story_id: int | None = None


@dataclass
class Alert:
    subject: str
    events: list[EventSummary] = field(default_factory=list)
    reason: str = ""  # why the subscriber got it: the filter that matched

    @property
    def text(self) -> str:
        lines = [self.subject, ""]
        for event in self.events:
            lines.append(("【更新】" if event.update else "") + event.headline)
            lines += [f"  {name}: {value}" for name, value in event.facts]
            lines += [
                f"  [{LANG_JA.get(lang, lang)}] {title}\n    {url}"
                for lang, title, url in event.articles
            ]
            lines.append("")
        if self.reason:
            lines.append(self.reason)
        return "\n".join(lines)

    @property
    def html(self) -> str:
        e = html.escape
        parts = [f"<h2>{e(self.subject)}</h2>"]
        for event in self.events:
            marker = "<strong>【更新】</strong>" if event.update else ""
            parts.append(f"<h3>{marker}{e(event.headline)}</h3><ul>")
            parts += [f"<li>{e(name)}: {e(value)}</li>" for name, value in event.facts]
            parts.append("</ul><ul>")
            parts += [
                f'<li>[{e(LANG_JA.get(lang, lang))}] <a href="{e(url, quote=True)}">'
                f"{e(title)}</a></li>"
                for lang, title, url in event.articles
            ]
            parts.append(f"</ul><blockquote>{e(event.evidence)}</blockquote>")
        if self.reason:
            parts.append(f"<p>{e(self.reason)}</p>")
        return "<html><body>" + "".join(parts) + "</body></html>"

    @property
    def blocks(self) -> list[dict[str, Any]]:
        blocks: list[dict[str, Any]] = [
            {"type": "header", "text": {"type": "plain_text", "text": self.subject[:150]}}
        ]
        for event in self.events:
            marker = "*【更新】* " if event.update else ""
            facts = "\n".join(f"• {slack_escape(n)}: {slack_escape(v)}" for n, v in event.facts)
            links = "\n".join(
                f"• [{LANG_JA.get(lang, lang)}] <{slack_url(url)}|{slack_escape(title)}>"
                for lang, title, url in event.articles
            )
            text = f"{marker}*{slack_escape(event.headline)}*\n{facts}\n{links}"
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}})
        if self.reason:
            reason = {"type": "mrkdwn", "text": slack_escape(self.reason)}
            blocks.append({"type": "context", "elements": [reason]})
        return blocks


def slack_escape(text: str) -> str:
    """Slack's three control characters; <!channel> becomes harmless text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_url(url: str) -> str:
    return slack_escape(url).replace("|", "%7C")


def summarize(
    session: Session, event: Event, update: bool, display: Display | None = None
) -> EventSummary:
    display = display or Display()
    names = {
        e.id: e
        for e in session.scalars(
            select(Entity).where(
                Entity.id.in_([i for i in (event.org_id, event.model_id, event.law_id) if i])
            )
        )
    }

    def name(entity_id: int | None) -> str:
        entity = names.get(entity_id) if entity_id else None
        if entity is None:
            return "—"
        return entity.name_ja or entity.name_zh or entity.name_en or entity.key

    facts_raw = event.facts or {}
    if event.type == "model_release":
        headline = f"{TYPE_JA[event.type]}: {name(event.org_id)} 「{name(event.model_id)}」"
        facts = [("組織", name(event.org_id)), ("モデル", name(event.model_id))]
        if facts_raw.get("open_weights"):
            facts.append(("重み公開", "あり"))
        if facts_raw.get("parameters"):
            facts.append(("パラメータ数", str(facts_raw["parameters"])))
    else:
        stage = STAGE_JA.get(event.stage or "", event.stage or "")
        headline = f"{TYPE_JA[event.type]}: {name(event.law_id)}({stage})"
        facts = [("法令", name(event.law_id)), ("段階", stage), ("発出機関", name(event.org_id))]
        for key, label in (("comment_deadline", "意見募集期限"), ("effective_date", "施行日")):
            if facts_raw.get(key):
                facts.append((label, str(facts_raw[key])))
    if event.event_date:
        facts.append(("日付", event.event_date.date().isoformat()))
    facts.append(("確度", f"{event.confidence:.2f}"))
    if facts_raw.get("mention"):  # the kind of mention the release classifier decided
        facts.append(("判定", MENTION_JA.get(str(facts_raw["mention"]), str(facts_raw["mention"]))))
    if facts_raw.get("decision"):  # the classifier's largest terms: why this is an event
        facts.append(("判定根拠", str(facts_raw["decision"])))
    reported = event.first_reported_at.astimezone(display.zone)
    facts.append(("初報", reported.strftime("%Y-%m-%d %H:%M %Z")))
    facts.append(("イベント", f"#{event.id}"))
    if event.story_id:
        facts.append(("ストーリー", f"#{event.story_id} {display.story_link(event.story_id)}"))
    rows = session.execute(
        select(Article.lang, Article.title, Article.url, EventArticle.evidence)
        .join(EventArticle, EventArticle.article_id == Article.id)
        .where(EventArticle.event_id == event.id)
        .order_by(Article.lang, Article.id)
    ).all()
    articles = [(lang, title, url) for lang, title, url, _ in rows[:MAX_ARTICLES]]
    evidence = rows[0][3] if rows else ""
    return EventSummary(
        event.id, event.type, headline, facts, articles, evidence, update, event.story_id
    )


def reason(subscription: Subscription | None) -> str:
    """One line on why the subscriber got the alert: its name and the filter that matched."""
    if subscription is None:
        return ""
    filters = subscription.filters or {}
    parts = [
        f"{label}: {', '.join(map(str, value)) if isinstance(value, list) else value}"
        for key, label in FILTER_JA.items()
        if (value := filters.get(key))
    ]
    return f"配信理由: 購読「{subscription.name}」の条件 ({'; '.join(parts) or 'すべてのイベント'})"


def render(
    session: Session,
    deliveries: list[AlertDelivery],
    digest: bool,
    display: Display | None = None,
) -> Alert:
    """One alert for one event, or a digest of several grouped by event type."""
    summaries = [
        summarize(session, session.get(Event, d.event_id), d.revision > 0, display)  # type: ignore[arg-type]
        for d in deliveries
    ]
    why = reason(session.get(Subscription, deliveries[0].subscription_id))
    if not digest:
        summary = summaries[0]
        prefix = "[aiwatch 更新] " if summary.update else "[aiwatch] "
        return Alert(prefix + summary.headline, summaries, why)
    grouped: dict[str, list[EventSummary]] = defaultdict(list)
    for summary in summaries:
        grouped[summary.type].append(summary)
    ordered = [s for type_ in ("regulation", "model_release") for s in grouped.get(type_, [])]
    counts = "、".join(f"{TYPE_JA[t]} {len(v)}件" for t, v in grouped.items())
    return Alert(f"[aiwatch ダイジェスト] {counts}", ordered, why)

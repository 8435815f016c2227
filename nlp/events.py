"""Events: a new AI model release, and a regulation change (draft, published, effective,
amended, enforcement).

Every model and law an article names is a candidate (nlp.event_features); the trained
classifier (nlp.event_model) decides whether it is an event the article reports as news
and, for a law, which stage. The event keeps the sentences that name it as evidence, the
classifier's probability as confidence, and the terms that decided it (facts["decision"]),
so `aiwatch story N` and the alert can say why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

import numpy as np

from nlp.dates import find_dates
from nlp.entities import Found
from nlp.event_features import Candidate, add_article_features, find_candidates, stage_named
from nlp.event_model import EventModel
from nlp.gazetteer import Gazetteer
from nlp.model_names import ModelNames
from nlp.sentences import sentences

OPEN_WEIGHTS = re.compile(
    r"开源|开放权重|权重|オープンソース|オープンウェイト|重み|open[- ]weights?|"
    r"open[- ]source|weights"
)
CLOSED = re.compile(
    r"(?:未|不|没有|沒有|并未|並未)(?:开放|開放|开源|開源)|クローズド|非公開|closed|not open"
)
FOLLOW_UP_KINDS = {"news", "mention"}
FOLLOW_UP_FACTS = {"open_weights", "parameters"}  # facts a later article may add to a release
PARAMS = re.compile(r"(\d+(?:\.\d+)?)\s*(亿|億|万亿|兆|[bB](?![a-z])|billion|trillion)")
ARTICLE_KINDS = {  # what kind of article it is: features, not verdicts
    "rumour": re.compile(
        r"据悉.{0,10}(正在|准备|计划)|传闻|或将|准备推出|準備している|準備か|知情人士|消息人士|"
        r"とされる|関係者によると|reportedly|is said to|rumou?r|people familiar with"
    ),
    "price": re.compile(r"降价|下调|値下げ|引き下げ|price cut|cuts? prices?"),
    "benchmark": re.compile(r"评测|榜单|排行|ランキング|benchmark|leaderboard"),
    "earnings": re.compile(r"营收|财报|业绩|決算|売上高|revenue|earnings|quarterly results"),
    "opinion": re.compile(  # case-blind: English titles write "Opinion:", "Analysis:"
        r"^评论|^社评|^观点|^【?觀點|^〈視点|^[〈【]解説|^解读[:：]|コラム|^論説|何が違う|"
        r"opinion|analysis:|explainer:",
        re.I,
    ),
    "funding": re.compile(r"融资|融資|领投|資金調達|出資|投资|投資|funding|raises?|investment"),
    "anniversary": re.compile(  # "施行から1年", "发布一年后", "A year on": looking back
        r"から(?:\d{1,2}|[一二三四五六七八九十]+)年|(?<!\d)\d{1,2}周年|[一二两三四五六七八九十]周年|"
        r"(?:(?<!\d)\d{1,2}|[一二两三四五六七八九十])年(?:后|後|来|以来)|"
        r"(?:years?|months?) (?:after|since|on)\b|"
        r"a year on|anniversary",
        re.I,
    ),
}
DEADLINE = re.compile(r"截止|まで")
EFFECTIVE_DATE = re.compile(r"起施行|起正式施行|施行|生效|take effect|in(?:to)? force")
REPORT_WINDOW_DAYS = 14  # the day a release or stage happened is at most this long before
EVIDENCE_SENTENCES = 3


@dataclass
class DetectedEvent:
    type: str
    key: str  # identity of the real-world event
    org_key: str | None
    model_key: str | None = None
    law_key: str | None = None
    stage: str | None = None
    event_date: date | None = None
    facts: dict[str, object] = field(default_factory=dict)
    evidence: list[str] = field(default_factory=list)
    confidence: float = 0.0


@cache
def model_names(gazetteer: Gazetteer) -> ModelNames:
    """The model index of a gazetteer, built once per loaded gazetteer."""
    return ModelNames(gazetteer)


def article_kinds(title: str, body: str) -> dict[str, float]:
    """Whether the title and lead read like a rumour, a price cut, a benchmark, earnings,
    an opinion piece or a funding round."""
    lead = title + "\n" + body[:200]
    return {
        f"article_{kind}": float(bool(pattern.search(title if kind == "opinion" else lead)))
        for kind, pattern in ARTICLE_KINDS.items()
    }


def candidates_of(
    texts: tuple[str, str],
    found_in: tuple[list[Found], list[Found]],
    gazetteer: Gazetteer,
    published: datetime,
    article: tuple[np.ndarray | None, dict[str, list[float]]],
) -> list[Candidate]:
    """The article's candidates (title and body, what was found in each) with every feature
    the classifier reads; `article` is its vector and the learnt centroids."""
    title, body = texts
    names = model_names(gazetteer)
    found = find_candidates(title, body, *found_in, gazetteer, names, published)
    vector, centroids = article
    add_article_features(found, vector, centroids)
    kinds = article_kinds(title, body)
    for cand in found:
        cand.features.update(kinds)
    return found


def is_commentary(title: str) -> bool:
    """Whether the title marks the piece as commentary or an explainer (评论：, 〈視点〉,
    〈解説〉, "Analysis:"): it reports no event and joins no event's story."""
    return bool(ARTICLE_KINDS["opinion"].search(title))


def detect_reports(
    title: str,
    body: str,
    title_found: list[Found],
    body_found: list[Found],
    gazetteer: Gazetteer,
    published: datetime,
    vector: np.ndarray | None = None,
    model: EventModel | None = None,
) -> tuple[list[DetectedEvent], list[DetectedEvent]]:
    """(events reported as news, follow-ups); `published` is aware, in the article's zone,
    and a piece its title marks as commentary (评论:, 〈視点〉, Opinion:) reports none. A
    follow-up is a model the article names
    without reporting its release, with a fact about it (parameters, open weights) that may
    update a release already stored; it never makes an event of its own."""
    if is_commentary(title):
        return [], []
    model = model or EventModel.load()
    found = candidates_of(
        (title, body), (title_found, body_found), gazetteer, published, (vector, model.centroids)
    )
    events, follow_ups = [], []
    for cand in found:
        event = _decide(cand, gazetteer, model, published)
        if event is not None:
            events.append(event)
        elif _follows_up(cand, model):
            update = _release(cand, gazetteer)
            if set(update.facts) & FOLLOW_UP_FACTS:
                follow_ups.append(update)
    regulations = [e for e in events if e.type == "regulation"]
    if len(regulations) == 1:  # "修订后的办法自…起施行": a date in a sentence naming no law
        for key, value in dated_facts(body, published).items():
            regulations[0].facts.setdefault(key, value)
    reported = {e.key for e in events}
    return events, [f for f in follow_ups if f.key not in reported]


def _decide(
    cand: Candidate, gazetteer: Gazetteer, model: EventModel, published: datetime
) -> DetectedEvent | None:
    """The event a candidate is, if the classifier says the article reports it as news,
    with the classifier's verdict kept: facts["mention"] (for a model: news, comparison,
    earlier, plan, price or mention) and facts["decision"] (its largest terms)."""
    if cand.kind == "model_release":
        kinds = model.release.probabilities(cand.features)
        p, threshold = news_score(kinds), model.release.threshold
        terms = model.release.terms(cand.features, "news")
    elif not stage_named(cand.features):
        return None  # no draft, publication, effect, amendment or enforcement said at all
    else:
        p, threshold = model.regulation.probability(cand.features), model.regulation.threshold
        terms = model.regulation.terms(cand.features)
    if p < threshold:
        return None
    if cand.kind == "model_release":
        event = _release(cand, gazetteer)
        event.facts["mention"] = "news"
    else:
        event = _regulation(cand, gazetteer, model, published)
        if (
            event.stage == "effective"
            and cand.features["effect_later"] > cand.features["effect_now"]
        ):
            return None  # 施行まで半年, "takes effect in January": not in force yet
    event.confidence = round(p, 3)
    verdict = event.facts.get("mention") or event.stage
    said = ", ".join(f"{name} {weight:+.2f}" for name, weight in terms)
    event.facts["decision"] = f"{verdict}: {said}"
    _date_event(event, published)
    return event


def news_score(kinds: dict[str, float]) -> float:
    """p(news) when news is the kind of mention the classifier finds most likely, else 0:
    a model more likely a comparison than news is a comparison, however close the call."""
    return kinds["news"] if max(kinds, key=kinds.__getitem__) == "news" else 0.0


def _follows_up(cand: Candidate, model: EventModel) -> bool:
    """A model the article leads with (title or lead) and names in passing or as news
    below the threshold: its facts may update a stored release. A comparison, an earlier
    release, a plan or a price change is background, not a report of that release."""
    if cand.kind != "model_release" or not (cand.features["in_title"] or cand.features["in_lead"]):
        return False
    return model.release.predict(cand.features)[0] in FOLLOW_UP_KINDS


def _release(cand: Candidate, gazetteer: Gazetteer) -> DetectedEvent:
    assert cand.ref is not None
    said = " ".join(cand.evidence)
    facts: dict[str, object] = {"version": cand.ref.found.surface}
    if any(OPEN_WEIGHTS.search(s) and not CLOSED.search(s) for s in cand.evidence):
        facts["open_weights"] = True
    params = PARAMS.search(_without_other_models(said, cand.key, gazetteer))
    if params:
        facts["parameters"] = params.group(0)
    return DetectedEvent(
        type="model_release",
        key=f"model_release:model:{cand.identity}",
        org_key=_developer(cand, gazetteer),
        model_key=cand.key,
        facts=facts,
        evidence=cand.evidence[:EVIDENCE_SENTENCES],
    )


def _without_other_models(text: str, key: str, gazetteer: Gazetteer) -> str:
    """`text` with the names of other models blanked: the size in `Qwen2.5-72B` or
    `Llama 3.1 405B` is that model's, not a parameter count of the one reported."""
    for m in gazetteer.match(text):
        if m.key.startswith("model:") and m.key != key:
            text = text[: m.start] + " " * (m.end - m.start) + text[m.end :]
    return text


def _developer(cand: Candidate, gazetteer: Gazetteer) -> str | None:
    assert cand.ref is not None
    entry = gazetteer.entries.get(cand.key) or gazetteer.entries.get(cand.ref.found.family or "")
    if entry is not None:
        developer = entry.links.get("developer")
        family = gazetteer.entries.get(entry.links.get("family", ""))
        developer = developer or (family.links.get("developer") if family else None)
        if developer:
            return developer
    family_key = cand.ref.found.family or ""
    return family_key if family_key.startswith("org:") else None


def _regulation(
    cand: Candidate, gazetteer: Gazetteer, model: EventModel, published: datetime
) -> DetectedEvent:
    stage = (  # a dated rule reported in the days after its issue: its publication
        "published" if cand.features.get("edition") else model.stage.predict(cand.features)[0]
    )
    entry = gazetteer.entries.get(cand.key)
    issuer = entry.links.get("issuer") if entry else None
    govs = [
        m.key
        for sentence in cand.evidence
        for m in gazetteer.match(sentence)
        if m.key.startswith("gov:")
    ]
    if stage == "enforcement" and cand.govs:
        org = cand.govs[0]  # the body that acted, named first (Italy's Garante under the GDPR)
    else:
        org = issuer if issuer and len(set(govs)) > 1 else govs[0] if govs else issuer
    facts: dict[str, object] = {}
    if cand.features.get("unlinked"):
        facts["unlinked"] = True  # a law the recogniser found, not one the gazetteer knows
    for sentence in cand.evidence:
        for key, value in dated_facts(sentence, published).items():
            facts.setdefault(key, value)
    return DetectedEvent(
        type="regulation",
        key=f"regulation:{cand.key}:{stage}",
        org_key=org,
        law_key=cand.key,
        stage=stage,
        facts=facts,
        evidence=cand.evidence[:EVIDENCE_SENTENCES],
    )


def _date_event(event: DetectedEvent, published: datetime) -> None:
    """The day of the release or stage: an effective stage's effective date, else the first
    date in the evidence no later than the publication (a month-only one stays a month:
    facts["event_month"], event_date its first day), else the publication day."""
    effective = event.facts.get("effective_date")
    if event.stage == "effective" and isinstance(effective, str) and len(effective) == 10:
        event.event_date = date.fromisoformat(effective)
        return
    today = published.date()
    for sentence in event.evidence:
        for found in find_dates(sentence, published):
            if 0 <= (today - found.day).days <= REPORT_WINDOW_DAYS:
                event.event_date = found.day
                if found.granularity != "day":
                    event.facts["event_month"] = found.month
                return
    event.event_date = today


def dated_facts(text: str, published: datetime) -> dict[str, object]:
    """Comment deadlines and effective dates named in `text` (截止时间为<date>, <date>まで,
    自<date>起施行); the first of each kind wins."""
    facts: dict[str, object] = {}
    for sentence in sentences(text):
        for found in find_dates(sentence.text, published):
            if found.granularity == "week":
                continue
            around = sentence.text[max(0, found.start - 12) : found.end + 16]
            value = found.day.isoformat() if found.granularity == "day" else found.month
            if DEADLINE.search(around):
                facts.setdefault("comment_deadline", value)
            elif EFFECTIVE_DATE.search(around):
                facts.setdefault("effective_date", value)
    return facts

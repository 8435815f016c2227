"""Events: a new AI model release, and a regulation change (draft, published, effective,
amended, enforcement).

Rules over linked entities and cue words, sentence by sentence, so every event can be
explained by the sentences stored as its evidence. An article that is a rumour, a price
cut, a benchmark, an earnings report or an opinion piece reports no event, and neither
does a sentence about something that happened last year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from nlp.dates import find_dates
from nlp.entities import Found
from nlp.gazetteer import Gazetteer
from nlp.model_names import ModelNames, ModelRef

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?|[^.\n]+(?:\.(?=\s|$))?")
RELEASE = re.compile(
    r"发布|推出|开源|上线|亮相|公開|発表|リリース|投入|released?|launch(?:es|ed)?|unveil|open-sourc"
)
OPEN_WEIGHTS = re.compile(
    r"开源|开放权重|权重|オープンソース|オープンウェイト|重み|open[- ]weights?|"
    r"open[- ]source|weights"
)
PARAMS = re.compile(r"(\d+(?:\.\d+)?)\s*(亿|億|万亿|兆|[bB](?![a-z])|billion|trillion)")
STAGES = (  # first match wins: the most specific stage first
    (
        "enforcement",
        re.compile(
            r"执法|查处|处罚|下架|约谈|取り締まり|削除させ|是正を命じ|罰金|"
            r"enforcement|fined|penal"
        ),
    ),
    ("amended", re.compile(r"修订|修改|改正|amend|revis")),
    (
        "draft",
        re.compile(
            r"征求意见|意见稿|草案|意見を?募集|意見公募|パブリックコメント|draft|"
            r"public comment"
        ),
    ),
    (
        "effective",
        re.compile(
            r"起施行|起正式施行|正式施行|施行された|施行した|が施行|を施行|"
            r"took effect|takes effect|came into force|生效"
        ),
    ),
    ("published", re.compile(r"印发|公布|发布|公表|発表|published|issued|unveiled")),
)
NOT_AN_EVENT = {
    "rumour": re.compile(
        r"据悉.{0,10}(正在|准备|计划)|传闻|或将|准备推出|準備している|準備か|"
        r"とされる|関係者によると|reportedly|is said to|rumou?r"
    ),
    "price": re.compile(r"降价|下调|値下げ|引き下げ|price cut|cuts? prices?"),
    "benchmark": re.compile(r"评测|榜单|排行|ランキング|benchmark|leaderboard"),
    "earnings": re.compile(r"营收|财报|业绩|決算|売上高|revenue|earnings|quarterly results"),
    "opinion": re.compile(r"^评论|^社评|^观点|コラム|^論説|何が違う|opinion|analysis:"),
}
PAST = re.compile(r"去年|前年|一年后|回头看|昨年|last year|a year ago")
DEADLINE = re.compile(r"截止|まで")
EFFECTIVE_DATE = re.compile(r"起施行|起正式施行|施行|生效|take effect|in(?:to)? force")
REPORT_WINDOW_DAYS = 14  # the day a release or stage happened is at most this long before


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


def _sentences(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in _SENTENCE.finditer(text) if m.group().strip()]


def not_an_event(title: str, body: str) -> str | None:
    """Why this article reports no event (a rumour, a price cut ...), or None."""
    lead = title + "\n" + body[:200]
    for reason, pattern in NOT_AN_EVENT.items():
        if pattern.search(title if reason == "opinion" else lead):
            return reason
    return None


def detect_events(
    title: str,
    body: str,
    title_found: list[Found],
    body_found: list[Found],
    gazetteer: Gazetteer,
    published: datetime,
) -> list[DetectedEvent]:
    if not_an_event(title, body):
        return []
    names = model_names(gazetteer)
    title_found = [*title_found, *names.bare_versions(title, title_found + body_found)]
    body_found = [*body_found, *names.bare_versions(body, title_found + body_found)]
    versions = _versions(names, [*title_found, *body_found])
    events: dict[str, DetectedEvent] = {}
    texts = [(title, title_found, True), (body, body_found, False)]
    for text, found, in_title in texts:
        for start, end, sentence in _sentences(text):
            if PAST.search(sentence):
                continue
            here = [f for f in found if start <= f.start < end]
            for event in (
                *_model_releases(sentence, here, names, versions, in_title),
                _regulation(sentence, here, gazetteer, in_title, published),
            ):
                if event is None:
                    continue
                known = events.get(event.key)
                if known is None:
                    events[event.key] = event
                else:
                    known.facts = {**event.facts, **known.facts}
                    known.evidence.extend(s for s in event.evidence if s not in known.evidence)
                    known.confidence = min(1.0, max(known.confidence, event.confidence) + 0.05)
                    known.org_key = known.org_key or event.org_key
    regulations = [e for e in events.values() if e.type == "regulation"]
    if len(regulations) == 1:  # "修订后的办法自…起施行": a date in a sentence naming no law
        for key, value in dated_facts(body, published).items():
            regulations[0].facts.setdefault(key, value)
    for event in events.values():
        _date_event(event, published)
    return list(events.values())


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
    for _start, _end, sentence in _sentences(text):
        for found in find_dates(sentence, published):
            if found.granularity == "week":
                continue
            around = sentence[max(0, found.start - 12) : found.end + 16]
            value = found.day.isoformat() if found.granularity == "day" else found.month
            if DEADLINE.search(around):
                facts.setdefault("comment_deadline", value)
            elif EFFECTIVE_DATE.search(around):
                facts.setdefault("effective_date", value)
    return facts


@cache
def model_names(gazetteer: Gazetteer) -> ModelNames:
    """The model index of a gazetteer, built once per loaded gazetteer."""
    return ModelNames(gazetteer)


def _versions(names: ModelNames, found: list[Found]) -> set[str]:
    """Families of which the article names a version: they are no release of their own."""
    keys = {names.resolve(f).key for f in found if f.type == "model"}
    return {family for key in keys if (family := names.family_of(key))}


def _developer(model: ModelRef, here: list[Found], gazetteer: Gazetteer) -> str | None:
    found = model.found
    entry = gazetteer.entries.get(model.key) or gazetteer.entries.get(found.family or "")
    if entry is not None:
        developer = entry.links.get("developer")
        if developer is None and entry.links.get("family") in gazetteer.entries:
            developer = gazetteer.entries[entry.links["family"]].links.get("developer")
        if developer:
            return developer
    if found.family and found.family.startswith("org:"):
        return found.family
    orgs = [f.key for f in here if f.type == "org"]
    return orgs[0] if orgs else None


def _model_releases(
    sentence: str, here: list[Found], names: ModelNames, versions: set[str], in_title: bool
) -> list[DetectedEvent]:
    refs = list(
        {
            ref.identity: ref
            for f in here
            if f.type == "model"
            and not (names.is_family((ref := names.resolve(f)).key) and ref.key in versions)
        }.values()
    )
    if not refs or not RELEASE.search(sentence):
        return []
    new = [r for r in refs if r.found.method != "gazetteer"]
    if not in_title and not new and len(refs) > 1:
        return []  # several known models and no new one: a comparison, not a release
    return [_release(sentence, ref, here, names.gazetteer, in_title) for ref in (new or refs)[:1]]


def _release(
    sentence: str, model: ModelRef, here: list[Found], gazetteer: Gazetteer, in_title: bool
) -> DetectedEvent:
    facts: dict[str, object] = {"version": model.found.surface}
    if OPEN_WEIGHTS.search(sentence):
        facts["open_weights"] = True
    params = PARAMS.search(sentence)
    if params:
        facts["parameters"] = params.group(0)
    discovered = model.found.method != "gazetteer"
    confidence = 0.6 + (0.2 if in_title else 0) + (0.1 if discovered else 0)
    return DetectedEvent(
        type="model_release",
        key=f"model_release:model:{model.identity}",
        org_key=_developer(model, here, gazetteer),
        model_key=model.key,
        facts=facts,
        evidence=[sentence.strip()],
        confidence=min(confidence, 1.0),
    )


def base_law(key: str, gazetteer: Gazetteer) -> str:
    """An amendment's record (`law:x-2025-amendment`) stands for the law it amends (`law:x`):
    amending and the amended law taking effect are stages of that law."""
    head, _, tail = key.rpartition("-amendment")
    if not head or tail:
        return key
    parts = head.split("-")
    for cut in range(len(parts) - 1, 0, -1):
        parent = "-".join(parts[:cut])
        if parent in gazetteer.entries:
            return parent
    return key


def _regulation(
    sentence: str, here: list[Found], gazetteer: Gazetteer, in_title: bool, published: datetime
) -> DetectedEvent | None:
    laws = [f for f in here if f.type == "law"]
    if not laws:
        return None
    stage = next((name for name, pattern in STAGES if pattern.search(sentence)), None)
    if stage is None:
        return None
    law = laws[0]
    law_key = base_law(law.key, gazetteer)
    issuer = (
        gazetteer.entries[law.key].links.get("issuer") if law.key in gazetteer.entries else None
    )
    govs = [f.key for f in here if f.type == "gov"]
    facts: dict[str, object] = dated_facts(sentence, published)
    confidence = 0.6 + (0.2 if in_title else 0) + (0.1 if govs else 0) + (0.1 if facts else 0)
    return DetectedEvent(
        type="regulation",
        key=f"regulation:{law_key}:{stage}",
        org_key=(issuer if issuer and len(set(govs)) > 1 else govs[0] if govs else issuer),
        law_key=law_key,
        stage=stage,
        facts=facts,
        evidence=[sentence.strip()],
        confidence=min(confidence, 1.0),
    )

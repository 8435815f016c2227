"""Candidate events and the features a trained classifier decides them by.

A candidate is a (model or law, article) pair from the linked entities: every versioned
model and every law the article names. Its features say where the name stands (title,
lead, how often, first or not), what the sentences around it say (release and stage cue
words, comparison, earlier release, plan or rumour, price, perfective and future markers,
a date just before publication) and how much the article as a whole reads like event news
(its embedding against the centroids of event and no-event articles learnt in training).
Features are plain named numbers so every decision can be explained by its largest terms.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np
import yaml

from nlp.dates import find_dates
from nlp.entities import Found
from nlp.gazetteer import Gazetteer
from nlp.model_names import ModelNames, ModelRef
from nlp.sentences import Sentence, sentences

RELEASE = re.compile(
    r"发布|發表|发表|推出|开源|開源|上线|亮相|登场|登場|公開|公开|発表|リリース|投入|提供開始|"
    r"released?|launch(?:es|ed)?|unveil|open-sourc|rolls? out|debut"
)
COMPARE = re.compile(
    r"对标|對標|超越|超过|优于|媲美|比肩|相比|相较|不输|匹敌|相当|不相上下|领先于|上回|超え|比べ|"
    r"並ぶ|匹敵|並み|並|比較|遜色|引き合い|比一比|对比|對比|对决|對決|较量|較量|对上|對上|"
    r"than|outperform|beats?|rival|compared|versus|\bvs\b|on par|match(?:es|ing)?|head to head"
)
EARLIER = re.compile(
    r"去年|前年|此前|之前|早前|先前|以前|曾经|前代|上一代|昨年|従来|前回|かつて|"
    r"last year|previously|earlier|a year ago|predecessor"
)
PLAN = re.compile(
    r"将于|将在|计划|預計|预计|即将|拟|准备|据悉|传闻|或将|予定|計画|方針|見通し|準備|とされる|"
    r"関係者によると|検討|考虑|\bwill\b|plans? to|expected to|is set to|reportedly|rumou?r|"
    r"consider(?:s|ing)\b|weighs?\b|weighing|mulls?\b|people familiar"
)
PRICE = re.compile(r"降价|价格|價格|下调|値下げ|料金|価格|price|pricing")
PERFECTIVE = re.compile(r"了|した|された|しました|has (?:been )?\w+ed|\w+ed\b")
FUTURE = re.compile(r"将|予定|\bwill\b|\bto be\b")
STAGE_CUES = {
    "enforcement": re.compile(
        r"执法|查处|处罚|處罰|下架|约谈|罚款|罰款|封禁|禁止|命令|命じ|取り締まり|削除|罰金|遮断|停止|"
        r"整改|立案调查|暂停|叫停|処分|行政指導|注意喚起|立ち入り検査|制裁金|"
        r"专项行动|專項行動|整治|特別行動|集中取り締まり|"  # a campaign is enforcement
        r"enforcement|fined|fines?\b|penal|\border(?:s|ed)?\b|blocked|\bban(?:s|ned)?\b|"
        r"probe|investigat|suspend|warn(?:s|ed|ing)\b|crackdown|campaign"
    ),
    "amended": re.compile(  # names put on or taken off a list (the Entity List) amend it
        r"修订|修訂|修改|修正|改正|列入|纳入|納入|移出|追加|amend|revis|blacklist|"
        r"\badd(?:s|ed|ing)?\b(?:[^.;]|\.(?!\s+[A-Z])){0,80}?\bto (?:the|its)\b"
        r"[^.;]{0,30}?\b[Ll]ist|"  # "U.S." is no sentence end
        r"\b(?:puts?|plac(?:es|ed|e))\b(?:[^.;]|\.(?!\s+[A-Z])){0,80}?\bon (?:the|its|a)\b"
        r"[^.;]{0,30}?\b[Ll]ist"
    ),
    "draft": re.compile(
        r"征求意见|意见稿|草案|意見を?募集|意見公募|パブリックコメント|規制案|素案|原案|"
        r"draft(?!ing)|public comment|consultation|proposed rules?|\bproposal"
    ),
    "effective": re.compile(
        r"施行|生效|发效|発効|适用|適用|took effect|takes effect|into force|in force|effective|"
        r"(?:go|goes|went|come|comes|came) into effect|kicks? in"
    ),
    "published": re.compile(
        r"印发|公布|發布|发布|出台|通过|通過|成立|可決|公表|発表|策定|决定|颁布|頒布|"
        r"官報|公报|公報|掲載|刊登|签署|簽署|署名|publish(?:es|ed)|issu(?:es|ed)|unveil|"
        r"releas(?:es|ed)|pass(?:es|ed)\b|enact|promulgat|\bsign(?:s|ed)\b|adopt(?:s|ed)|"
        r"announc(?:es|ed)|finali[sz]e[sd]?|Official Journal|Federal Register|gazette"
    ),
}
STAGES = tuple(STAGE_CUES)
RELEASE_CLASSES = ("news", "comparison", "earlier", "plan", "price", "mention")
NEAR_CUES = {  # what is said right beside the name: which class of mention it is
    "news": RELEASE,
    "comparison": COMPARE,
    "earlier": EARLIER,
    "plan": PLAN,
    "price": PRICE,
}
STAGE_BACKGROUND_CHARS = 12  # how far before a stage cue an earlier-marker makes it background
COMING_EFFECT = (  # "施行まで半年", "距离施行不到两周", "ahead of the rules taking effect": not yet
    re.compile(r"^(?:まで|を前に|を控え|前)"),
    re.compile(r"(?:距离|距|ahead of|before)[^。；;.]{0,12}$"),
)
DRAFT_PUBLISHED_CHARS = 14  # "草案を公表", "published a draft": the publication of a draft
PASSING = re.compile(r"通过|通過|成立|可決|pass|enact|adopt")  # passing a draft bill publishes it
NEAR_CHARS = 14  # how far beside a name a cue counts as said of it (within its sentence)
NEAR_CHARS_LATIN = 28  # the same in Latin-script text, whose words are longer ("beats Google's")
CLAUSE_CHARS = 40  # how far beside a name a date counts as said of it
RECENT_DAYS = 14  # a day at most this long before publication is news of the day
CLAUSE_END = re.compile(r"[。！？!?;；\n]|\. ")
EDITION_WINDOW_DAYS = 10
COORDINATION = re.compile(r"[^。！？!?]{0,8}?(?:与|和|及|、|と|や|\band\b|&)[^。！？!?]{0,8}")
LEAD_SENTENCES = 2
AMOUNT = re.compile(
    r"\s?(?:million|billion|trillion|thousand|percent|per cent|%|万|亿|億|兆|千|百|元|美元|欧元|"
    r"ドル|円|ユーロ|euros?|dollars?|yuan|yen)",
    re.I,
)
SERIES = re.compile(r"\s?(?:系列|シリーズ|series\b|family\b)")
NEWS_LIKE_SCALE = 10.0  # cosine gaps are a few hundredths: scaled to the other features


@dataclass
class Candidate:
    kind: str  # model_release | regulation
    key: str  # gazetteer or discovered key of the model or law
    identity: str  # what makes two candidates one real-world model or law
    mentions: list[Found]
    evidence: list[str]  # the sentences naming it, title first
    features: dict[str, float] = field(default_factory=dict)
    ref: ModelRef | None = None
    govs: list[str] = field(default_factory=list)  # government bodies, in article order


def _share(pattern: re.Pattern[str], texts: list[str]) -> float:
    return sum(1 for t in texts if pattern.search(t)) / len(texts) if texts else 0.0


def _recent_date(texts: list[str], published: datetime) -> float:
    """Whether a sentence names a day up to two weeks before publication."""
    today = published.date()
    return float(
        any(
            0 <= (today - d.day).days <= RECENT_DAYS
            for t in texts
            for d in find_dates(t, published)
        )
    )


def _dated_before(text: str, published: datetime) -> bool:
    """Whether `text` names a time that ended weeks before publication ("released in July"
    in an August piece, 今年4月开源的, 1月に追加されている) and none near it: said of a name,
    a past release or stage told as background."""
    today, old, recent = published.date(), False, False
    for d in find_dates(text, published):
        old = old or (today - d.last_day).days > RECENT_DAYS
        recent = recent or -1 <= (today - d.day).days <= RECENT_DAYS
    return old and not recent


def _latin(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return sum(c.isascii() for c in letters) > len(letters) / 2


def _beside(m: Found, text: str, others: list[Found], reach: int) -> str:
    """What is said within `reach` characters either side of a mention, within its clause
    and not past another name."""
    start = max([m.start - reach, *(o.end for o in others if o.end <= m.start)])
    end = min([m.end + reach, *(o.start for o in others if o.start >= m.end)])
    before = CLAUSE_END.split(text[start : m.start])[-1]
    return before + " " + CLAUSE_END.split(text[m.end : end])[0]


def _near(
    cand: Candidate, text: str, others: list[Found], title_end: int, published: datetime
) -> None:
    """`near_<class>`: the share of the name's mentions with that class's cue said right
    beside it, within its clause and not past another name (`对标DeepSeek-V3`, 「GPT-4」並み,
    "released X"), more precise than the cues of its whole sentences; `release_beside` when
    any mention has a release said beside it, `title_release` when one in the title has;
    `dated_before` the share with a time weeks before publication said in its clause."""
    windows, in_title, dated = [], [], []
    for m in cand.mentions:
        latin = _latin(text[max(0, m.start - NEAR_CHARS) : m.end + NEAR_CHARS])
        windows.append(_beside(m, text, others, NEAR_CHARS_LATIN if latin else NEAR_CHARS))
        dated.append(_dated_before(_beside(m, text, others, CLAUSE_CHARS), published))
        in_title.append(m.start < title_end)
    for name, pattern in NEAR_CUES.items():
        cand.features[f"near_{name}"] = _share(pattern, windows)
    released = [bool(RELEASE.search(w)) for w in windows]
    cand.features["release_beside"] = float(any(released))
    cand.features["title_release"] = float(
        any(r and t for r, t in zip(released, in_title, strict=True))
    )
    cand.features["dated_before"] = sum(dated) / max(1, len(dated))
    if cand.kind == "regulation":  # a stage said of this law, not of another named beside it
        cand.features["stage_beside"] = float(
            any(_stage_said(p, w) for w in windows for p in STAGE_CUES.values())
        )


def _edition(key: str, published: datetime) -> str:
    """The dated rule an umbrella law name stands for in news of the days after its issue
    (seeds/event_law_editions.yaml), else the law itself."""
    day = published.date()
    for edition in _editions():
        if (
            key in edition["umbrella"]
            and 0 <= (day - edition["issued"]).days <= EDITION_WINDOW_DAYS
        ):
            return str(edition["law"])
    return key


def edition_issued(key: str) -> date | None:
    """The day a dated rule of seeds/event_law_editions.yaml was issued."""
    return next((e["issued"] for e in _editions() if e["law"] == key), None)


@cache
def _editions() -> list[dict[str, Any]]:
    return yaml.safe_load(files("seeds").joinpath("event_law_editions.yaml").read_text("utf-8"))


def _junk(ref: ModelRef) -> bool:
    """A discovered model name with no Latin letter or digit (重み, 降本, 混合推理) is a word
    the discovery mistook for a name: model versions carry a version mark."""
    return ref.found.method != "gazetteer" and not re.search(r"[A-Za-z0-9]", ref.key)


def _amount(ref: ModelRef, text: str) -> bool:
    """A discovered name whose number is an amount ("fined OpenAI 15 million euros",
    DeepSeek 5亿): a version is never followed by a magnitude or a currency."""
    return ref.found.method != "gazetteer" and bool(AMOUNT.match(text[ref.found.end :]))


def _context(cand: Candidate, title: str, body_sentences: list[Sentence], n: int) -> None:
    """The features every candidate has, whatever its kind."""
    title_hits = [m for m in cand.mentions if m.start < len(title)]
    body_hits = [m for m in cand.mentions if m.start >= len(title)]
    lead = body_sentences[:LEAD_SENTENCES]
    lead_end = lead[-1].end if lead else 0
    body_start = body_sentences[0].start if body_sentences else 0
    body_len = max(1, (body_sentences[-1].end if body_sentences else 0) - body_start)
    first = min((m.start - body_start for m in body_hits), default=body_len)
    said = cand.evidence
    f = cand.features
    f["in_title"] = float(bool(title_hits))
    f["in_lead"] = float(any(m.start < lead_end for m in body_hits))
    f["first_position"] = first / body_len
    f["log_mentions"] = math.log1p(len(cand.mentions))
    f["alone"] = 1.0 / n
    f["release_cue"] = _share(RELEASE, said)
    f["compare_cue"] = _share(COMPARE, said)
    f["earlier_cue"] = _share(EARLIER, said)
    f["plan_cue"] = _share(PLAN, said)
    f["price_cue"] = _share(PRICE, said)
    f["perfective"] = _share(PERFECTIVE, said)
    f["future"] = _share(FUTURE, said)
    f["title_plan"] = float(bool(PLAN.search(title)))
    f["title_compare"] = float(bool(title_hits) and bool(COMPARE.search(title)))


def find_candidates(
    title: str,
    body: str,
    title_found: list[Found],
    body_found: list[Found],
    gazetteer: Gazetteer,
    names: ModelNames,
    published: datetime,
) -> list[Candidate]:
    """Every model and law the article names, as candidates with their features; offsets of
    body mentions are shifted past the title so one text holds both."""
    shift = len(title) + 1
    text = title + "\n" + body
    found = [*title_found, *[_shifted(f, shift) for f in body_found]]
    # the candidates' names are linked ones, and laws the recogniser found (a rule the
    # gazetteer does not know yet still has its steps reported)
    found = [f for f in found if f.method != "ner" or f.type == "law"]
    found += names.bare_versions(text, found)
    parts = [
        Sentence(0, len(title), title),
        *[_shifted_sentence(s, shift) for s in sentences(body)],
    ]
    by_identity: dict[str, Candidate] = {}
    versions = {names.family_of(names.resolve(f).key) for f in found if f.type == "model"}
    members = {_law_family(f.key, gazetteer) for f in found if f.type == "law"}
    for f in found:
        if f.type == "model":
            ref = names.resolve(f)
            family = names.is_family(ref.key) or _series(f, text)
            if (family and ref.key in versions) or _junk(ref) or _amount(ref, text):
                continue  # Qwen beside Qwen3, MiniMax-01系列 beside MiniMax-Text-01
            kind, key, ident = "model_release", ref.key, ref.identity
        elif f.type == "law":
            if f.key in members:
                continue  # the Qinglang campaigns beside this year's campaign: no step
            ref, kind = None, "regulation"
            key = ident = _edition(base_law(f.key, gazetteer), published)
        else:
            continue
        cand = by_identity.setdefault(ident, Candidate(kind, key, ident, [], [], ref=ref))
        cand.mentions.append(f)
    body_sentences = parts[1:]
    govs = list(
        dict.fromkeys(f.key for f in sorted(found, key=lambda f: f.start) if f.type == "gov")
    )
    firsts = {
        kind: min(
            (
                (m.start, c.identity)
                for c in by_identity.values()
                if c.kind == kind
                for m in c.mentions
                if m.start < len(title)
            ),
            default=(0, ""),
        )[1]
        for kind in ("model_release", "regulation")
    }
    for cand in by_identity.values():
        cand.features["first_in_title"] = float(firsts[cand.kind] == cand.identity)
        cand.features["title_coordinated"] = _coordinated(cand, by_identity.values(), title)
        cand.evidence = list(
            dict.fromkeys(
                s.text.strip()
                for s in parts
                if any(s.start <= m.start < s.end for m in cand.mentions)
            )
        )
        _context(cand, title, body_sentences, len(by_identity))
        others = [m for c in by_identity.values() if c is not cand for m in c.mentions]
        _near(cand, text, others, len(title), published)
        cand.govs = govs
        cand.features["recent_date"] = _recent_date(cand.evidence, published)
        if cand.kind == "model_release":
            _model_features(cand, gazetteer, names, found, len(title))
        else:
            _law_features(cand, (title, body_sentences), gazetteer, found, published)
    return list(by_identity.values())


def _series(f: Found, text: str) -> bool:
    """Whether the name is written as a series (`MiniMax-01系列`, "the Qwen3 series"): the
    family of the versions it is named beside, whatever version number it carries."""
    return f.surface.endswith(("系列", "シリーズ")) or bool(SERIES.match(text[f.end : f.end + 8]))


def _law_family(key: str, gazetteer: Gazetteer) -> str | None:
    """The series a law belongs to (one Qinglang campaign of the Qinglang campaigns)."""
    entry = gazetteer.entries.get(key)
    return entry.links.get("family") if entry else None


def _coordinated(cand: Candidate, others: Iterable[Candidate], title: str) -> float:
    """Whether the title joins this name to another of its kind (`A与B`, `A and B`): an
    article announcing two models."""
    mine = [m for m in cand.mentions if m.end <= len(title)]
    for other in others:
        if other is cand or other.kind != cand.kind:
            continue
        for a in mine:
            for b in (m for m in other.mentions if m.end <= len(title)):
                left, right = (a, b) if a.start < b.start else (b, a)
                if COORDINATION.fullmatch(title[left.end : right.start]):
                    return 1.0
    return 0.0


def _model_features(
    cand: Candidate, gazetteer: Gazetteer, names: ModelNames, found: list[Found], title_end: int
) -> None:
    assert cand.ref is not None
    f = cand.features
    f["discovered"] = float(cand.ref.found.method != "gazetteer")
    known = cand.key in gazetteer.entries
    f["versioned"] = float(
        bool(re.search(r"\d", cand.key)) or (known and not names.is_family(cand.key))
    )

    entry = gazetteer.entries.get(cand.key)
    developer = entry.links.get("developer") if entry else cand.ref.found.family
    f["developer_named"] = float(bool(developer) and any(x.key == developer for x in found))
    f["orphan"] = f["discovered"] * float(not developer)
    title_orgs = {x.key for x in found if x.type == "org" and x.end <= title_end}
    f["developer_in_title"] = float(bool(developer) and developer in title_orgs)
    f["other_developer_in_title"] = float(bool(title_orgs) and developer not in title_orgs)
    model_mentions = sum(1 for x in found if x.type == "model")
    f["share_of_models"] = len(cand.mentions) / max(1, model_mentions)


def _stage_said(pattern: re.Pattern[str], text: str) -> bool:
    """Whether `text` says this stage of the law, not as background: a cue just after an
    earlier-marker ("softening the earlier draft", 与去年9月发布的征求意见稿) is a past stage,
    taking effect said as still to come (施行まで半年, 距离施行) is no step yet, and
    publishing said of a draft (草案を公表, "published a draft") is the draft's."""
    for m in pattern.finditer(text):
        before = text[max(0, m.start() - STAGE_BACKGROUND_CHARS) : m.start()]
        if EARLIER.search(before):
            continue
        if pattern is STAGE_CUES["effective"] and (
            COMING_EFFECT[0].match(text[m.end() :]) or COMING_EFFECT[1].search(before)
        ):
            continue
        if (
            pattern is STAGE_CUES["published"]
            and not PASSING.search(m.group())
            and STAGE_CUES["draft"].search(
                text[max(0, m.start() - 6) : m.end() + DRAFT_PUBLISHED_CHARS]
            )
        ):
            continue
        return True
    return False


def stage_named(features: dict[str, float]) -> bool:
    """Whether the article says any stage of a law candidate (a cue in its sentences or the
    title, or a dated rule): a law named with no step said of it is no regulation event."""
    return (
        bool(features.get("edition"))
        or not features["no_stage_cue"]
        or any(features[f"title_{stage}"] for stage in STAGES)
    )


def _effect_timing(texts: list[str], published: datetime) -> tuple[float, float]:
    """(takes effect about now, takes effect later): a date beside an effective cue
    (施行, 生效, into force) on or just before the publication day, or after it (a month
    after the publication's month: 2026年1月に施行される)."""
    today, now, later = published.date(), 0.0, 0.0
    for text in texts:
        for d in find_dates(text, published):
            around = text[max(0, d.start - 6) : d.end + 10]
            if d.granularity == "week" or not STAGE_CUES["effective"].search(around):
                continue
            if d.granularity == "month":
                later = max(later, float((d.day.year, d.day.month) > (today.year, today.month)))
                continue
            delta = (d.day - today).days
            now = max(now, float(-3 <= delta <= 1))
            later = max(later, float(delta > 1))
    return now, later


def _law_features(
    cand: Candidate,
    texts: tuple[str, list[Sentence]],
    gazetteer: Gazetteer,
    found: list[Found],
    published: datetime,
) -> None:
    """Stage cues, timing of an effective date, and who is named: the issuer, any
    government body, one in the title or lead (the body that acted)."""
    title, body_sentences = texts
    lead = body_sentences[:LEAD_SENTENCES]
    lead_end = lead[-1].end if lead else len(title)
    f = cand.features
    f["effect_now"], f["effect_later"] = _effect_timing(cand.evidence, published)
    for stage, pattern in STAGE_CUES.items():
        f[f"title_{stage}"] = float(_stage_said(pattern, title))
        f[f"cue_{stage}"] = sum(_stage_said(pattern, t) for t in cand.evidence) / max(
            1, len(cand.evidence)
        )
    f["no_stage_cue"] = float(not any(f[f"cue_{stage}"] for stage in STAGES))
    entry = gazetteer.entries.get(cand.key)
    issuer = entry.links.get("issuer") if entry else None
    f["issuer_named"] = float(bool(issuer) and any(x.key == issuer for x in found))
    f["gov_named"] = float(any(x.type == "gov" for x in found))
    f["gov_in_lead"] = float(any(x.type == "gov" and x.start < lead_end for x in found))
    f["edition"] = float(edition_issued(cand.key) is not None)
    f["unlinked"] = float(all(m.method == "ner" for m in cand.mentions))
    law_mentions = sum(1 for x in found if x.type == "law")
    f["share_of_laws"] = len(cand.mentions) / max(1, law_mentions)
    title_laws = {x.key for x in found if x.type == "law" and x.end <= len(title)}
    f["other_law_in_title"] = float(bool(title_laws) and not f["in_title"])
    f["acted_under"] = (  # "regulator X orders Y blocked", the one law named: the step is X's
        f["title_enforcement"] * f["gov_in_lead"] * float(f["share_of_laws"] == 1.0)
    )


def add_article_features(
    candidates: list[Candidate], vector: np.ndarray | None, centroids: dict[str, list[float]]
) -> None:
    """How much the whole article reads like event news: its embedding's cosine to the
    event and no-event centroids learnt in training (0 without a vector)."""
    score = 0.0
    if vector is not None and centroids:
        event, none = (np.asarray(centroids[k], dtype=np.float32) for k in ("event", "none"))
        score = NEWS_LIKE_SCALE * float(vector @ event - vector @ none)
    for cand in candidates:
        cand.features["news_like"] = score


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


def _shifted(f: Found, shift: int) -> Found:
    return Found(
        f.start + shift, f.end + shift, f.surface, f.label, f.key, f.method, f.name_en, f.family
    )


def _shifted_sentence(s: Sentence, shift: int) -> Sentence:
    return Sentence(s.start + shift, s.end + shift, s.text)

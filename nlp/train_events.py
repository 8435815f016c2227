"""Train the event classifier (`make event-model`) and write seeds/event_model.json.

    python -m nlp.train_events [--devset ../shared/devset/corpus] [--out seeds/event_model.json]

Training data: aiwatch's own labelled corpora (tests/corpus/articles.yaml, the hard cases
of seeds/event_training.yaml and the event batches tests/corpus/events_batch*.yaml, once
held out and now learnt from) and, when given,
the `fit` split of the development corpus (never its `check` split: that is the score
nothing was fitted on). A candidate is labelled an event when the article's labels name its
model or law (by key, or by the identity of a surface the labels give for that key). A model
candidate that is no event is labelled with the kind of mention it is: by the corpus
(`mentions: {key: comparison}` in seeds/event_training.yaml), else by the cue said right
beside it (comparison, earlier, plan, price; `mention` when none is). The
article-embedding centroids are computed leaving each article out, so the feature is no
better on training data than on unseen news. Prints a leave-one-story-out estimate.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import yaml
from sklearn.linear_model import LogisticRegression

from nlp.embedding import embed, load_model
from nlp.entities import EntityRecognizer
from nlp.event_features import RELEASE_CLASSES, STAGES, Candidate, edition_issued, stage_named
from nlp.event_model import FORMAT, Linear, Softmax
from nlp.events import candidates_of, news_score
from nlp.model_names import identity

ROOT = Path(__file__).resolve().parent.parent
STAGE_FEATURES = tuple(
    [f"title_{s}" for s in STAGES]
    + [f"cue_{s}" for s in STAGES]
    + ["future", "recent_date", "effect_now", "effect_later", "edition", "no_stage_cue"]
)
C = 1.0  # inverse regularisation strength, for a few hundred candidates per classifier
OWN_CORPORA = (  # never tests/corpus/heldout_events*.yaml: the batch nothing is fitted on
    "tests/corpus/articles.yaml",
    "seeds/event_training.yaml",
    "tests/corpus/events_batch*.yaml",
)


@dataclass
class Labelled:
    id: str
    story: str
    title: str
    body: str
    lang: str
    published: datetime
    events: list[dict[str, str | None]]  # type, model | law, stage
    surfaces: dict[str, set[str]]  # canonical key -> identities of its surfaces here
    mentions: dict[str, str] = field(default_factory=dict)  # model key -> kind of mention


def own_corpus(path: Path) -> list[Labelled]:
    """A labelled corpus of ours; story ids are prefixed with the file's name, as each file
    numbers its stories from 1."""
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = []
    for x in items:
        surfaces: dict[str, set[str]] = {}
        for surface, key in (x.get("entities") or {}).items():
            surfaces.setdefault(key, set()).add(identity(surface))
        events = [
            {
                "type": e["type"],
                "model": e.get("model"),
                "law": e.get("law"),
                "stage": e.get("stage"),
            }
            for e in x.get("events") or []
        ]
        published = datetime.fromisoformat(x["published"])
        found.append(
            Labelled(
                x["id"],
                f"{path.stem}:{x['story']}",
                x["title"],
                x["body"],
                x["lang"],
                published,
                events,
                surfaces,
                x.get("mentions") or {},
            )
        )
    return found


def devset_fit(corpus: Path) -> list[Labelled]:
    splits = json.loads((corpus / "splits.json").read_text(encoding="utf-8"))
    labels = json.loads((corpus / "labels.json").read_text(encoding="utf-8"))
    found = []
    for lab in labels:
        if splits[lab["id"]] != "fit":
            continue
        art = json.loads((corpus / "articles" / f"{lab['id']}.json").read_text(encoding="utf-8"))
        surfaces: dict[str, set[str]] = {}
        for e in lab["entities"]:
            surfaces.setdefault(e["canonical"], set()).add(identity(e["surface"]))
        events = [
            {
                "type": e["type"],
                "model": e["model"],
                "law": e["law"],
                "stage": e["regulation_stage"],
                "date": e.get("date"),
            }
            for e in lab["events"]
        ]
        found.append(
            Labelled(
                lab["id"],
                lab["story"] or f"single-{lab['id']}",
                art["title"],
                art["body"],
                art["lang"],
                datetime.fromisoformat(art["published"]),
                events,
                surfaces,
            )
        )
    return found


Row = tuple[Labelled, Candidate, dict | None]


def gold_of(cand: Candidate, article: Labelled) -> dict[str, str | None] | None:
    """The labelled event this candidate is, if any."""
    wanted = "model" if cand.kind == "model_release" else "law"
    for event in article.events:
        key = event.get(wanted)
        if event["type"] != cand.kind or not key:
            continue
        names = {identity(key)} | article.surfaces.get(key, set())
        if cand.key == key or cand.identity in names:
            return event
        issued = edition_issued(cand.key)  # a dated rule the labels name by another key
        if issued and event.get("date") == issued.isoformat():
            return event
        if any(identity(m.surface) in names for m in cand.mentions):
            return event
    return None


WEAK_ORDER = ("price", "plan", "earlier", "comparison")  # the first cue found decides
SENTENCE_CUES = {"comparison": "compare_cue", "earlier": "earlier_cue"} | {
    k: f"{k}_cue" for k in ("plan", "price")
}


def release_class(cand: Candidate, article: Labelled, gold: dict | None) -> str:
    """The kind of mention a model candidate is: news when labelled an event, else the
    corpus label, else the cue said beside it, else said in its sentences."""
    if gold is not None:
        return "news"
    labelled = article.mentions.get(cand.key)
    if labelled:
        return labelled
    f = cand.features
    if f.get("article_price") and f.get("price_cue"):
        return "price"
    if f.get("article_rumour") and f.get("plan_cue"):
        return "plan"
    for names in ({k: f"near_{k}" for k in WEAK_ORDER}, SENTENCE_CUES):
        for kind in WEAK_ORDER:
            if f.get(names[kind]):
                return kind
    return "mention"


def _fit_softmax(rows: list[dict[str, float]], y: list[str]) -> dict[str, object]:
    features = sorted({k for r in rows for k in r})
    x = np.array([[r.get(f, 0.0) for f in features] for r in rows])
    clf = LogisticRegression(C=C, class_weight="balanced", max_iter=4000).fit(x, y)
    order = [c for c in RELEASE_CLASSES if c in clf.classes_]
    index = [list(clf.classes_).index(c) for c in order]
    return {
        "classes": order,
        "features": features,
        "coef": [[round(float(v), 5) for v in clf.coef_[i]] for i in index],
        "intercept": [round(float(clf.intercept_[i]), 5) for i in index],
        "examples": len(y),
        "positives": sum(1 for c in y if c == "news"),
        "per_class": {c: y.count(c) for c in order},
    }


def _fit_linear(rows: list[dict[str, float]], y: list[int]) -> dict[str, object]:
    features = sorted({k for r in rows for k in r})
    x = np.array([[r.get(f, 0.0) for f in features] for r in rows])
    clf = LogisticRegression(C=C, class_weight="balanced", max_iter=2000).fit(x, y)
    return {
        "features": features,
        "coef": [round(float(c), 5) for c in clf.coef_[0]],
        "intercept": round(float(clf.intercept_[0]), 5),
        "threshold": 0.5,
        "examples": len(y),
        "positives": int(sum(y)),
    }


def _fit_stage(rows: list[dict[str, float]], y: list[str]) -> dict[str, object]:
    x = np.array([[r.get(f, 0.0) for f in STAGE_FEATURES] for r in rows])
    clf = LogisticRegression(C=C, class_weight="balanced", max_iter=4000).fit(x, y)
    return {
        "classes": [str(c) for c in clf.classes_],
        "features": list(STAGE_FEATURES),
        "coef": [[round(float(v), 5) for v in row] for row in clf.coef_],
        "intercept": [round(float(v), 5) for v in clf.intercept_],
        "examples": len(y),
    }


def build_rows(articles: list[Labelled], vectors: np.ndarray) -> list[Row]:
    recognizer = EntityRecognizer()  # as the pipeline runs it: its LAW spans are candidates
    has_event = np.array([bool(a.events) for a in articles])
    sums = {True: vectors[has_event].sum(0), False: vectors[~has_event].sum(0)}
    counts = {True: int(has_event.sum()), False: int((~has_event).sum())}
    rows = []
    for i, article in enumerate(articles):
        own = bool(article.events)
        centroids = {}
        for kind, flag in (("event", True), ("none", False)):
            total = sums[flag] - (vectors[i] if own == flag else 0)
            n = counts[flag] - (own == flag)
            centroid = total / max(1, n)
            centroids[kind] = (centroid / (np.linalg.norm(centroid) or 1.0)).tolist()
        title_found = recognizer.find(article.title, article.lang)
        body_found = recognizer.find(article.body, article.lang)
        for cand in candidates_of(
            (article.title, article.body),
            (title_found, body_found),
            recognizer.gazetteer,
            article.published,
            (vectors[i], centroids),
        ):
            rows.append((article, cand, gold_of(cand, article)))
    return rows


def best_threshold(scored: list[tuple[float, int]]) -> float:
    """The probability cut with the best F1 over held-out decisions (0.5 on a tie)."""

    def f1(cut: float) -> float:
        tp = sum(1 for p, y in scored if p >= cut and y)
        fp = sum(1 for p, y in scored if p >= cut and not y)
        fn = sum(1 for p, y in scored if p < cut and y)
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    cuts = [round(0.3 + 0.05 * i, 2) for i in range(9)]  # 0.30 .. 0.70
    return max(cuts, key=lambda cut: (f1(cut), -abs(cut - 0.5)))


def held_out(rows: list[Row]) -> tuple[dict[str, str], dict[str, float]]:
    """Leave-one-story-out: each story's candidates decided by classifiers fitted on the
    other stories; precision and recall of news events over candidates, how often the kind
    of mention or the stage is right, and the threshold the held-out decisions favour."""
    report, thresholds = {}, {}
    for name, kind in (("release", "model_release"), ("regulation", "regulation")):
        mine = [(a, c, g) for a, c, g in rows if c.kind == kind and _decided_by_model(c)]
        scored: list[tuple[float, int]] = []
        right = judged = 0
        for story in sorted({a.story for a, _c, _g in mine}):
            train_rows = [(a, c, g) for a, c, g in mine if a.story != story]
            test = [(a, c, g) for a, c, g in mine if a.story == story]
            if len({g is None for _a, _c, g in train_rows}) < 2:
                continue
            if kind == "model_release":
                kinds = Softmax.from_dict(_fit_release(train_rows))
                for a, c, g in test:
                    p = kinds.probabilities(c.features)
                    scored.append((news_score(p), int(g is not None)))
                    judged += 1
                    right += max(p, key=p.__getitem__) == release_class(c, a, g)
                continue
            linear = Linear.from_dict(
                _fit_linear(
                    [c.features for _a, c, _g in train_rows],
                    [int(g is not None) for _a, _c, g in train_rows],
                )
            )
            scored += [(linear.probability(c.features), int(g is not None)) for _a, c, g in test]
            staged = [(c.features, str(g["stage"])) for _a, c, g in train_rows if g]
            if len({s for _f, s in staged}) > 1:
                stage = Softmax.from_dict(
                    _fit_stage([f for f, _ in staged], [s for _, s in staged])
                )
                for _a, c, g in test:
                    if g:
                        judged += 1
                        right += stage.predict(c.features)[0] == g["stage"]
        tp = sum(1 for p, y in scored if p >= 0.5 and y)
        fp = sum(1 for p, y in scored if p >= 0.5 and not y)
        fn = sum(1 for p, y in scored if p < 0.5 and y)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        what = "kind of mention" if kind == "model_release" else "stage"
        thresholds[name] = best_threshold(scored)
        report[name] = (
            f"P {precision:.2f} R {recall:.2f} over {len(mine)} candidates, "
            f"{what} right {right}/{judged}; threshold {thresholds[name]:.2f}"
        )
    return report, thresholds


def _decided_by_model(cand: Candidate) -> bool:
    """A law named with no stage said is no event before the classifier is asked
    (nlp.events), so the regulation classifier learns and is scored on the others."""
    return cand.kind != "regulation" or stage_named(cand.features)


def _fit_release(rows: list[Row]) -> dict[str, object]:
    return _fit_softmax(
        [c.features for _a, c, _g in rows], [release_class(c, a, g) for a, c, g in rows]
    )


def train(articles: list[Labelled]) -> dict[str, object]:
    model = load_model()
    vectors = embed(model, [a.title + "\n" + a.body for a in articles])
    rows = build_rows(articles, vectors)
    report, thresholds = held_out(rows)
    out: dict[str, object] = {"format": FORMAT, "held_out": report}
    releases = [r for r in rows if r[1].kind == "model_release"]
    out["release"] = {**_fit_release(releases), "threshold": thresholds["release"]}
    laws = [
        (c.features, int(g is not None))
        for _a, c, g in rows
        if c.kind == "regulation" and _decided_by_model(c)
    ]
    out["regulation"] = {
        **_fit_linear([f for f, _ in laws], [y for _, y in laws]),
        "threshold": thresholds["regulation"],
    }
    staged = [(c.features, str(g["stage"])) for _a, c, g in rows if c.kind == "regulation" and g]
    out["stage"] = _fit_stage([f for f, _ in staged], [s for _, s in staged])
    has_event = np.array([bool(a.events) for a in articles])
    for kind, mask in (("event", has_event), ("none", ~has_event)):
        centroid = vectors[mask].mean(0)
        out.setdefault("centroids", {})[kind] = [  # type: ignore[union-attr]
            round(float(v), 6) for v in centroid / (np.linalg.norm(centroid) or 1.0)
        ]
    out["articles"] = len(articles)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, help="the dev corpus folder (its fit split)")
    parser.add_argument("--out", type=Path, default=ROOT / "seeds" / "event_model.json")
    args = parser.parse_args()
    paths = [path for pattern in OWN_CORPORA for path in sorted(ROOT.glob(pattern))]
    articles = [article for path in paths for article in own_corpus(path)]
    if args.devset:
        articles += devset_fit(args.devset)
    data = train(articles)
    data["trained_on"] = [str(path.relative_to(ROOT)) for path in paths] + (
        ["devset fit split"] if args.devset else []
    )
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"event model: {len(articles)} articles -> {args.out}")
    for name, line in data["held_out"].items():  # type: ignore[union-attr]
        print(f"  leave-one-story-out {name}: {line}")


if __name__ == "__main__":
    main()

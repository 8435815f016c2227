"""Scoring aiwatch against a labeled corpus (tests/corpus/articles.yaml).

Entities are scored two ways per type: mentions (exact span and type) and linked canonical
keys per article (the set of keys an article names).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nlp.entities import EntityRecognizer


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, predicted: set[Any], gold: set[Any]) -> None:
        self.tp += len(predicted & gold)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


@dataclass
class CorpusArticle:
    id: str
    lang: str
    story: str
    published: str
    title: str
    body: str
    entities: dict[str, str] = field(default_factory=dict)
    events: list[dict[str, str]] = field(default_factory=list)

    def gold_mentions(self) -> set[tuple[str, int, int, str]]:
        """(field, start, end, type) of every occurrence of every labeled surface, longest
        surfaces claiming their characters first."""
        found: set[tuple[str, int, int, str]] = set()
        for field_name, text in (("title", self.title), ("body", self.body)):
            taken: list[tuple[int, int]] = []
            for surface in sorted(self.entities, key=len, reverse=True):
                start = text.find(surface)
                while start >= 0:
                    end = start + len(surface)
                    if all(end <= s or start >= e for s, e in taken):
                        taken.append((start, end))
                        found.add((field_name, start, end, self.entities[surface].split(":")[0]))
                    start = text.find(surface, end)
        return found


def load_corpus(path: Path) -> list[CorpusArticle]:
    return [CorpusArticle(**item) for item in yaml.safe_load(path.read_text(encoding="utf-8"))]


def load_devset(folder: Path, split: str = "all") -> list[CorpusArticle]:
    """The development corpus (articles/, labels.json, splits.json) as corpus articles; an
    article of no story is a story of its own. `split` is fit, check or all."""
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    splits = json.loads((folder / "splits.json").read_text(encoding="utf-8"))
    found = []
    for lab in labels:
        if split != "all" and splits.get(lab["id"]) != split:
            continue
        art = json.loads((folder / "articles" / f"{lab['id']}.json").read_text(encoding="utf-8"))
        found.append(
            CorpusArticle(
                id=lab["id"],
                lang=art["lang"],
                story=lab["story"] or f"single-{lab['id']}",
                published=art["published"],
                title=art["title"],
                body=art["body"],
                entities={e["surface"]: e["canonical"] for e in lab["entities"]},
                events=[
                    {
                        "type": e["type"],
                        "org": e["org"],
                        "model": e["model"],
                        "law": e["law"],
                        "stage": e["regulation_stage"],
                    }
                    for e in lab["events"]
                ],
            )
        )
    return found


def evaluate_entities(
    corpus: list[CorpusArticle], recognizer: EntityRecognizer
) -> dict[str, dict[str, dict[str, float | int]]]:
    mentions: dict[str, Score] = defaultdict(Score)
    linked: dict[str, Score] = defaultdict(Score)
    for article in corpus:
        predicted_mentions: set[tuple[str, int, int, str]] = set()
        predicted_keys: set[str] = set()
        for field_name, text in (("title", article.title), ("body", article.body)):
            for f in recognizer.find(text, article.lang):
                predicted_mentions.add((field_name, f.start, f.end, f.type))
                predicted_keys.add(f.key)
        gold_mentions = article.gold_mentions()
        gold_keys = set(article.entities.values())
        for type_ in {m[3] for m in predicted_mentions | gold_mentions}:
            mentions[type_].add(
                {m for m in predicted_mentions if m[3] == type_},
                {m for m in gold_mentions if m[3] == type_},
            )
        for type_ in {k.split(":")[0] for k in predicted_keys | gold_keys}:
            linked[type_].add(
                {(article.id, k) for k in predicted_keys if k.startswith(type_)},
                {(article.id, k) for k in gold_keys if k.startswith(type_)},
            )
    return {
        "mentions": {t: s.as_dict() for t, s in sorted(mentions.items())},
        "linked": {t: s.as_dict() for t, s in sorted(linked.items())},
    }


def _pairs(clusters: dict[str, str]) -> set[tuple[str, str]]:
    ids = sorted(clusters)
    return {(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :] if clusters[a] == clusters[b]}


def clustering_scores(predicted: dict[str, str], gold: dict[str, str]) -> dict[str, float]:
    """Pairwise precision/recall/F1 and B-cubed F1 of article -> cluster assignments."""
    pairwise = Score()
    pairwise.add(_pairs(predicted), _pairs(gold))
    precision = recall = 0.0
    for article in gold:
        same_pred = {a for a in predicted if predicted[a] == predicted[article]}
        same_gold = {a for a in gold if gold[a] == gold[article]}
        overlap = len(same_pred & same_gold)
        precision += overlap / len(same_pred)
        recall += overlap / len(same_gold)
    precision, recall = precision / len(gold), recall / len(gold)
    bcubed = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "pairwise_precision": round(pairwise.precision, 3),
        "pairwise_recall": round(pairwise.recall, 3),
        "pairwise_f1": round(pairwise.f1, 3),
        "bcubed_precision": round(precision, 3),
        "bcubed_recall": round(recall, 3),
        "bcubed_f1": round(bcubed, 3),
    }


def event_identity(event: dict[str, str | None]) -> tuple[str | None, ...]:
    """What must match for an event to count: type, organization and model for a release;
    type, law and stage for a regulation change."""
    if event["type"] == "model_release":
        return ("model_release", event.get("org"), event.get("model"))
    return ("regulation", event.get("law"), event.get("stage"))


def event_scores(
    predicted: list[dict[str, str | None]], gold: list[dict[str, str | None]]
) -> dict[str, dict[str, float | int]]:
    scores: dict[str, Score] = defaultdict(Score)
    pred = {event_identity(e) for e in predicted}
    true = {event_identity(e) for e in gold}
    for type_ in ("model_release", "regulation"):
        scores[type_].add({e for e in pred if e[0] == type_}, {e for e in true if e[0] == type_})
    return {t: s.as_dict() for t, s in scores.items()}

"""Discovery benchmark: how much of what the gazetteer does not know aiwatch still finds.

Every article of the development set (../shared/devset) goes through the NLP stage (the same
process_pending the daemon runs, each outlet a source) with a gazetteer from which every entity
labelled in the `check` split has been removed. The `check` labels are used for nothing else:
to decide what to remove and to score. Printed:

- the share of the removed entities' labelled mentions in `check` articles that aiwatch found
  with the right type (goal >= 0.75), also split by whether the NER model saw the name in
  training (nlp.ner.build.held_out keeps a third of the gazetteer away from it);
- of the removed entities named in both Japanese and Chinese `check` articles, the share whose
  mentions in both languages end under one key;
- the events those articles report, found all the same: P/R/F1 per type over unique events,
  a stored entity matched to a labelled one by key or by any of its names (as the dev set's
  scorer does).

    python -m bench.discovery                 # the figure to quote
    python -m bench.discovery --split fit     # the same game on `fit`, for development
    python -m bench.discovery --by-day        # one run per publication day, as the daemon
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from crawler.lang import detect
from nlp.fold import fold
from nlp.gazetteer import TYPES, bundled_records, write_without
from nlp.ner.build import held_out
from nlp.process import NlpSettings, process_pending
from store.articles import ArticleRecord, save_article
from store.db import make_engine, session_factory
from store.models import Article, Entity, EntityName, Event, EventArticle, Mention, Source
from store.schema import upgrade

DEVSET = Path(__file__).parents[2] / "shared" / "devset" / "corpus"


def load_devset() -> tuple[dict, dict, dict, dict]:
    articles = {
        p.stem: json.loads(p.read_text("utf-8")) for p in (DEVSET / "articles").glob("*.json")
    }
    labels = {x["id"]: x for x in json.loads((DEVSET / "labels.json").read_text("utf-8"))}
    splits = json.loads((DEVSET / "splits.json").read_text("utf-8"))
    names = json.loads((DEVSET / "entities.json").read_text("utf-8"))
    return articles, labels, splits, names


def split_names(labels: dict, splits: dict, names: dict, split: str) -> dict[str, set[str]]:
    """Every entity labelled in `split` with every (folded) name it is written by."""
    out: dict[str, set[str]] = defaultdict(set)
    for article_id, label in labels.items():
        if splits[article_id] != split:
            continue
        for mention in label["entities"]:
            key = mention["canonical"]
            out[key].add(fold(mention["surface"]))
            for written in names.get(key, {}).get("names", {}).values():
                out[key].update(fold(n) for n in written)
    return out


def gazetteer_without(
    wanted: dict[str, set[str]], folder: Path
) -> tuple[Path, dict[str, set[str]]]:
    """The bundled gazetteer minus every entry that shares a key or a name with a check
    entity, written to `folder`; returns the path and, per check entity, the keys removed."""
    removed: dict[str, set[str]] = defaultdict(set)
    for key, value in bundled_records().items():
        written = [value.get(lang) for lang in ("ja", "zh", "en")]
        written += [*value.get("aka", []), *value.get("ambiguous", [])]
        folded = {fold(w) for w in written if w}
        for canonical, check_names in wanted.items():
            if key == canonical or folded & check_names:
                removed[canonical].add(key)
    gone = set().union(*removed.values())
    return write_without(gone, folder / "gazetteer.yaml"), removed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("check", "fit"), default="check")
    parser.add_argument(
        "--misses", action="store_true", help="list misses and split keys (fit only)"
    )
    parser.add_argument(
        "--by-day",
        action="store_true",
        help="process each publication day's articles in a run of its own, as the daemon "
        "meets them: names learnt on earlier days are matched on later ones",
    )
    args = parser.parse_args()
    if args.misses and args.split == "check":
        parser.error("--misses is for --split fit: check is for quoting, not for reading")
    articles, labels, splits, names = load_devset()
    splits = {k: ("scored" if v == args.split else "other") for k, v in splits.items()}
    wanted = split_names(labels, splits, names, "scored")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        gazetteer, removed = gazetteer_without(wanted, folder)
        engine = make_engine(f"sqlite:///{folder / 'store.db'}")
        upgrade(engine)
        sessions = session_factory(engine)
        with sessions.begin() as session:
            for outlet in sorted({a["outlet"] for a in articles.values()}):
                session.add(Source(name=outlet, kind="news"))
        days: dict[str, list[str]] = defaultdict(list)  # publication day -> article ids
        for article_id, a in sorted(articles.items()):
            days[a["published"][:10] if args.by_day else ""].append(article_id)
        started, processed = time.perf_counter(), 0
        for day in sorted(days):
            with sessions.begin() as session:
                for article_id in days[day]:
                    save_article(session, _record(article_id, articles[article_id]))
            settings = NlpSettings(gazetteer_path=gazetteer)
            processed += process_pending(sessions, settings).processed
        elapsed = time.perf_counter() - started
        with sessions() as session:
            rows = session.execute(
                select(Article.url, Article.lang, Mention.surface, Entity.key, Entity.type)
                .join(Mention, Mention.article_id == Article.id)
                .join(Entity, Entity.id == Mention.entity_id)
            ).all()
            events = _stored_events(session)
        engine.dispose()
    print(
        f"dev set: {processed} articles processed in {elapsed:.0f} s"
        f"{f' in {len(days)} daily runs' if args.by_day else ''}; gazetteer without "
        f"the {args.split} split's {len(wanted)} entities: {len(set().union(*removed.values()))} "
        "entries removed"
    )
    # a check entity the model saw as a name in training: one of its entries is not held out
    trained = {c for c, keys in removed.items() if any(not held_out(k) for k in keys)}
    score(labels, splits, rows, trained, args.misses)
    score_events(labels, splits, names, *events, misses=args.misses)


def _stored_events(session: Session) -> tuple[list[tuple], dict[str, set[str]]]:
    """(each event's id, type, subject key, stage and reporting article's devset id; every
    entity key's folded names)."""
    subject = aliased(Entity)
    events = session.execute(
        select(Event.id, Event.type, subject.key, Event.stage, Article.url)
        .join(subject, subject.id == func.coalesce(Event.model_id, Event.law_id))
        .join(EventArticle, EventArticle.event_id == Event.id)
        .join(Article, Article.id == EventArticle.article_id)
    ).all()
    names: dict[str, set[str]] = defaultdict(set)
    for key, name in session.execute(
        select(Entity.key, EntityName.name).join(EntityName, EntityName.entity_id == Entity.id)
    ):
        names[key].add(fold(name))
    return [(*e[:4], e[4].rsplit("/", 1)[1]) for e in events], names


def score_events(
    labels: dict,
    splits: dict,
    names: dict,
    events: list[tuple],
    stored: dict[str, set[str]],
    misses: bool = False,
) -> None:
    """Events of the scored articles, found with their entities unknown to the gazetteer;
    `misses` lists the labelled events not found and the found ones no label has."""
    gold_names: dict[str, str] = {}
    for key, entity in names.items():
        for written in entity.get("names", {}).values():
            for name in written:
                gold_names.setdefault(fold(name), key)
    for label in labels.values():
        for mention in label["entities"]:
            gold_names.setdefault(fold(mention["surface"]), mention["canonical"])

    def gold_key(key: str) -> str:
        if key in names:
            return key
        return next((gold_names[n] for n in sorted(stored[key]) if n in gold_names), key)

    gold, predicted = set(), defaultdict(set)
    for article_id, label in labels.items():
        if splits[article_id] == "scored":
            for e in label["events"]:
                subject = e["model"] if e["type"] == "model_release" else e["law"]
                gold.add((e["type"], subject, e["regulation_stage"] if e["law"] else None))
    for event_id, type_, key, stage, article_id in events:
        if splits.get(article_id) == "scored":
            predicted[(type_, gold_key(key), stage if type_ == "regulation" else None)].add(
                event_id
            )
    for type_ in ("model_release", "regulation"):
        g = {e for e in gold if e[0] == type_}
        p = {e for e in predicted if e[0] == type_}
        tp = len(g & p)
        rows = sum(len(ids) for e, ids in predicted.items() if e[0] == type_)
        for event in sorted(g - p, key=str) if misses else ():
            print(f"  event missed {event}")
        for event in sorted(p - g, key=str) if misses else ():
            print(f"  event not labelled {event}")
        print(
            f"events {type_:13} with removed entities unknown: P {tp / max(1, len(p)):.2f} "
            f"R {tp / max(1, len(g)):.2f} (gold {len(g)}, predicted {len(p)}, rows {rows})"
        )


def _record(article_id: str, a: dict) -> ArticleRecord:
    return ArticleRecord(
        f"https://devset/{article_id}",
        a["title"],
        a["body"],
        detect(f"{a['title']}\n{a['body']}"),
        source=a["outlet"],
        published_at=datetime.fromisoformat(a["published"]),
    )


def score(labels: dict, splits: dict, rows: list, trained: set[str], misses: bool) -> None:
    """Print the shares; `trained` are the check entities whose names the model trained on."""
    found: dict[str, dict[str, str]] = defaultdict(dict)  # devset id -> folded surface -> key
    for url, _lang, surface, key, _type in rows:
        found[url.rsplit("/", 1)[1]][fold(surface)] = key
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # group -> [n, typed, any]
    keys_by_lang: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for article_id, label in labels.items():
        if splits[article_id] != "scored":
            continue
        lang = article_id.split("-")[0]
        mentions = {(fold(m["surface"]), m["canonical"], m["type"]) for m in label["entities"]}
        for surface, canonical, type_ in mentions:
            key = found[article_id].get(surface)
            group = "seen in training" if canonical in trained else "never seen"
            if misses and not (key and key.split(":")[0] == type_.lower()):
                print(f"  missed {article_id} {surface} {type_} (found as {key})")
            for bucket in ("all", group, type_):
                totals[bucket][0] += 1
                totals[bucket][1] += bool(key and key.split(":")[0] == type_.lower())
                totals[bucket][2] += key is not None
            if lang in ("ja", "zh"):
                keys_by_lang[canonical][lang].add(key)
    for bucket in ("all", "never seen", "seen in training", *sorted(TYPES.values())):
        n, typed, anything = totals[bucket]
        if n:
            print(
                f"mentions of removed entities ({bucket:16}): {n:4}  found with the right type "
                f"{typed / n:.2f}  found at all {anything / n:.2f}"
            )
    both = {c: v for c, v in keys_by_lang.items() if "ja" in v and "zh" in v}
    one_key = sum(1 for v in both.values() if len(v["ja"] | v["zh"]) == 1 and None not in v["ja"])
    for canonical, v in sorted(both.items()) if misses else ():
        if len(v["ja"] | v["zh"]) != 1 or None in v["ja"]:
            ja, zh = sorted(map(str, v["ja"])), sorted(map(str, v["zh"]))
            print(f"  not under one key {canonical}: ja {ja} zh {zh}")
    print(
        f"removed entities named in ja and zh articles: {len(both)}; all their ja and zh "
        f"mentions under one key: {one_key / max(1, len(both)):.2f}"
    )


if __name__ == "__main__":
    main()

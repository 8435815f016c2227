"""Store benchmark: write 100k synthetic articles with mentions, then time the documented
example queries, on SQLite and PostgreSQL.

The first `--via-api` articles go through `save_article` one transaction each, the next as
many through `save_articles` 50 at a time (the crawler's path; both detect duplicates);
the rest are bulk-loaded so the query timings see a full store.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, insert, text

from store import fingerprint
from store.articles import ArticleRecord, save_article, save_articles
from store.db import make_engine, session_factory
from store.models import Article, Entity, Mention
from store.schema import upgrade

WORDS = [
    "百度",
    "阿里巴巴",
    "腾讯",
    "字节跳动",
    "模型",
    "发布",
    "开源",
    "推理",
    "芯片",
    "监管",
    "生成式",
    "人工智能",
    "算力",
    "价格",
    "用户",
]
JA = [
    "バイドゥ",
    "アリババ",
    "テンセント",
    "モデル",
    "発表",
    "公開",
    "規制",
    "半導体",
    "生成AI",
    "推論",
    "価格",
    "利用者",
]
QUERIES = {
    "top entities 7d": """SELECT m.entity_key, count(DISTINCT m.article_id) AS n
        FROM v_mentions m JOIN v_articles a USING (article_id)
        WHERE a.fetched_at >= :since GROUP BY m.entity_key ORDER BY n DESC LIMIT 20""",
    "articles naming a model": """SELECT a.published_at, a.source, a.title FROM v_articles a
        WHERE a.article_id IN (SELECT article_id FROM v_mentions WHERE entity_key = 'model:m7')
        ORDER BY a.published_at DESC LIMIT 50""",
    "bilingual stories": """SELECT story_id, label, n_articles, langs FROM v_stories
        WHERE langs LIKE '%ja%' AND langs LIKE '%zh%' ORDER BY last_seen DESC LIMIT 20""",
    "regulation events": """SELECT event_date, law_key, stage FROM v_events
        WHERE type = 'regulation' ORDER BY event_date DESC""",
    "failed alerts": "SELECT alert_id, subscription FROM v_alerts WHERE status = 'failed'",
}


def synthetic_text(rng: random.Random, n: int) -> str:
    """~800 characters: entity words among random common CJK characters, so articles differ
    the way real ones do."""
    vocab = WORDS if n % 2 else JA
    parts = []
    for _ in range(40):
        parts.append(rng.choice(vocab))
        parts.append("".join(chr(rng.randrange(0x4E00, 0x5200)) for _ in range(15)))
    return "".join(parts) + f"。記事{n}"


def run(engine: Engine, n: int, via_api: int) -> None:
    upgrade(engine)
    sessions = session_factory(engine)
    rng = random.Random(7)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with sessions.begin() as s:
        s.execute(
            insert(Entity),
            [{"key": f"model:m{i}", "type": "model", "name_en": f"M{i}"} for i in range(200)],
        )

    def record(i: int) -> ArticleRecord:
        return ArticleRecord(
            f"https://bench.example/api/{i}",
            f"标题{i}",
            synthetic_text(rng, i),
            "zh-Hans" if i % 2 else "ja",
            published_at=start + timedelta(minutes=i),
        )

    t0 = time.perf_counter()
    for i in range(via_api):
        with sessions.begin() as s:
            save_article(s, record(i))
    api_rate = via_api / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for offset in range(via_api, 2 * via_api, 50):
        with sessions.begin() as s:
            save_articles(s, [record(i) for i in range(offset, offset + 50)])
    batch_rate = via_api / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    batch = 2000
    for offset in range(2 * via_api, n, batch):
        rows, mentions = [], []
        for i in range(offset, min(n, offset + batch)):
            body = synthetic_text(rng, i)
            rows.append(
                {
                    "id": i + 1,
                    "url": f"https://bench.example/bulk/{i}",
                    "title": f"标题{i}",
                    "body": body,
                    "lang": "zh-Hans" if i % 2 else "ja",
                    "published_at": start + timedelta(minutes=i),
                    "fetched_at": start + timedelta(minutes=i),
                    "content_hash": fingerprint.content_hash(body),
                    "fingerprint": b"",
                }
            )
            for j in range(3):
                mentions.append(
                    {
                        "article_id": i + 1,
                        "entity_id": rng.randrange(1, 201),
                        "field": "body",
                        "surface": "x",
                        "start_char": j,
                        "end_char": j + 1,
                        "method": "gazetteer",
                    }
                )
        with sessions.begin() as s:
            s.execute(insert(Article), rows)
            s.execute(insert(Mention), mentions)
    bulk_rate = (n - 2 * via_api) / (time.perf_counter() - t0)
    print(f"  save_article, one per transaction: {api_rate:,.0f} articles/s over {via_api:,}")
    print(f"  save_articles, 50 per transaction (the crawler's path): {batch_rate:,.0f} articles/s")
    print(f"  bulk load with 3 mentions each: {bulk_rate:,.0f} articles/s over {n - 2 * via_api:,}")
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:  # fresh statistics, as autovacuum would give
            conn.execute(text("ANALYZE"))
    with engine.connect() as conn:
        for name, sql in QUERIES.items():
            t0 = time.perf_counter()
            conn.execute(text(sql), {"since": start + timedelta(days=60)}).fetchall()
            print(f"  query {name!r}: {(time.perf_counter() - t0) * 1000:,.1f} ms")
        t0 = time.perf_counter()
        with sessions() as s:
            from store.search import search_articles

            search_articles(s, "生成式人工智能")
        print(f"  search '生成式人工智能': {(time.perf_counter() - t0) * 1000:,.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--via-api", type=int, default=2_000)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory() as tmp:
            print(f"SQLite, {args.articles:,} articles")
            run(make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}"), args.articles, args.via_api)
    if args.only == "sqlite":
        return
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(args.pg)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        print(f"PostgreSQL, {args.articles:,} articles")
        run(
            make_engine(f"{args.pg}?options=-csearch_path%3D{schema},public"),
            args.articles,
            args.via_api,
        )
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:,.0f} MB")


if __name__ == "__main__":
    main()

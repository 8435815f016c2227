from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bench.nlp import stored_results
from nlp.analysis import Analyser, _pool
from nlp.entities import EntityRecognizer
from nlp.evaluate import load_corpus
from nlp.process import BATCH, NlpSettings, pool_workers, process_pending
from nlp.store_entities import CurationError, merge, promote
from store.articles import ArticleRecord, save_article
from store.models import Article, ArticleNlpState, Entity, Mention
from tests.conftest import Cli, StoreHandle, new_sqlite_store

CORPUS = Path(__file__).parents[1] / "corpus" / "articles.yaml"

ARTICLES = [
    (
        "https://e/1",
        "智谱发布新一代开源大模型GLM-5",
        "北京智谱华章科技有限公司今天发布GLM-5,并开源权重。",
        "zh-Hans",
    ),
    (
        "https://e/2",
        "智譜AI、GLM-5を公開",
        "中国の智譜AIは新モデルGLM-5を公開した。騰訊と百度も追随する。",
        "ja",
    ),
]


def _fill(store: StoreHandle) -> None:
    with store.sessions.begin() as s:
        for url, title, body, lang in ARTICLES:
            save_article(
                s,
                ArticleRecord(
                    url, title, body, lang, published_at=datetime(2026, 3, 20, tzinfo=UTC)
                ),
            )


@pytest.mark.slow
def test_process_writes_mentions_with_offsets_into_stored_text(store: StoreHandle) -> None:
    _fill(store)
    summary = process_pending(store.sessions)
    assert (summary.processed, summary.failed) == (2, 0)
    with store.sessions() as s:
        rows = s.execute(
            select(Mention, Article, Entity.key)
            .join(Article, Article.id == Mention.article_id)
            .join(Entity, Entity.id == Mention.entity_id)
        ).all()
        for mention, article, _key in rows:
            source = article.title if mention.field == "title" else article.body
            assert source[mention.start_char : mention.end_char] == mention.surface
        keys = {(a.url, key) for _m, a, key in rows}
    assert ("https://e/1", "model:glm-5") in keys and ("https://e/2", "model:glm-5") in keys
    assert ("https://e/2", "org:tencent") in keys and ("https://e/1", "org:zhipu-ai") in keys


@pytest.mark.slow
def test_process_discovers_new_model_once_and_never_touches_curated(store: StoreHandle) -> None:
    _fill(store)
    process_pending(store.sessions)
    with store.sessions() as s:
        glm5 = s.scalar(select(Entity).where(Entity.key == "model:glm-5"))
        baidu = s.scalar(select(Entity).where(Entity.key == "org:baidu"))
        first = s.scalar(select(Article.id).where(Article.url == "https://e/1"))
    assert glm5 is not None and glm5.discovered and glm5.first_article_id == first
    assert glm5.links == {"family": "model:glm"}
    assert baidu is not None and not baidu.discovered and baidu.name_ja == "百度"
    view = "SELECT entity_key, discovered FROM v_entities WHERE entity_key = 'model:glm-5'"
    with store.engine.connect() as conn:
        assert tuple(conn.execute(text(view)).one()) == ("model:glm-5", True)


@pytest.mark.slow
def test_process_is_idempotent_and_all_redoes(store: StoreHandle) -> None:
    _fill(store)
    process_pending(store.sessions)
    with store.sessions() as s:
        before = s.scalar(select(func.count()).select_from(Mention))
    assert process_pending(store.sessions).processed == 0
    assert process_pending(store.sessions, redo_all=True).processed == 2
    with store.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Mention)) == before


@pytest.mark.slow
def test_process_failure_of_one_article_is_recorded_not_raised(
    store: StoreHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(store)
    real_find = EntityRecognizer.find

    def find(self: EntityRecognizer, text: str, lang: str) -> list:  # type: ignore[type-arg]
        if "騰訊" in text:
            raise RuntimeError("model crashed on this article")
        return real_find(self, text, lang)

    monkeypatch.setattr(EntityRecognizer, "find", find)
    summary = process_pending(store.sessions)
    assert (summary.processed, summary.failed) == (1, 1)
    with store.sessions() as s:
        errors = {
            a.url: st.error
            for st, a in s.execute(
                select(ArticleNlpState, Article).join(
                    Article, Article.id == ArticleNlpState.article_id
                )
            )
        }
        orphans = s.scalar(
            select(func.count())
            .select_from(Mention)
            .join(Article, Article.id == Mention.article_id)
            .where(Article.url == "https://e/2")
        )
    assert errors == {"https://e/1": None, "https://e/2": "model crashed on this article"}
    assert orphans == 0  # the failed article left no half-written mentions


@pytest.mark.slow
def test_process_in_worker_processes_stores_what_one_process_stores(tmp_path: Path) -> None:
    corpus = load_corpus(CORPUS)
    assert len(corpus) > BATCH  # two batches: the workers' results come back in order
    results = []
    for workers in (1, 2):
        (tmp_path / str(workers)).mkdir()
        store = new_sqlite_store(tmp_path / str(workers))
        with store.sessions.begin() as s:
            for a in corpus:
                when = datetime.fromisoformat(a.published)
                record = ArticleRecord(
                    f"https://c/{a.id}", a.title, a.body, a.lang, published_at=when
                )
                save_article(s, record)
        settings = NlpSettings(workers=workers, pool_min_articles=1)
        assert process_pending(store.sessions, settings).failed == 0
        results.append(stored_results(store.sessions))
        store.engine.dispose()
    assert results[0] == results[1]
    assert all(results[0])  # mentions, embeddings, stories and events were all written


def _worker_state() -> tuple[int, int, bool]:
    """In a pool worker: its parent, the spaCy pipelines it holds, whether torch is in."""
    from nlp.pipelines import _pipeline

    return os.getppid(), _pipeline.cache_info().currsize, "torch" in sys.modules


@pytest.mark.slow
def test_pool_workers_fork_from_a_server_with_the_models_loaded(tmp_path: Path) -> None:
    analyser = Analyser(EntityRecognizer().gazetteer, None, "use-multilingual")
    for _ in range(2):  # the second pool finds the server up
        with _pool(analyser, 1, tmp_path) as workers:
            parent, pipelines, torch_loaded = workers.submit(_worker_state).result()
        assert parent != os.getpid()  # forked by the fork server, never from this process
        assert pipelines >= 2 and torch_loaded  # ja and zh loaded before the first article
    settings = NlpSettings(workers=2)  # a pool now costs ms: a batch per worker is enough
    assert pool_workers(2 * BATCH, settings) == 2 and pool_workers(2 * BATCH - 1, settings) == 1
    assert pool_workers(10 * BATCH, NlpSettings(workers=1)) == 1


POOL_OWNER = """
import os, sys
from pathlib import Path
from nlp.analysis import Analyser, _pool
from nlp.gazetteer import Gazetteer

if __name__ == "__main__":
    analyser = Analyser(Gazetteer.load(None), None, "use-multilingual")
    workers = _pool(analyser, 2, Path(sys.argv[1]))
    print(*{workers.submit(os.getpid).result() for _ in range(8)}, flush=True)
    sys.stdin.read()
"""


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
def test_pool_workers_end_when_the_process_owning_the_pool_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "owner.py"
    script.write_text(POOL_OWNER)
    root = Path(__file__).parents[2]
    owner = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        text=True,
    )
    assert owner.stdout is not None
    workers = [int(pid) for pid in owner.stdout.readline().split()]
    assert workers and all(map(_running, workers))
    owner.kill()  # as SIGTERM kills `aiwatch process`: no clean-up of its own
    owner.wait()
    deadline = time.monotonic() + 30
    while any(map(_running, workers)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(map(_running, workers))


@pytest.mark.slow
def test_promote_and_merge_curate_discovered_entities(store: StoreHandle) -> None:
    _fill(store)
    process_pending(store.sessions)
    with store.sessions.begin() as s:
        promote(s, "model:glm-5")
        with pytest.raises(CurationError, match="already exists"):
            promote(s, "model:glm-5", "model:glm")
    with store.sessions.begin() as s:
        merge(s, "model:glm-5", "model:glm")
    with store.sessions() as s:
        assert s.scalar(select(Entity).where(Entity.key == "model:glm-5")) is None
        glm = s.scalar(select(Entity).where(Entity.key == "model:glm"))
        assert glm is not None and "GLM-5" in glm.aliases["aka"]
        moved = s.scalar(
            select(func.count()).select_from(Mention).where(Mention.entity_id == glm.id)
        )
    assert moved >= 2


@pytest.mark.slow
def test_cli_extract_json_and_process(store: StoreHandle, cli_store: Cli) -> None:
    result = cli_store("extract", "--json", input="騰訊は「混元T2」モデルを発表した。")
    assert result.code == 0, result.err
    payload = json.loads(result.out)
    assert payload["lang"] == "ja"
    assert [(e["surface"], e["key"], e["method"]) for e in payload["entities"]] == [
        ("騰訊", "org:tencent", "gazetteer"),
        ("混元T2", "model:hunyuan-t2", "discovery"),
    ]
    _fill(store)
    processed = cli_store("process", "--json")
    assert json.loads(processed.out)["processed"] == 2, processed.err
    listed = cli_store("entities", "list", "--discovered", "--json")
    assert "model:glm-5" in {row["key"] for row in json.loads(listed.out)}
    assert cli_store("entities", "promote", "model:nope").code == 1

"""The part of the NLP stage that reads only an article's text: entities, embedding, events.

It needs nothing from the store but the gazetteer (the file and the entities learnt in the
store), so it can run in worker processes while the parent writes the store in article
order: the results are the same as in one process. The parent embeds each batch (the
embedding model sees the same batches either way) and the workers find entities and
events. Workers are forked from a fork server (multiprocessing's "forkserver": a new
process, started by exec, never a fork of the threaded daemon) that imported spaCy and torch
and loaded the NER models, jieba's dictionary and the event model once (nlp.pool_preload):
a worker is ready in milliseconds, not the seconds a spawned one took to load them.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np

from nlp.embedding import embed, load_model
from nlp.entities import EntityRecognizer, Found, repeated
from nlp.events import DetectedEvent, detect_reports
from nlp.gazetteer import Gazetteer

POOL_MIN_ARTICLES = 200  # below this, loading the models in each worker costs more than it saves
PRELOAD = ["__main__", "nlp.pool_preload"]  # what the fork server imports before any fork
OWNER_CHECK_SECONDS = 1.0  # how soon a worker notices that the pool's owner is gone
AHEAD = 2  # batches queued per worker: workers never wait for the parent, memory stays bounded


@dataclass(frozen=True)
class ArticleText:
    """What the analysis reads of one stored article; `vector` if already stored."""

    id: int
    title: str
    body: str
    lang: str
    published: datetime  # aware, in the article's own zone
    vector: np.ndarray | None = None


@dataclass
class Analysis:
    """What a worker found in one article, handed to the writer (or the error it met)."""

    article_id: int
    vector: np.ndarray
    title_found: list[Found]
    body_found: list[Found]
    events: list[DetectedEvent]
    follow_ups: list[DetectedEvent]
    error: tuple[str, str] | None = None  # (exception type, message): this article failed


class Analyser:
    """The recognizer over one gazetteer and the embedding model, for batches of articles."""

    def __init__(self, gazetteer: Gazetteer, gazetteer_path: Path | None, embedding: str) -> None:
        self.gazetteer = gazetteer
        self.recognizer = EntityRecognizer(gazetteer_path, gazetteer=gazetteer)
        self.embedding = embedding

    def batch(self, texts: list[ArticleText]) -> list[Analysis]:
        return [self.one(t) for t in self.embedded(texts)]

    def embedded(self, texts: list[ArticleText]) -> list[ArticleText]:
        """The texts with their vectors: one embedding call for those with none stored."""
        missing = [t for t in texts if t.vector is None]
        if not missing:
            return texts
        model = load_model(self.embedding)
        vectors = embed(model, [t.title + "\n" + t.body for t in missing])
        computed = {t.id: v for t, v in zip(missing, vectors, strict=True)}
        return [t if t.vector is not None else replace(t, vector=computed[t.id]) for t in texts]

    def one(self, text: ArticleText) -> Analysis:
        """Entities and events of one embedded article."""
        vector = text.vector
        assert vector is not None
        try:
            title_found = self.recognizer.find(text.title, text.lang)
            body_found = self.recognizer.find(text.body, text.lang)
            title_found, body_found = (
                repeated(text.title, text.lang, title_found, body_found),
                repeated(text.body, text.lang, body_found, title_found),
            )
            events, follow_ups = detect_reports(
                text.title,
                text.body,
                title_found,
                body_found,
                self.gazetteer,
                text.published,
                vector,
            )
        except Exception as exc:  # one bad article must not stop the stage
            return Analysis(text.id, vector, [], [], [], [], (type(exc).__name__, str(exc)))
        return Analysis(text.id, vector, title_found, body_found, events, follow_ups)


def analysed(
    analyser: Analyser, batches: Iterable[list[ArticleText]], *, workers: int
) -> Iterator[list[Analysis]]:
    """The analyses of `batches`, in order: in this process, or with entities and events
    in `workers` processes that get this process's gazetteer, the embedding done here (the
    workers never load that model)."""
    if workers <= 1:
        yield from map(analyser.batch, batches)
        return
    with TemporaryDirectory() as tmp, _pool(analyser, workers, Path(tmp)) as pool:
        queued: deque[Future[list[Analysis]]] = deque()
        try:
            for batch in batches:
                queued.append(pool.submit(_work, analyser.embedded(batch)))
                if len(queued) >= workers * AHEAD:
                    yield queued.popleft().result()
            while queued:
                yield queued.popleft().result()
        finally:  # stopped (Ctrl-C, a failed write): batches not started are not waited for
            pool.shutdown(cancel_futures=True)


def _pool(analyser: Analyser, workers: int, tmp: Path) -> ProcessPoolExecutor:
    """Workers that load the gazetteer as loaded here (reading its YAML again took each a
    second), from a file: the initializer's arguments are written to a new process before
    it imports anything, so a large one would hold this process until the worker is up."""
    gazetteer = tmp / "gazetteer.pickle"
    gazetteer.write_bytes(pickle.dumps(analyser.gazetteer, pickle.HIGHEST_PROTOCOL))
    global _fork_server_started
    context = get_context("forkserver")  # the server is exec'd: no fork of a threaded daemon
    context.set_forkserver_preload(PRELOAD)  # takes effect when the server first starts
    _fork_server_started = True
    pool = ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(
            os.getpid(),
            str(gazetteer),
            analyser.recognizer.gazetteer_path,
            analyser.embedding,
        ),
    )
    # every worker starts now, while this process embeds the first batches (the pool would
    # otherwise start one only when a batch is submitted; the fork server's first start
    # takes seconds)
    for _ in range(workers):
        pool.submit(_started)
    return pool


_worker: Analyser | None = None
_fork_server_started = False  # by this process's first pool


def fork_server_started() -> bool:
    """Whether a pool was started in this process: its fork server is up with the models
    loaded, so a new pool costs milliseconds, not the server's seconds."""
    return _fork_server_started


def _start_worker(owner: int, gazetteer: str, gazetteer_path: str, embedding: str) -> None:
    """Ctrl-C is the parent's to handle: it stops the pool."""
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_after, args=(owner,), daemon=True).start()
    loaded = pickle.loads(Path(gazetteer).read_bytes())
    _worker = Analyser(loaded, Path(gazetteer_path) if gazetteer_path else None, embedding)


def _exit_after(owner: int) -> None:
    """End this worker once the process that owns the pool is gone (killed: `aiwatch
    process` on SIGTERM). Nothing else would: every worker holds both ends of the pool's
    queues, so none reads an end of file, and an orphan waits for work forever, or on a
    result nobody reads, holding its models and the fork server."""
    while True:
        time.sleep(OWNER_CHECK_SECONDS)
        try:
            os.kill(owner, 0)
        except ProcessLookupError:
            os._exit(1)


def warm_up() -> None:
    """Load everything a worker's analysis loads on first use (pipelines, dictionaries,
    models: all cached per process), by analysing a short article in each language."""
    analyser = Analyser(Gazetteer.load(None), None, "")
    samples = {
        "ja": "百度は新しい大規模言語モデルを発表した。",
        "zh-Hans": "百度发布了新一代大模型。",
        "en": "Baidu released a new large language model.",
    }
    published = datetime(2026, 1, 1).astimezone()
    vector = np.zeros(512, dtype=np.float32)
    for lang, text in samples.items():
        analyser.one(ArticleText(0, text, text, lang, published, vector))


def _started() -> None:
    """Nothing: submitted once per worker, so that the pool starts them all at once."""


def _work(batch: list[ArticleText]) -> list[Analysis]:
    assert _worker is not None
    return [_worker.one(t) for t in batch]

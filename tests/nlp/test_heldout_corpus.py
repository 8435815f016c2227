"""The labelled event corpora (tests/corpus/heldout_events*.yaml, held out, and
tests/corpus/events_batch*.yaml, once held out and now trained on) are well formed: what
`aiwatch eval --corpus` and nlp.train_events read them by must be in the file."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from nlp.evaluate import CorpusArticle, load_corpus

CORPUS = Path(__file__).parents[1] / "corpus"
HELDOUT = sorted([*CORPUS.glob("heldout_events*.yaml"), *CORPUS.glob("events_batch*.yaml")])
KEY = re.compile(r"^(org|person|model|product|gov|law|chip):[^\s:]+$")
STAGES = {"draft", "published", "effective", "amended", "enforcement"}


@pytest.fixture(scope="module", params=HELDOUT, ids=lambda path: path.name)
def corpus(request: pytest.FixtureRequest) -> list[CorpusArticle]:
    return load_corpus(request.param)


def test_every_batch_is_found() -> None:
    assert len(HELDOUT) >= 4


def test_batches_share_no_article_or_story() -> None:
    batches = [load_corpus(path) for path in HELDOUT]
    for i, first in enumerate(batches):
        for second in batches[i + 1 :]:
            assert not {a.id for a in first} & {a.id for a in second}
            assert not {a.story for a in first} & {a.story for a in second}


def test_heldout_corpus_covers_languages_and_negatives(corpus: list[CorpusArticle]) -> None:
    assert len(corpus) >= 45
    assert len({a.id for a in corpus}) == len(corpus)
    assert {a.lang for a in corpus} == {"ja", "zh-Hans", "zh-Hant", "en"}
    assert sum(1 for a in corpus if not a.events) >= 10


def test_heldout_articles_are_dated_with_their_offset(corpus: list[CorpusArticle]) -> None:
    for article in corpus:
        assert datetime.fromisoformat(article.published).utcoffset() is not None, article.id


def test_every_entity_surface_occurs_in_its_article(corpus: list[CorpusArticle]) -> None:
    for article in corpus:
        text = article.title + "\n" + article.body
        for surface, key in article.entities.items():
            assert surface in text, (article.id, surface)
            assert KEY.match(key), (article.id, key)


def test_heldout_events_are_well_formed(corpus: list[CorpusArticle]) -> None:
    for article in corpus:
        for event in article.events:
            if event["type"] == "model_release":
                assert KEY.match(event["org"]) and event["model"].startswith("model:"), article.id
            else:
                assert event["type"] == "regulation", article.id
                assert event["law"].startswith("law:") and event["stage"] in STAGES, article.id

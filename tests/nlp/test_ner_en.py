"""The English NER model (nlp/ner/models/en): shipped, loaded offline, and finding names the
gazetteer does not know in sentences written for this test, but not a capitalised word that
starts a sentence."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nlp.entities import EntityRecognizer
from nlp.ner import MODELS, gold
from nlp.pipelines import load_pipeline

# Written for this test: neither the company nor the person is in the gazetteer.
SENTENCE = (
    "Corvane Dynamics, a Shenzhen robotics startup, said on Thursday that its chief "
    "executive, Tobias Lindgren, would step down next month."
)


def test_labelled_english_sentences_load_and_split() -> None:
    sentences = gold.load("en")
    assert len(sentences) >= 500
    assert {s.split for s in sentences} == {"train", "test"}
    assert {label for s in sentences for *_, label in s.spans} == set(gold.TYPES)


@pytest.mark.slow
def test_en_model_ships_small_and_loads_offline() -> None:
    model = MODELS / "en"
    size = sum(f.stat().st_size for f in model.rglob("*") if f.is_file())
    assert size < 10_000_000, size
    assert (model / "NOTICE.md").exists()
    code = "from nlp.pipelines import load_pipeline; print(load_pipeline('en').pipe_names)"
    env = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['aiwatch_ner_v1', 'aiwatch_gazetteer_ruler_v1']"
    labels = set(load_pipeline("en").get_pipe("aiwatch_ner_v1").nlp.get_pipe("ner").labels)
    assert set(gold.TYPES) <= labels


@pytest.mark.slow
def test_en_model_finds_unknown_company_and_person() -> None:
    found = {(f.surface, f.label, f.method) for f in EntityRecognizer().find(SENTENCE, "en")}
    assert ("Corvane Dynamics", "ORG", "ner") in found
    assert ("Tobias Lindgren", "PERSON", "ner") in found


@pytest.mark.slow
def test_en_model_leaves_capitalised_sentence_starts_alone() -> None:
    text = "Analysts expect prices to fall. Yesterday, Chinese regulators said nothing."
    assert EntityRecognizer().find(text, "en") == []

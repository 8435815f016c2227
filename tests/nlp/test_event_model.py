from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nlp.event_model import EventModel, EventModelError, Linear, Softmax
from nlp.train_events import main as train_main


def test_shipped_model_loads_as_plain_json() -> None:
    model = EventModel.load()
    release = model.release
    assert release.classes == ("news", "comparison", "earlier", "plan", "price", "mention")
    assert release.coef.shape == (len(release.classes), len(release.features))
    assert set(model.stage.classes) >= {"draft", "published", "effective", "amended"}
    assert {"event", "none"} <= set(model.centroids)


def test_terms_are_the_largest_contributions() -> None:
    linear = Linear(("a", "b", "c"), np.array([2.0, -3.0, 0.5]), -1.0)
    x = {"a": 1.0, "b": 1.0, "c": 1.0}
    assert linear.terms(x) == [("b", -3.0), ("a", 2.0), ("c", 0.5)]
    assert linear.probability(x) == pytest.approx(1 / (1 + np.exp(1.5)))


def test_softmax_terms_explain_the_class_asked_for() -> None:
    softmax = Softmax(
        ("news", "comparison"), ("a", "b"), np.array([[2.0, 0.0], [0.0, 1.0]]), np.zeros(2)
    )
    x = {"a": 1.0, "b": 1.0}
    assert softmax.terms(x, "news") == [("a", 2.0)]
    assert softmax.terms(x, "comparison") == [("b", 1.0)]
    p = softmax.probabilities(x)
    assert softmax.predict(x) == ("news", p["news"]) and p["news"] == pytest.approx(
        1 / (1 + np.exp(-1))
    )


@pytest.mark.parametrize(
    "content", ["{not json", json.dumps({"format": 99}), json.dumps({"format": 1, "release": {}})]
)
def test_bad_model_file_is_one_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "model.json"
    path.write_text(content)
    with pytest.raises(EventModelError, match="event model"):
        EventModel.load(path)


@pytest.mark.slow
def test_training_writes_a_model_that_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "event_model.json"
    monkeypatch.setattr("sys.argv", ["train_events", "--out", str(out)])
    train_main()
    model = EventModel.load(out)
    data = json.loads(out.read_text())
    assert "devset fit split" not in data["trained_on"] and data["release"]["positives"] > 10
    assert "tests/corpus/events_batch4.yaml" in data["trained_on"]
    assert not any("heldout" in path for path in data["trained_on"])  # the batch held out
    assert "P " in data["held_out"]["release"]
    assert data["release"]["per_class"]["comparison"] > 0
    assert (
        model.release.probabilities({"in_title": 1.0, "title_release": 1.0})["news"]
        > model.release.probabilities({})["news"]
    )

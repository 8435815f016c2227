"""The trained event classifier, shipped as plain JSON weights (seeds/event_model.json).

Three logistic regressions over the named features of nlp.event_features: is a model
candidate a release reported as news (not a comparison, an earlier release, a plan or
rumour, a price change); is a law candidate a regulation step reported as news; and which
stage that step is. `make event-model` trains them (nlp/train_events.py); loading needs
only numpy, offline. Every decision carries its largest terms, so it can be explained.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = 1
EXPLAIN_TERMS = 3


class EventModelError(ValueError):
    """The model file is missing, malformed or of another format version."""


@dataclass(frozen=True)
class Linear:
    """A binary logistic regression over named features."""

    features: tuple[str, ...]
    coef: np.ndarray
    intercept: float
    threshold: float = 0.5

    def probability(self, x: dict[str, float]) -> float:
        z = self.intercept + float(self.coef @ self._vector(x))
        return 1.0 / (1.0 + math.exp(-z))

    def terms(self, x: dict[str, float]) -> list[tuple[str, float]]:
        """The features that moved this decision most, with their signed contributions."""
        parts = self.coef * self._vector(x)
        order = np.argsort(-np.abs(parts))[:EXPLAIN_TERMS]
        return [(self.features[i], round(float(parts[i]), 2)) for i in order if parts[i]]

    def _vector(self, x: dict[str, float]) -> np.ndarray:
        return np.array([x.get(name, 0.0) for name in self.features], dtype=np.float64)


@dataclass(frozen=True)
class Softmax:
    """A multinomial logistic regression: one class of several (the regulation stage)."""

    classes: tuple[str, ...]
    features: tuple[str, ...]
    coef: np.ndarray  # classes x features
    intercept: np.ndarray

    def predict(self, x: dict[str, float]) -> tuple[str, float]:
        vector = np.array([x.get(name, 0.0) for name in self.features], dtype=np.float64)
        z = self.coef @ vector + self.intercept
        p = np.exp(z - z.max())
        p /= p.sum()
        best = int(np.argmax(p))
        return self.classes[best], float(p[best])


@dataclass(frozen=True)
class EventModel:
    release: Linear
    regulation: Linear
    stage: Softmax
    centroids: dict[str, list[float]]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EventModel:
        if data.get("format") != FORMAT:
            raise EventModelError(f"event model format {data.get('format')!r}, expected {FORMAT}")
        try:
            linear = {
                name: Linear(
                    tuple(data[name]["features"]),
                    np.asarray(data[name]["coef"], dtype=np.float64),
                    float(data[name]["intercept"]),
                    float(data[name].get("threshold", 0.5)),
                )
                for name in ("release", "regulation")
            }
            stage = data["stage"]
            return cls(
                linear["release"],
                linear["regulation"],
                Softmax(
                    tuple(stage["classes"]),
                    tuple(stage["features"]),
                    np.asarray(stage["coef"], dtype=np.float64),
                    np.asarray(stage["intercept"], dtype=np.float64),
                ),
                data.get("centroids", {}),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise EventModelError(f"event model is malformed: {exc}") from None

    @classmethod
    def load(cls, path: Path | None = None) -> EventModel:
        return _load(str(path) if path else "")


@cache
def _load(path: str) -> EventModel:
    """`path` empty means the model shipped in seeds/event_model.json."""
    try:
        raw = (
            Path(path).read_text()
            if path
            else files("seeds").joinpath("event_model.json").read_text()
        )
        return EventModel.from_dict(json.loads(raw))
    except (OSError, json.JSONDecodeError) as exc:
        raise EventModelError(f"event model {path or 'seeds/event_model.json'}: {exc}") from None

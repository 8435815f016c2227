"""The trained event classifier, shipped as plain JSON weights (seeds/event_model.json).

Three logistic regressions over the named features of nlp.event_features: which kind of
mention a model candidate is (a release reported as news, a comparison, an earlier
release, a plan or rumour, a price change, a mention in passing); is a law candidate a
regulation step reported as news; and which stage that step is. `make event-model` trains
them (nlp/train_events.py); loading needs only numpy, offline. Every decision carries its
largest terms, so it can be explained.
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

FORMAT = 2
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

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Linear:
        return cls(
            tuple(data["features"]),
            np.asarray(data["coef"], dtype=np.float64),
            float(data["intercept"]),
            float(data.get("threshold", 0.5)),
        )

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
    """A multinomial logistic regression: one class of several (the kind of a model
    mention, the regulation stage)."""

    classes: tuple[str, ...]
    features: tuple[str, ...]
    coef: np.ndarray  # classes x features
    intercept: np.ndarray
    threshold: float = 0.5  # the probability of the deciding class that makes an event

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Softmax:
        return cls(
            tuple(data["classes"]),
            tuple(data["features"]),
            np.asarray(data["coef"], dtype=np.float64),
            np.asarray(data["intercept"], dtype=np.float64),
            float(data.get("threshold", 0.5)),
        )

    def probabilities(self, x: dict[str, float]) -> dict[str, float]:
        z = self.coef @ self._vector(x) + self.intercept
        p = np.exp(z - z.max())
        p /= p.sum()
        return {c: float(v) for c, v in zip(self.classes, p, strict=True)}

    def predict(self, x: dict[str, float]) -> tuple[str, float]:
        p = self.probabilities(x)
        best = max(p, key=p.__getitem__)
        return best, p[best]

    def terms(self, x: dict[str, float], cls: str) -> list[tuple[str, float]]:
        """The features that moved `cls`'s score most, with their signed contributions."""
        parts = self.coef[self.classes.index(cls)] * self._vector(x)
        order = np.argsort(-np.abs(parts))[:EXPLAIN_TERMS]
        return [(self.features[i], round(float(parts[i]), 2)) for i in order if parts[i]]

    def _vector(self, x: dict[str, float]) -> np.ndarray:
        return np.array([x.get(name, 0.0) for name in self.features], dtype=np.float64)


@dataclass(frozen=True)
class EventModel:
    release: Softmax  # kinds of model mention; a release is news when p(news) >= threshold
    regulation: Linear
    stage: Softmax
    centroids: dict[str, list[float]]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EventModel:
        if data.get("format") != FORMAT:
            raise EventModelError(f"event model format {data.get('format')!r}, expected {FORMAT}")
        try:
            return cls(
                Softmax.from_dict(data["release"]),
                Linear.from_dict(data["regulation"]),
                Softmax.from_dict(data["stage"]),
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

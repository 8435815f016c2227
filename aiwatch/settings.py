"""Config sections turned into the plain settings objects the stages take."""

from __future__ import annotations

from pathlib import Path

from aiwatch.config import Config
from nlp.process import NlpSettings
from nlp.stories import StoryParams


def gazetteer_path(config: Config) -> Path | None:
    configured = config.values["nlp"].get("gazetteer") or ""
    return config.resolve(configured) if configured else None


def nlp_settings(config: Config) -> NlpSettings:
    nlp = config.values["nlp"]
    return NlpSettings(
        gazetteer_path=gazetteer_path(config),
        embedding_model=nlp["embedding_model"],
        stories=StoryParams(
            threshold=float(nlp["story_threshold"]), window_days=float(nlp["story_window_days"])
        ),
    )

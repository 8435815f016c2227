from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp.evaluate import load_devset


def _devset(folder: Path) -> Path:
    (folder / "articles").mkdir(parents=True)
    for gid, lang in (("ja-1", "ja"), ("zh-1", "zh")):
        article = {
            "id": gid,
            "lang": lang,
            "published": "2026-01-02T09:00:00+09:00",
            "title": f"title {gid}",
            "body": "body",
        }
        (folder / "articles" / f"{gid}.json").write_text(json.dumps(article))
    labels = [
        {
            "id": "ja-1",
            "story": "s1",
            "on_topic": True,
            "entities": [{"surface": "GLM-5", "type": "MODEL", "canonical": "model:glm-5"}],
            "events": [
                {
                    "type": "model_release",
                    "org": "org:zhipu",
                    "model": "model:glm-5",
                    "law": None,
                    "regulation_stage": None,
                    "date": "2026-01-01",
                }
            ],
        },
        {"id": "zh-1", "story": None, "on_topic": False, "entities": [], "events": []},
    ]
    (folder / "labels.json").write_text(json.dumps(labels))
    (folder / "splits.json").write_text(json.dumps({"ja-1": "fit", "zh-1": "check"}))
    return folder


@pytest.mark.parametrize(
    ("split", "ids"), [("all", ["ja-1", "zh-1"]), ("fit", ["ja-1"]), ("check", ["zh-1"])]
)
def test_devset_split_loads_as_corpus_articles(tmp_path: Path, split: str, ids: list[str]) -> None:
    articles = load_devset(_devset(tmp_path), split)
    assert [a.id for a in articles] == ids


def test_devset_labels_become_stories_entities_and_events(tmp_path: Path) -> None:
    ja, zh = load_devset(_devset(tmp_path))
    assert ja.entities == {"GLM-5": "model:glm-5"} and zh.story == "single-zh-1"
    assert ja.events == [
        {
            "type": "model_release",
            "org": "org:zhipu",
            "model": "model:glm-5",
            "law": None,
            "stage": None,
        }
    ]

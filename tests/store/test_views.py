"""The views are the analysts' interface: their columns must match docs/schema.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import StoreHandle

SCHEMA_DOC = (Path(__file__).parents[2] / "docs" / "schema.md").read_text()
VIEWS = [
    "v_articles",
    "v_mentions",
    "v_entities",
    "v_entity_names",
    "v_stories",
    "v_events",
    "v_event_articles",
    "v_alerts",
    "v_topics",
    "v_story_topics",
    "v_source_status",
]


def documented_columns(view: str) -> list[str]:
    section = SCHEMA_DOC.split(f"## {view}\n", 1)[1].split("\n## ", 1)[0]
    columns: list[str] = []
    for cell in re.findall(r"^\| ([a-z_ /]+) \|", section, flags=re.M):
        if cell.strip() != "column":
            columns.extend(part.strip() for part in cell.split("/"))
    return columns


@pytest.mark.parametrize("view", VIEWS)
def test_view_columns_match_docs(store: StoreHandle, view: str) -> None:
    with store.engine.connect() as conn:
        actual = list(conn.execute(text(f"SELECT * FROM {view} WHERE 1 = 0")).keys())
    assert actual == documented_columns(view)

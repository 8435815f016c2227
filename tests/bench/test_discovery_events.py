"""bench.discovery's event score: a stored event counts when its entity is the labelled one
by key or by any of its names, as the dev set's scorer matches them."""

from __future__ import annotations

import pytest

from bench.discovery import score_events
from nlp.fold import fold

LABELS = {
    "zh-1": {
        "entities": [{"surface": "负责任人工智能治理法", "canonical": "law:us-tx-traiga"}],
        "events": [
            {
                "type": "regulation",
                "model": None,
                "law": "law:us-tx-traiga",
                "regulation_stage": "effective",
            }
        ],
    },
    "en-1": {"entities": [], "events": []},
}
NAMES = {"law:us-tx-traiga": {"names": {"en": ["TRAIGA"]}}}


def test_an_event_on_a_discovered_name_of_the_labelled_law_counts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    stored = {"law:负责任人工智能治理法": {fold("负责任人工智能治理法")}, "law:other": {"other"}}
    events = [
        (1, "regulation", "law:负责任人工智能治理法", "effective", "zh-1"),
        (2, "regulation", "law:other", "published", "en-1"),
    ]
    score_events(LABELS, {"zh-1": "scored", "en-1": "scored"}, NAMES, events, stored)
    out = capsys.readouterr().out
    assert (
        "regulation    with removed entities unknown: P 0.50 R 1.00 (gold 1, predicted 2, rows 2)"
        in out
    )

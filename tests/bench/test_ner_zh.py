from __future__ import annotations

import pytest

from bench.ner_zh import scores


def test_scores_exact_spans_by_type_and_org_gov_merged() -> None:
    gold = {(0, 0, 2, "ORG"), (0, 3, 5, "PERSON"), (1, 0, 3, "GOV")}
    predicted = {(0, 0, 2, "ORG"), (0, 3, 4, "PERSON"), (1, 0, 3, "ORG")}
    result = scores(gold, predicted)
    assert result["ORG"] == pytest.approx((0.5, 1.0, 2 / 3))
    assert result["GOV"] == (0.0, 0.0, 0.0)
    assert result["PERSON"] == (0.0, 0.0, 0.0)  # a span one character short is wrong
    assert result["ORG+GOV"] == (1.0, 1.0, 1.0)  # GOV taken for ORG counts once merged
    assert result["micro"] == pytest.approx((1 / 3, 1 / 3, 1 / 3))

from __future__ import annotations

import pytest

from tests.conftest import Cli


@pytest.mark.slow
def test_demo_runs_a_cycle_offline_and_shows_alerts(cli: Cli) -> None:
    result = cli("demo")
    assert result.code == 0, result.err
    assert "Kimi K3" in result.out and "model:kimi-k3" in result.out
    assert "law:cn-ai-conten" in result.out  # the labeling rules amendment (table may fold)
    assert "[aiwatch] 新モデル発表: 月之暗面 「Kimi K3」" in result.out
    assert "施行日: 2027-01-01" in result.out  # the fact from a sentence naming no law
    assert result.out.count("[aiwatch]") == 2  # the price cut and the chip news: no alerts

"""An unpriced model reads "unpriced" from the start, and a cost meter says it can't track cost."""

from types import SimpleNamespace

from workbench.runtime.events import Usage
from workbench.tui.backend import Limits, RuntimeBackend, Stats
from workbench.tui.widgets.meters import budget_content, status_content


def agent(model, cost):
    return SimpleNamespace(model=model, cost_usd=cost, usage=Usage(), provider=SimpleNamespace(name="replay"),
                           limits=None, manager=None, id="s1", is_running=False, mode="ask")


def test_fresh_session_on_an_unpriced_model_reads_unpriced():
    assert RuntimeBackend(agent("replay", 0.0), None).stats().cost_usd is None
    assert RuntimeBackend(agent("claude-sonnet-4-5", 0.0), None).stats().cost_usd == 0.0  # priced: $0.00
    assert RuntimeBackend(agent("replay", 0.25), None).stats().cost_usd == 0.25  # spent earlier on a priced one


def test_cost_meter_with_an_unpriced_model_says_it_cannot_track():
    stats = Stats(model="replay", cost_usd=None, limits=Limits(cost=2.0))
    lines = budget_content(stats, 44).plain.splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith("cost"))
    cost, below = lines[at], lines[at + 1]
    assert "%" not in cost and "█" not in cost and "░" not in cost
    assert cost == "cost       unpriced  cost not tracked"  # fits the 40-cell overlay on one line
    assert below == "           the $2.00 limit can't apply"
    assert "unpriced" in status_content(stats).plain
    no_limit = budget_content(Stats(model="replay", cost_usd=None), 44).plain
    assert "can't apply" not in no_limit and "not tracked" in no_limit

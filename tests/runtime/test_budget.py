import pytest

from workbench.runtime.budget import BudgetLimits, BudgetTracker


def test_warnings_fire_once_at_each_threshold():
    t = BudgetTracker(BudgetLimits(max_tokens=100, max_turns=None))
    t.add_turn(40, 0.0)
    assert t.warnings() == []
    t.add_turn(15, 0.0)  # 55 %
    w = t.warnings()
    assert [(x.budget_type, x.percent) for x in w] == [("tokens", 55.0)]
    assert t.warnings() == []
    t.add_turn(45, 0.0)  # 100 %: 80 and 95 both newly crossed: one warning says it (QA: no repeats)
    assert [x.percent for x in t.warnings()] == [100.0]
    assert t.warnings() == []
    ex = t.exhausted()
    assert ex is not None and ex.budget_type == "tokens" and ex.orderly


def test_tool_call_limit_checked_before_a_call():
    t = BudgetTracker(BudgetLimits(max_tool_calls=2))
    assert t.exhausted(next_tool_call=True) is None
    t.add_tool_call()
    t.add_tool_call()
    ex = t.exhausted(next_tool_call=True)
    assert ex is not None and ex.budget_type == "tool_calls" and ex.used == 2
    assert t.exhausted() is None  # turn-boundary checks look at other dimensions


def test_limits_reject_nonsense_and_merge_settings():
    with pytest.raises(ValueError, match="max_turns"):
        BudgetLimits(max_turns=0)

    class S:
        max_tokens = 500
        max_cost = None
        max_turns = 100
        max_tool_calls = None
        max_duration = None
        max_turn_duration = 30.0

    limits = BudgetLimits.from_settings(S(), max_turns=3, max_cost=None)
    assert (limits.max_tokens, limits.max_turns, limits.max_turn_duration) == (500, 3, 30.0)


def test_a_new_run_warns_again_for_per_run_limits_only():
    t = BudgetTracker(BudgetLimits(max_tokens=10, max_turns=2))
    t.add_turn(6, 0.0)
    assert sorted(x.budget_type for x in t.warnings()) == ["tokens", "turns"]
    t.new_run()
    assert (t.turns, t.tool_calls) == (0, 0)
    t.add_turn(0, 0.0)
    assert [x.budget_type for x in t.warnings()] == ["turns"]  # tokens count the session: warned already


def test_an_unpriced_model_gets_no_cost_warning():
    # issue 13: it used to warn "cost at 0% (0 of 1)"; the meters say "unpriced" instead
    t = BudgetTracker(BudgetLimits(max_cost=1.0))
    t.add_turn(10, None)
    assert t.cost is None and t.warnings() == []
    assert t.exhausted() is None  # cannot be enforced, never treated as $0 either

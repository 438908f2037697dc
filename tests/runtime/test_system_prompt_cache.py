"""The default system prompt is built once a day, not once a turn, and follows the date."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from workbench.runtime import agent as agent_module
from tests.runtime.scripted import Turn


async def test_default_prompt_is_reused_within_a_day_and_rebuilt_the_next(make_agent, monkeypatch):
    days = iter([datetime.date(2026, 3, 1), datetime.date(2026, 3, 1), datetime.date(2026, 3, 2)])

    class FakeDate(datetime.date):
        @classmethod
        def today(cls):
            return next(days)

    monkeypatch.setattr(agent_module, "datetime", SimpleNamespace(date=FakeDate))
    agent = make_agent([Turn().text("a")])
    first, again, next_day = agent.system_prompt, agent.system_prompt, agent.system_prompt
    assert first is again and "Current date: 2026-03-01" in first
    assert "Current date: 2026-03-02" in next_day and "- read:" in next_day

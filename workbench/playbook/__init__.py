"""Playbooks: a project's agents, guidelines, journeys and configured tools (docs/playbooks.md).

Names are loaded on first use: `workbench --help` builds the `playbook` parser from
playbook/arguments.py and must not pay for pydantic or the providers."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "load_playbook": "loader",
    "Playbook": "model", "PlaybookSettings": "model", "Guideline": "model", "Journey": "model",
    "JourneyStep": "model", "Transition": "model",
    "PlaybookRuntime": "runtime",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"workbench.playbook.{module}"), name)

"""What a mob needs from the outside world to run: where it writes, which provider each member
talks to, the approval broker, the approval mode and rules, and limits from the command line.

Kept apart from the handle so the CLI, the TUI and tests each build one the way they need.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from workbench.mob.definition import Profile
from workbench.runtime.approvals import ApprovalBroker

# (identity, profile name, profile) -> (provider, model name)
ProviderFactory = Callable[[str, str, Profile], tuple[Any, str]]


@dataclass
class MobEnvironment:
    cwd: Path
    provider_factory: ProviderFactory
    mobs_dir: Path | None = None       # default: config.mobs_dir()
    sessions_dir: Path | None = None   # default: the session store's directory for cwd
    approvals: ApprovalBroker | None = field(default_factory=ApprovalBroker)  # None: asks are denied
    mode: str = "ask"
    allow: tuple[str, ...] = ()
    ask: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    grants: Any = None                 # workbench.tools.permissions.GrantStore | None
    # Overrides of the definition's shared limits (CLI budget flags), None = keep the definition's.
    max_cost: float | None = None
    max_tokens: int | None = None
    # Each member's own limits from the command line (turns, tool calls, time).
    max_turns: int | None = None
    max_tool_calls: int | None = None
    max_duration: float | None = None

    def resolved_mobs_dir(self) -> Path:
        if self.mobs_dir is not None:
            return Path(self.mobs_dir)
        from workbench.config import mobs_dir

        return mobs_dir()

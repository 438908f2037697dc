"""The settings' pydantic models (see workbench/config.py for how they are loaded)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from workbench.config import DEFAULT_THEME, ConfigProblem, _line_of_key


ProviderName = Literal["anthropic", "openai", "replay"]
ApprovalMode = Literal["ask", "edits", "plan", "yolo"]
ThinkingLevel = Literal["off", "minimal", "low", "medium", "high"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ProviderSettings(_Section):
    name: ProviderName | None = None  # None: pick from the environment, else the offline demo
    model: str | None = None
    base_url: str | None = None
    thinking: ThinkingLevel = "off"
    replay_script: str | None = None  # a replay script file, for `name = "replay"`
    # a hostile or broken server cannot hang a run (seconds; providers/deadlines.py, runtime/retry.py)
    idle_timeout: float = Field(default=120.0, gt=0)     # no content for this long ends the attempt
    attempt_timeout: float = Field(default=600.0, gt=0)  # one attempt, however busy
    max_retry_after: float = Field(default=60.0, ge=0)   # a longer retry-after fails with the server's wait


class ApprovalSettings(_Section):
    mode: ApprovalMode = "ask"
    allow: list[str] = Field(default_factory=list)
    ask: list[str] = Field(default_factory=list)
    deny: list[str] = Field(default_factory=list)
    # paths whose writes always ask (besides .git/, .workbench/, … : workbench.tools.protected)
    protected: list[str] = Field(default_factory=list)


class BudgetSettings(_Section):
    max_tokens: int | None = Field(default=None, gt=0)
    max_cost: float | None = Field(default=None, gt=0)
    max_turns: int | None = Field(default=100, gt=0)
    max_tool_calls: int | None = Field(default=None, gt=0)
    max_duration: float | None = Field(default=None, gt=0)  # seconds, whole run
    max_turn_duration: float | None = Field(default=None, gt=0)  # seconds, one model turn


class UiSettings(_Section):
    theme: str = DEFAULT_THEME
    branch_summary: Literal["ask", "never", "always"] = "ask"
    # percent of the terminal's width, on a wide screen (tui/pane_widths.py); unset: the default
    session_width: float | None = Field(default=None, ge=5, le=70)
    side_width: float | None = Field(default=None, ge=5, le=70)


class SessionSettings(_Section):
    pi_sessions_dir: str | None = None  # e.g. "~/.pi/agent/sessions" to resume pi's sessions


class TrustSettings(_Section):
    projects: list[str] = Field(default_factory=list)  # project folders trusted without asking (user config only)


class CheckpointSettings(_Section):
    enabled: bool = True  # file checkpoints around tool calls (rewind); needs git on PATH
    ignore: list[str] = Field(default_factory=list)  # gitignore-style globs never captured
    max_file_mb: float = Field(default=20.0, gt=0)  # larger files are not captured (listed instead)


HookPointName = Literal["run_started", "run_completed", "run_failed", "pre_llm_request", "post_llm_response",
                        "pre_tool_execution", "post_tool_execution", "turn_boundary"]


class HookSettings(_Section):
    """One `[[hooks]]` table (docs/hooks.md). Checked here; run by workbench/hooks/."""

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    point: HookPointName
    command: str = Field(min_length=1)
    match: str | None = None  # tool-name glob, tool points only
    priority: int = 0  # higher runs first
    mode: Literal["foreground", "background"] = "foreground"
    timeout: float = Field(default=30.0, gt=0, le=3600)
    failure: Literal["fail_open", "fail_closed"] = "fail_open"
    capability: Literal["observe", "guardrail"] = "observe"

    @model_validator(mode="after")
    def _match_only_on_tool_points(self) -> "HookSettings":
        if self.match is not None and self.point not in ("pre_tool_execution", "post_tool_execution"):
            raise ValueError(f"match applies to tool points only (pre_tool_execution, post_tool_execution), "
                             f"not {self.point}")
        return self


class SandboxSettings(_Section):
    """`[sandbox]`: bash (and `!command`) under bubblewrap (workbench/hooks/sandbox.py)."""

    mode: Literal["off", "workspace"] = "off"
    network: bool = False
    pass_env: list[str] = Field(default_factory=list)  # secret-looking variables to keep anyway
    hidden: list[str] | None = None  # paths to hide; None: the default list (~/.ssh, ~/.aws, ...)
    fallback: Literal["refuse", "unsandboxed"] = "refuse"


class ContextSettings(_Section):
    files: bool = True  # AGENTS.md / CLAUDE.md appended to the system prompt (--no-context-files)


class Settings(_Section):
    provider: ProviderSettings = Field(default_factory=ProviderSettings)
    approvals: ApprovalSettings = Field(default_factory=ApprovalSettings)
    budget: BudgetSettings = Field(default_factory=BudgetSettings)
    ui: UiSettings = Field(default_factory=UiSettings)
    sessions: SessionSettings = Field(default_factory=SessionSettings)
    checkpoints: CheckpointSettings = Field(default_factory=CheckpointSettings)
    context: ContextSettings = Field(default_factory=ContextSettings)
    keys: dict[str, str] = Field(default_factory=dict)  # binding id -> "key[,key...]"
    trust: TrustSettings = Field(default_factory=TrustSettings)
    hooks: list[HookSettings] = Field(default_factory=list)
    sandbox: SandboxSettings = Field(default_factory=SandboxSettings)


def validation_problems(path: Path, text: str, exc: ValidationError) -> list[ConfigProblem]:
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        out.append(ConfigProblem(path, _line_of_key(text, loc), ".".join(loc) or None, err.get("msg", "invalid")))
    return out

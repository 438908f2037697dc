"""The Budget pane and the status line, both drawn from a `Stats` snapshot.

Colours come from the theme ($success / $warning / $error) via Textual `Content`, so meters
follow the theme; levels change at 70 % and 90 %.
"""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from workbench.tui import format as fmt
from workbench.tui.backend import Stats
from workbench.tui.sanitize import one_line

LEVEL_STYLE = {"-ok": "$success", "-warning": "$warning", "-danger": "$error"}


def level_style(pct: float) -> str:
    return LEVEL_STYLE[fmt.level_class(pct)]


def bar(pct: float, width: int) -> Content:
    filled = max(0, min(width, round(width * pct / 100)))
    return Content.assemble(("█" * filled, level_style(pct)), ("░" * (width - filled), "$foreground 30%"))


def _dimension_rows(stats: Stats) -> list[tuple[str, float, float | None, str, str | None]]:
    """(label, used, limit, shown-used, note) for each budget dimension."""
    lim = stats.limits
    return [
        ("tokens", stats.usage.total_tokens, lim.tokens, fmt.tokens(stats.usage.total_tokens), None),
        ("cost", stats.cost_usd or 0.0, lim.cost, fmt.money(stats.cost_usd), None),
        # Turn, tool-call and time limits apply to each run; tokens and cost to the whole session.
        ("turns", stats.run_turns, lim.turns, str(stats.run_turns), _session_total(stats.run_turns, stats.turns)),
        ("tool calls", stats.run_tool_calls, lim.tool_calls, str(stats.run_tool_calls),
         _session_total(stats.run_tool_calls, stats.tool_calls)),
        ("time", stats.elapsed_s, lim.duration, fmt.duration(stats.elapsed_s), None),
    ]


def _session_total(run: int, total: int) -> str | None:
    """What the two counts mean: the bar counts this run (the limit is per run); the session's
    total (earlier runs and this one) beside it, when earlier runs added to it."""
    return None if run >= total else f"{total:,} in the session"


def _limit_text(label: str, limit: float) -> str:
    if label == "tokens":
        return fmt.tokens(limit)
    if label == "cost":
        return fmt.money(limit)
    if label == "time":
        return fmt.duration(limit)
    return str(int(limit))


def budget_content(stats: Stats, width: int = 40, banner: str | None = None) -> Content:
    bar_w = max(6, width - 34)
    parts: list[Content | str | tuple[str, str]] = []
    if banner:
        parts += [(banner, "bold reverse $error"), "\n"]
    for label, used, limit, shown, note in _dimension_rows(stats):
        if label == "cost" and stats.cost_usd is None:  # no price: no bar, no 0 %
            parts += [f"{label:<10} ", ("unpriced", "bold"), ("  cost not tracked\n", "$foreground 50%")]
            if limit:
                parts += [" " * 11, (f"the {fmt.money(limit)} limit can't apply\n", "$warning")]
        elif limit:
            pct = fmt.percent(used, limit)
            parts += [f"{label:<10} ", bar(pct, bar_w), (f" {pct:5.1f}%", level_style(pct)),
                      f"  {shown} / {_limit_text(label, limit)}\n"]
        else:
            parts += [(f"{label:<10} ", ""), (f"{shown}", "bold"), ("  no limit\n", "$foreground 50%")]
        if note:
            parts += [" " * 11, (f"counts per run · {note}\n", "$foreground 50%")]
    pct = stats.context_percent
    if pct is not None:
        parts += ["context    ", bar(pct, bar_w), (f" {pct:5.1f}%", level_style(pct)),
                  f"  {fmt.tokens(stats.context_tokens)} / {fmt.tokens(stats.context_window or 0)}\n"]
    else:
        parts += [f"context    {fmt.tokens(stats.context_tokens)} (window unknown)\n"]
    if stats.cost_by_model:
        parts.append(("by model\n", "bold"))
        for model, cost in sorted(stats.cost_by_model.items()):
            parts.append(f"  {one_line(model, width - 14):<{max(8, width - 14)}} {fmt.money(cost)}\n")
    return Content.assemble(*parts).rstrip()


class BudgetPane(VerticalScroll):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Budget"
        self.body = Static(classes="budget-body")
        self.stats = Stats()
        self.banner: str | None = None

    def compose(self):
        yield self.body

    def show(self, stats: Stats) -> None:
        self.stats = stats
        self._draw()

    def set_banner(self, text: str | None) -> None:
        self.banner = text
        self.set_class(text is not None, "-exhausted")
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        width = self.content_size.width or 44
        update_if_changed(self.body, budget_content(self.stats, width, self.banner))


def status_content(stats: Stats, width: int = 160, *, mcp: tuple[int, int] | None = None,
                   mcp_failed: bool = False) -> Content:
    """The status line: model · mode · agent · journey · context % · ↑in ↓out · cache · $ · MCP ready/total ·
    session · demo badge."""
    parts: list[Content | str | tuple[str, str]] = []
    if stats.readonly:
        parts += [(" READ-ONLY ", "bold reverse $error"), ("locked by another process · ctrl+f in Session forks ", "$error")]
    if stats.demo:
        parts += [(" OFFLINE DEMO ", "bold reverse $warning"), " "]
    if stats.sandbox_problem:  # never a silent fallback: said first, in red, with the reason
        parts += [(" BASH UNSANDBOXED " if stats.sandbox_fallback else " BASH REFUSED ", "bold reverse $error"),
                  (f" sandbox unavailable: {one_line(stats.sandbox_problem, 60)} ", "$error")]
    parts += [(one_line(stats.model or "no model", 32), "bold")]
    if stats.thinking and stats.thinking != "off":
        parts += [(f" · think {stats.thinking}", "$foreground 70%")]
    parts.append("  ")
    if stats.mode == "yolo":
        parts.append((" YOLO: tools run without asking ", "bold reverse $error"))
    else:
        parts.append((f"mode {stats.mode}", "$accent"))
    if stats.agent or stats.journey:
        from workbench.tui.playbook_ui import status_parts

        parts += status_parts(stats.agent, stats.journey)
    pct = stats.context_percent
    if pct is not None:
        parts += ["  ctx ", (f"{pct:.1f}%", f"bold {level_style(pct)}")]
    u = stats.usage
    parts += [f"  ↑{fmt.tokens(u.input_tokens)} ↓{fmt.tokens(u.output_tokens)}"]
    if u.cache_read_tokens or u.cache_creation_tokens:
        parts += [f"  cache r{fmt.tokens(u.cache_read_tokens)} w{fmt.tokens(u.cache_creation_tokens)}"]
    parts += ["  ", (fmt.money(stats.cost_usd), "bold")]
    if mcp is not None:
        ready, wanted = mcp
        style = "$error" if mcp_failed else ("$success" if ready == wanted else "$warning")
        parts += ["  ", (f"MCP {ready}/{wanted}", style)]
    if stats.sandbox and not stats.sandbox_problem:
        parts += ["  ", ("⛨ sandbox", "$success")]
    if stats.running:
        parts += ["  ", ("● running", "$success")]
    name = stats.session_name or (stats.session_id[:8] if stats.session_id else "")
    if name:
        parts += ["  ", (one_line(name, 30), "italic")]
    return Content.assemble(*parts)


def no_agent_content(reason: str | None) -> Content:
    """The status line when no agent runs (it could not start): what happened, where to look."""
    why = one_line(reason, 90) if reason else "see the message at startup"
    return Content.assemble((" NO AGENT ", "bold reverse $error"), " ", (why, "$error"),
                            ("  · F1 help · ctrl+q quit", "$foreground 60%"))


def update_if_changed(widget: Static, content: Content, *, layout: bool = True) -> bool:
    """Show `content` unless it is what is shown: the meters redraw ten times a second during a
    run, mostly unchanged, and every `update` asks Textual for a layout of the whole screen."""
    shown = widget.content
    if isinstance(shown, Content) and shown.plain == content.plain and shown.spans == content.spans:
        return False
    widget.update(content, layout=layout)
    return True


class StatusLine(Static):
    def show(self, stats: Stats, *, mcp: tuple[int, int] | None = None, mcp_failed: bool = False) -> None:
        # one row whatever it says: no layout needed
        update_if_changed(self, status_content(stats, self.size.width, mcp=mcp, mcp_failed=mcp_failed),
                          layout=False)

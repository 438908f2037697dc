"""One self-contained HTML file of a session: no scripts, no external assets, works offline.

The active branch (or the branch ending at a given entry), or the whole tree with every branch
in a foldable <details> (the branch on the active path open). Tool calls with their results,
diffs and thinking are foldable too. Colours are the theme's. Every piece of session text is
untrusted (model output, tool output, file contents) and goes through `html.escape`; nothing is
ever rendered as markup, so `<script>` in a message shows as text.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from html import escape
from typing import Any, Iterable

from workbench.export.markdown import message_text

_CSS = """
:root { --primary: %(primary)s; --secondary: %(secondary)s; --accent: %(accent)s; --warning: %(warning)s;
  --error: %(error)s; --success: %(success)s; --fg: %(foreground)s; --bg: %(background)s;
  --surface: %(surface)s; --panel: %(panel)s; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 960px; padding: 24px; background: var(--bg); color: var(--fg);
  font: 14px/1.5 ui-sans-serif, system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { color: var(--primary); font-size: 20px; margin: 0 0 4px; }
.facts { opacity: .75; font-size: 12px; margin-bottom: 20px; }
.msg { background: var(--surface); border-left: 3px solid var(--panel); border-radius: 4px;
  padding: 8px 12px; margin: 10px 0; }
.msg .who { font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; margin-bottom: 4px; }
.user { border-left-color: var(--primary); } .user .who { color: var(--primary); }
.assistant { border-left-color: var(--secondary); } .assistant .who { color: var(--secondary); }
.summary, .note { border-left-color: var(--accent); } .summary .who, .note .who { color: var(--accent); }
.shell { border-left-color: var(--warning); }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
pre { background: var(--bg); padding: 8px; border-radius: 4px; overflow-x: auto; white-space: pre-wrap;
  overflow-wrap: anywhere; margin: 6px 0; font: 12.5px/1.45 ui-monospace, "SF Mono", Menlo, Consolas, monospace; }
details { margin: 6px 0; } summary { cursor: pointer; }
details.tool, details.thinking { background: var(--panel); border-radius: 4px; padding: 4px 8px; }
details.thinking summary { font-style: italic; opacity: .85; }
details.tool summary code { color: var(--accent); }
.error { color: var(--error); } .ok { color: var(--success); }
.diff .add { color: var(--success); } .diff .del { color: var(--error); } .diff .hunk { color: var(--primary); }
details.branch { border: 1px dashed var(--panel); border-radius: 6px; padding: 4px 10px; margin: 12px 0; }
details.branch > summary { color: var(--accent); font-weight: 600; }
.active-mark { color: var(--success); font-weight: 600; }
.label { background: var(--panel); border-radius: 3px; padding: 0 5px; font-size: 11px; margin-left: 6px; }
.meta { opacity: .6; font-size: 12px; }
"""


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _json(value: Any) -> str:
    try:
        return json.dumps(value, indent=2, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _one_line(text: str, width: int = 80) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _diff(text: str) -> str:
    rows = []
    for line in str(text).splitlines():
        cls = ("hunk" if line.startswith("@@") else "add" if line.startswith("+") and not line.startswith("+++")
               else "del" if line.startswith("-") and not line.startswith("---") else "")
        rows.append(f'<span class="{cls}">{_e(line)}</span>' if cls else _e(line))
    return '<pre class="diff">' + "\n".join(rows) + "</pre>"


_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
_BASE64 = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")


def _image(block: dict[str, Any]) -> str:
    """An attached image inline as a data: URI, when it is what it says it is; else a note."""
    mime, data = block.get("mimeType"), block.get("data")
    if mime in _IMAGE_TYPES and isinstance(data, str) and _BASE64.match(data):
        return f'<img alt="attached image" style="max-width:100%" src="data:{mime};base64,{data}">'
    return '<div class="meta">(image attached)</div>'


def _tool_summary(name: str, args: Any) -> str:
    hint = ""
    if isinstance(args, dict):
        for key in ("command", "path", "pattern", "file_path", "query"):
            if isinstance(args.get(key), str):
                hint = args[key]
                break
    return f"<code>{_e(name)}</code> {_e(_one_line(hint))}" if hint else f"<code>{_e(name)}</code>"


class _Renderer:
    def __init__(self, results: dict[str, dict[str, Any]]) -> None:
        self.results = results  # toolCallId -> toolResult message, shown with its call

    def tool_call(self, block: dict[str, Any]) -> str:
        name, args = str(block.get("name", "?")), block.get("arguments", {})
        result = self.results.get(str(block.get("id", "")))
        parts = [f'<details class="tool"><summary>Tool call {_tool_summary(name, args)}']
        if result is not None and result.get("isError"):
            parts.append(' <span class="error">(error)</span>')
        parts.append(f"</summary><pre>{_e(_json(args))}</pre>")
        if result is not None:
            details = result.get("details") if isinstance(result.get("details"), dict) else {}
            if isinstance(details.get("diff"), str) and details["diff"].strip():
                parts.append(f"<details open><summary>Diff</summary>{_diff(details['diff'])}</details>")
            label = '<span class="error">Error</span>' if result.get("isError") else '<span class="ok">Result</span>'
            parts.append(f"<div>{label}</div><pre>{_e(message_text(result))}</pre>")
        parts.append("</details>")
        return "".join(parts)

    def message(self, m: dict[str, Any]) -> str:
        role = m.get("role")
        if role == "user":
            text = message_text(m)
            images = sum(1 for b in m.get("content") or [] if isinstance(b, dict) and b.get("type") == "image") \
                if isinstance(m.get("content"), list) else 0
            extra = "".join(_image(b) for b in m.get("content") or [] if isinstance(b, dict) and b.get("type") == "image") \
                if images else ""
            return f'<section class="msg user"><div class="who">You</div><div class="text">{_e(text)}</div>{extra}</section>'
        if role == "assistant":
            body: list[str] = []
            for block in m.get("content") or []:
                if not isinstance(block, dict):
                    continue
                kind = block.get("type")
                if kind == "text" and str(block.get("text", "")).strip():
                    body.append(f'<div class="text">{_e(str(block["text"]).strip())}</div>')
                elif kind == "thinking" and str(block.get("thinking", "")).strip():
                    thought = str(block["thinking"]).strip()
                    body.append(f'<details class="thinking"><summary>Thinking ({len(thought):,} characters)</summary>'
                                f"<pre>{_e(thought)}</pre></details>")
                elif kind == "toolCall":
                    body.append(self.tool_call(block))
            if m.get("stopReason") in ("error", "aborted"):
                why = m.get("errorMessage") or ("interrupted" if m.get("stopReason") == "aborted" else "error")
                body.append(f'<div class="error">The answer stopped: {_e(why)}</div>')
            model = f' <span class="meta">{_e(m["model"])}</span>' if m.get("model") else ""
            return (f'<section class="msg assistant"><div class="who">Assistant{model}</div>'
                    f'{"".join(body) or "<div class=meta>(no text)</div>"}</section>')
        if role == "bashExecution":
            code = m.get("exitCode")
            extra = f" (exit {_e(code)})" if code not in (None, 0) else ""
            return (f'<section class="msg shell"><div class="who">Shell{extra}</div>'
                    f"<pre>$ {_e(m.get('command', ''))}\n{_e(m.get('output', ''))}</pre></section>")
        if role in ("compactionSummary", "branchSummary"):
            title = "Summary of the earlier conversation" if role == "compactionSummary" else "Summary of another branch"
            return (f'<section class="msg summary"><div class="who">{title}</div>'
                    f'<div class="text">{_e(m.get("summary", ""))}</div></section>')
        if role == "custom" and m.get("display", True):
            content = m.get("content")
            text = content if isinstance(content, str) else message_text(m)
            return (f'<section class="msg note"><div class="who">Note ({_e(m.get("customType", "custom"))})</div>'
                    f'<div class="text">{_e(text)}</div></section>')
        return ""

    def entry(self, entry: dict[str, Any]) -> str:
        kind = entry.get("type")
        if kind == "message" and isinstance(entry.get("message"), dict):
            if entry["message"].get("role") == "toolResult":
                return ""  # shown inside its tool call
            return self.message(entry["message"])
        if kind == "compaction":
            return self.message({"role": "compactionSummary", "summary": entry.get("summary", "")})
        if kind == "branch_summary":
            return self.message({"role": "branchSummary", "summary": entry.get("summary", "")})
        if kind == "custom_message":
            return self.message({"role": "custom", **entry})
        if kind == "model_change":
            return f'<div class="meta">Model: {_e(entry.get("provider", ""))}/{_e(entry.get("modelId", ""))}</div>'
        return ""


def _results(entries: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out = {}
    for e in entries:
        m = e.get("message") if e.get("type") == "message" else None
        if isinstance(m, dict) and m.get("role") == "toolResult":
            out[str(m.get("toolCallId", ""))] = m
    return out


def _page(title: str, facts: list[str], body: str, colours: dict[str, str]) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "img-src data:\">"
            f"<title>{_e(title)}</title><style>{_CSS % colours}</style></head><body>"
            f"<h1>{_e(title)}</h1><div class=\"facts\">{' · '.join(_e(f) for f in facts)}</div>"
            f"{body}</body></html>\n")


def _tree_html(nodes: list[Any], renderer: _Renderer, active: set[str], depth: int = 0) -> str:
    """A chain is laid out inline; where it forks, each child branch is a <details>."""
    out: list[str] = []
    while nodes:
        if len(nodes) == 1:
            node = nodes[0]
            out.append(_node(node, renderer))
            nodes = list(node.children)
            continue
        for number, child in enumerate(nodes, 1):
            on_path = _subtree_has(child, active)
            first = _first_text(child)
            mark = ' <span class="active-mark">(active)</span>' if on_path else ""
            label = f'<span class="label">{_e(child.label)}</span>' if child.label else ""
            out.append(f'<details class="branch"{" open" if on_path else ""}><summary>Branch {number} of '
                       f"{len(nodes)}: {_e(_one_line(first, 70))}{mark}{label}</summary>"
                       f"{_tree_html([child], renderer, active, depth + 1)}</details>")
        break
    return "".join(out)


def _node(node: Any, renderer: _Renderer) -> str:
    html = renderer.entry(node.entry)
    if html and node.label:
        html = html.replace('<div class="who">', f'<div class="who"><span class="label">{_e(node.label)}</span> ', 1)
    return html


def _subtree_has(node: Any, ids: set[str]) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if n.record.id in ids:
            return True
        stack.extend(n.children)
    return False


def _first_text(node: Any) -> str:
    stack = [node]
    while stack:
        n = stack.pop(0)
        e = n.entry
        m = e.get("message") if e.get("type") == "message" else None
        if isinstance(m, dict) and m.get("role") in ("user", "assistant"):
            text = message_text(m).strip()
            if text:
                return text
        stack.extend(n.children)
    return "(no messages)"


def export_html(manager: Any, *, leaf: str | None = None, whole_tree: bool = False,
                colours: dict[str, str] | None = None, now: datetime | None = None) -> str:
    """The session of `manager` (workbench.sessions.manager.SessionManager) as one HTML page."""
    from workbench.export.theme import FALLBACK

    entries = list(manager.entries)
    renderer = _Renderer(_results(entries))
    name = manager.name
    sid = manager.session_id
    title = name or f"Session {sid[:8]}"
    facts = [f"Exported {(now or datetime.now()).strftime('%Y-%m-%d %H:%M')}", f"session {sid}"]
    if manager.cwd:
        facts.append(f"in {manager.cwd}")
    if whole_tree:
        facts.append("every branch (the active one open)")
        body = _tree_html(manager.get_tree(), renderer, set(manager.get_branch_ids()))
    else:
        if leaf is not None:
            facts.append(f"branch ending at {leaf}")
        body = "".join(renderer.entry(e) for e in manager.get_branch(leaf))
    if not body:
        body = '<div class="meta">No messages.</div>'
    return _page(title, facts, body, {**FALLBACK, **(colours or {})})

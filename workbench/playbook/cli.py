"""`workbench playbook check [--json]`: load the playbooks, print what loaded and every problem.

Exit 0 when everything loaded, 2 when any item was left out (a problem names file, line, key).
Everything printed comes from files a repository may carry: the human output goes through
`one_line`, the JSON output is ASCII-escaped.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from workbench.errors import EXIT_CODES
from workbench.playbook.loader import load_playbook, playbook_files
from workbench.playbook.model import Journey, Playbook
from workbench.text import one_line


def _problem(p: Any) -> dict[str, Any]:
    return {"path": str(p.path), "line": p.line, "key": p.key, "message": p.message}


def _describe(item: Any) -> dict[str, Any]:
    """An agent or a tool (19-agents-tools' dataclasses) as plain JSON data."""
    import dataclasses

    if not dataclasses.is_dataclass(item):
        return {"name": str(getattr(item, "name", item))}
    out: dict[str, Any] = {}
    for f in dataclasses.fields(item):
        value = getattr(item, f.name)
        out[f.name] = value if isinstance(value, (str, int, float, bool, type(None), list, dict)) else (
            list(value) if isinstance(value, tuple) else str(value))
    return out


def _journey_json(j: Journey) -> dict[str, Any]:
    return {"id": j.id, "name": j.name, "description": j.description, "initial_step": j.initial_step,
            "source": str(j.source), "line": j.line,
            "steps": [{"id": s.id, "name": s.name, "description": s.description, "guidelines": list(s.guidelines),
                       "required_context": list(s.required_context), "is_terminal": s.is_terminal,
                       "transitions": [{"to": t.to, "condition": t.condition, "priority": t.priority,
                                        "match": [m.text for m in t.match]} for t in s.transitions]}
                      for s in j.steps]}


def to_json(pb: Playbook, searched: list[Path]) -> dict[str, Any]:
    s = pb.settings
    return {
        "searched": [str(p) for p in searched],
        "files": [str(p) for p in pb.files],
        "settings": {"matcher_model": s.matcher_model, "relevance_threshold": s.relevance_threshold,
                     "max_matches": s.max_matches},
        "guidelines": [{"id": g.id, "condition": g.condition, "action": g.action, "priority": g.priority,
                        "tools": list(g.tools), "required_context": list(g.required_context), "enabled": g.enabled,
                        "journey": g.journey, "step": g.step, "match": [m.text for m in g.match],
                        "starts_journey": g.starts_journey, "source": str(g.source), "line": g.line}
                       for g in pb.guidelines],
        "journeys": [_journey_json(j) for j in pb.journeys],
        "agents": [_describe(a) for a in pb.agents],
        "tools": [_describe(t) for t in pb.tools],
        "ignored": list(pb.ignored),
        "notices": [_problem(p) for p in pb.notices],
        "problems": [_problem(p) for p in pb.problems],
        "ok": not pb.problems,
    }


def _text_lines(pb: Playbook, searched: list[Path]) -> list[str]:
    out: list[str] = []
    if not pb.files:
        out.append("no playbook found; looked for:")
        out.extend(f"  {p}" for p in searched)
    else:
        out.append("read: " + ", ".join(str(p) for p in pb.files))
    s = pb.settings
    out.append(f"matcher: {s.matcher_model or 'the session model'} · relevance_threshold {s.relevance_threshold}"
               f" · max_matches {s.max_matches}")
    out.append(f"{len(pb.guidelines)} guideline(s)")
    for g in sorted(pb.guidelines, key=lambda g: -g.priority):
        flags = []
        if not g.enabled:
            flags.append("disabled")
        if g.match:
            flags.append("match " + ", ".join(f"'{m.text}'" for m in g.match))
        if g.required_context:
            flags.append("needs " + ", ".join(g.required_context))
        if g.journey:
            flags.append(f"journey {g.journey}" + (f"/{g.step}" if g.step else ""))
        if g.starts_journey:
            flags.append(f"starts {g.starts_journey}")
        if g.tools:
            flags.append("tools " + ", ".join(g.tools))
        extra = f"  [{one_line('; '.join(flags), 200)}]" if flags else ""
        out.append(f"  {one_line(g.id, 64)} (priority {g.priority}): when {one_line(g.condition, 80)}{extra}")
    out.append(f"{len(pb.journeys)} journey(s)")
    for j in pb.journeys:
        out.append(f"  {one_line(j.id, 64)}: {one_line(j.name, 80)} ({len(j.steps)} steps, starts at {j.initial_step})")
        for i, st in enumerate(j.steps, start=1):
            to = ", ".join(t.to for t in st.transitions) or ("end" if st.is_terminal else "none")
            out.append(f"    {i}. {one_line(st.id, 64)}: {one_line(st.name, 60)} → {one_line(to, 120)}")
    out.append(f"{len(pb.agents)} agent(s)" + (": " + ", ".join(one_line(str(getattr(a, 'name', a)), 40)
                                                                for a in pb.agents) if pb.agents else ""))
    out.append(f"{len(pb.tools)} tool(s)" + (": " + ", ".join(one_line(str(getattr(t, 'name', t)), 40)
                                                              for t in pb.tools) if pb.tools else ""))
    for line in pb.ignored:
        out.append(f"ignored: {one_line(line, 300)}")
    for p in pb.notices:
        out.append(f"note: {one_line(str(p), 300)}")
    for p in pb.problems:
        out.append(f"problem: {one_line(str(p), 300)}")
    out.append("ok" if not pb.problems else f"{len(pb.problems)} problem(s): the items named were not loaded")
    return out


def run_playbook_command(args: argparse.Namespace) -> int:
    workspace = Path(os.path.abspath(args.cwd) if args.cwd else os.getcwd())
    pb = load_playbook(workspace, trust_override=args.trust_project)
    searched = playbook_files(workspace)
    if args.json:
        sys.stdout.write(json.dumps(to_json(pb, searched), indent=2) + "\n")
    else:
        sys.stdout.write("\n".join(_text_lines(pb, searched)) + "\n")
    return EXIT_CODES["INVALID_PARAMS"] if pb.problems else 0

"""Generate realistic pi session v3 files for benchmarks and tests.

A session is a coding conversation: turns of a user prompt, assistant messages with thinking and
tool calls, tool results holding file contents and command output (most of the bytes), and a final
assistant answer. Along the way it branches back (some branches with a branch_summary), sets labels,
names itself, changes model, and is compacted twice. Text is drawn from a seeded pool, so a given
seed always gives the same file.

Usable as a module (`generate_session`, `session_lines`, `write_session`) or a script:

    python tests/benchmarks/gen_session.py OUT.jsonl [--mb 100] [--entries 50000] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

_WORDS = (
    "parse args config value result token buffer session entry branch leaf path file error retry "
    "request response stream handler widget render layout cache index scan offset header label "
    "compaction summary context model provider usage cost budget approval tool bash edit write read "
    "grep find λ→ café naïve 日本 ✓"
).split()


def _text_pool(rng: random.Random, size: int = 1 << 20) -> str:
    """Pseudo source code and prose, with newlines, quotes and some non-ASCII (JSON escaping matters)."""
    out: list[str] = []
    n = 0
    while n < size:
        kind = rng.random()
        if kind < 0.5:
            name = rng.choice(_WORDS).replace("→", "_")
            line = f'def {name}_{rng.randrange(1000)}(x, y="{rng.choice(_WORDS)}"):\n    return x + {rng.randrange(99)}\n'
        elif kind < 0.8:
            line = " ".join(rng.choice(_WORDS) for _ in range(rng.randrange(6, 18))) + ".\n"
        else:
            line = f"  {rng.randrange(10**6):>7}\t{rng.choice(_WORDS)}/{rng.choice(_WORDS)}.py:{rng.randrange(400)}\n"
        out.append(line)
        n += len(line)
    return "".join(out)


@dataclass
class GeneratedSession:
    path: Path | None
    session_id: str
    entry_count: int
    byte_count: int
    leaf_id: str
    other_leaf_ids: list[str] = field(default_factory=list)  # tips of abandoned branches
    label_ids: dict[str, str] = field(default_factory=dict)
    compaction_ids: list[str] = field(default_factory=list)


class _Builder:
    def __init__(self, seed: int, cwd: str, start: datetime, pool_size: int = 1 << 20):
        self.rng = random.Random(seed)
        self.pool = _text_pool(self.rng, pool_size)
        self.ids: set[str] = set()
        self.lines: list[str] = []
        self.path: list[str] = []  # root → leaf ids of the current branch
        self.bytes = 0
        self.clock = start
        self.session_id = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        self.cwd = cwd
        self.model = ("anthropic", "claude-sonnet-4-5", "anthropic-messages")
        self.call_no = 0

    def text(self, size: int) -> str:
        size = max(1, int(size * self.rng.uniform(0.5, 1.5)))
        start = self.rng.randrange(0, len(self.pool) - size - 1) if size < len(self.pool) - 2 else 0
        return self.pool[start:start + size]

    def new_id(self) -> str:
        while True:
            i = f"{self.rng.getrandbits(32):08x}"
            if i not in self.ids:
                self.ids.add(i)
                return i

    def tick(self) -> tuple[str, int]:
        self.clock += timedelta(milliseconds=self.rng.randrange(5, 4000))
        iso = self.clock.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return iso, int(self.clock.timestamp() * 1000)

    def header(self) -> None:
        iso, _ = self.tick()
        self._write({"type": "session", "version": 3, "id": self.session_id, "timestamp": iso, "cwd": self.cwd})

    def _write(self, obj: dict) -> None:
        line = json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"
        self.lines.append(line)
        self.bytes += len(line.encode("utf-8")) if not line.isascii() else len(line)

    def append(self, type_: str, **fields) -> str:
        entry_id = self.new_id()
        iso, _ = self.tick()
        parent = self.path[-1] if self.path else None
        self._write({"type": type_, "id": entry_id, "parentId": parent, "timestamp": iso, **fields})
        self.path.append(entry_id)
        return entry_id

    def usage(self) -> dict:
        i, o = self.rng.randrange(1000, 90000), self.rng.randrange(20, 4000)
        return {"input": i, "output": o, "cacheRead": 0, "cacheWrite": 0, "totalTokens": i + o,
                "cost": {"input": i * 3e-6, "output": o * 15e-6, "cacheRead": 0, "cacheWrite": 0,
                         "total": i * 3e-6 + o * 15e-6}}

    def user(self, size: int) -> str:
        _, ms = self.tick()
        return self.append("message", message={"role": "user", "content": [{"type": "text", "text": self.text(size)}],
                                               "timestamp": ms})

    def assistant(self, text_size: int, tool: bool) -> str:
        _, ms = self.tick()
        content: list[dict] = [{"type": "thinking", "thinking": self.text(text_size // 3), "thinkingSignature": "sig"}]
        if tool:
            self.call_no += 1
            name = self.rng.choice(["read", "bash", "grep", "edit"])
            content.append({"type": "toolCall", "id": f"toolu_{self.call_no:06d}", "name": name,
                            "arguments": {"path": f"src/{self.rng.choice(_WORDS)}.py", "command": self.text(60)}})
        else:
            content.append({"type": "text", "text": self.text(text_size)})
        provider, model, api = self.model
        return self.append("message", message={
            "role": "assistant", "content": content, "api": api, "provider": provider, "model": model,
            "usage": self.usage(), "stopReason": "toolUse" if tool else "stop", "timestamp": ms})

    def tool_result(self, size: int) -> str:
        _, ms = self.tick()
        return self.append("message", message={
            "role": "toolResult", "toolCallId": f"toolu_{self.call_no:06d}", "toolName": "read",
            "content": [{"type": "text", "text": self.text(size)}], "isError": self.rng.random() < 0.05,
            "timestamp": ms})


def session_lines(*, target_bytes: int = 100 << 20, entries: int = 50_000, seed: int = 1,
                  cwd: str = "/home/dev/projects/bench", start: datetime | None = None,
                  ) -> tuple[list[str], GeneratedSession]:
    """The lines of one generated session (header first) and what was generated."""
    # A smaller text pool for small sessions keeps generating them quick.
    pool = min(1 << 20, max(64 << 10, target_bytes // 4))
    b = _Builder(seed, cwd, start or datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc), pool)
    b.header()
    b.append("model_change", provider="anthropic", modelId="claude-sonnet-4-5")
    b.append("thinking_level_change", thinkingLevel="medium")
    # A turn: user, 3 × (assistant tool call, tool result), final assistant = 8 entries.
    # Tool results carry most bytes; sizes are solved so the file lands near target_bytes.
    per_entry = max(400, target_bytes // max(entries, 1))
    result_size = max(100, (8 * per_entry - 300 - 3 * 900 - 3 * 300 - 1500 - 900 - 1100) // 3)
    out = GeneratedSession(None, b.session_id, 0, 0, "")
    plan_branch = {int(entries * f) for f in (0.15, 0.3, 0.5, 0.65, 0.85)}
    plan_compact = {int(entries * 0.4), int(entries * 0.75)}
    plan_label = {int(entries * f) for f in (0.1, 0.35, 0.55, 0.9)}
    named = False
    n_done = 0
    while len(b.lines) - 1 < entries:
        n = len(b.lines) - 1
        if not named and n > 20:
            b.append("session_info", name=f"bench session {seed}")
            named = True
        if any(n >= p > n_done for p in plan_branch) and len(b.path) > 120:
            # Go back ~100 entries on the current path and continue there; every other time with a summary.
            out.other_leaf_ids.append(b.path[-1])
            target = len(b.path) - b.rng.randrange(40, 100)
            abandoned = b.path[target:]
            b.path = b.path[:target]
            if len(out.other_leaf_ids) % 2:
                b.append("branch_summary", fromId=abandoned[-1], summary=b.text(800))
        if any(n >= p > n_done for p in plan_compact) and len(b.path) > 60:
            kept = b.path[-b.rng.randrange(20, 50)]
            out.compaction_ids.append(b.append("compaction", summary=b.text(2000), firstKeptEntryId=kept,
                                               tokensBefore=b.rng.randrange(100_000, 190_000),
                                               details={"readFiles": ["src/a.py"], "modifiedFiles": ["src/b.py"]}))
        if any(n >= p > n_done for p in plan_label):
            target = b.path[-b.rng.randrange(2, min(30, len(b.path)))]
            label = f"checkpoint-{len(out.label_ids) + 1}"
            out.label_ids[target] = label
            b.append("label", targetId=target, label=label)
        if n >= entries // 2 and b.model[0] == "anthropic":
            b.model = ("openai", "gpt-5", "openai-responses")
            b.append("model_change", provider="openai", modelId="gpt-5")
        n_done = n
        b.user(300)
        for _ in range(3):
            b.assistant(600, tool=True)
            b.tool_result(result_size)
        b.assistant(1500, tool=False)
    out.entry_count = len(b.lines) - 1
    out.byte_count = b.bytes
    out.leaf_id = b.path[-1]
    return b.lines, out


def write_session(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("".join(lines))


def session_file_name(session_id: str, when: datetime) -> str:
    """pi's naming: <ISO timestamp with : and . replaced by -> _ <uuid>.jsonl"""
    ts = when.isoformat(timespec="milliseconds").replace("+00:00", "Z").replace(":", "-").replace(".", "-")
    return f"{ts}_{session_id}.jsonl"


def generate_session(directory: Path, **kwargs) -> GeneratedSession:
    """Write one generated session into `directory` under pi's file name; return what was written."""
    lines, info = session_lines(**kwargs)
    header = json.loads(lines[0])
    when = datetime.fromisoformat(header["timestamp"].replace("Z", "+00:00"))
    info.path = Path(directory) / session_file_name(info.session_id, when)
    write_session(info.path, lines)
    return info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="file to write")
    ap.add_argument("--mb", type=float, default=100, help="approximate size in MB")
    ap.add_argument("--entries", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    lines, info = session_lines(target_bytes=int(a.mb * (1 << 20)), entries=a.entries, seed=a.seed)
    write_session(a.out, lines)
    print(json.dumps({"path": str(a.out), "entries": info.entry_count, "bytes": info.byte_count,
                      "leaf_id": info.leaf_id, "other_leaf_ids": info.other_leaf_ids}))


if __name__ == "__main__":
    main()

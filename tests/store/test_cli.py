"""`workbench sessions list|show` through workbench.cli.main, checked against pi's expected results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.sessions.paths import session_dir_for

from .conftest import FIXTURES, expected, install_fixture

NAMED = json.loads((FIXTURES / "expected" / "named-ids.json").read_text())
# expected.json context names -> the --leaf argument that builds them
LEAVES = {"leafA_a5": NAMED["leafA"], "leafB_a7": NAMED["leafB"], "root_null": "root", "u2b": NAMED["u2b"],
          "u3_after_branch_summary": NAMED["u3"], "label_entry_lbl1": NAMED["lbl1"]}
REPO = Path(__file__).resolve().parents[2]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["sessions", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def show_json(capsys, *argv: str) -> dict:
    code, out, err = run(capsys, "show", *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def flatten(expected_tree: list[dict]) -> list[dict]:
    """pi's nested expected tree -> the flat display-order list `show --json` prints."""
    out = []
    stack = [(node, None) for node in reversed(expected_tree)]
    while stack:
        node, parent = stack.pop()
        row = {"id": node["id"], "type": node["type"], "parent_id": parent}
        if "label" in node:
            row["label"] = node["label"]
        out.append(row)
        stack.extend((child, node["id"]) for child in reversed(node.get("children", [])))
    return out


def summarise(message: dict) -> dict:
    """How the expected files summarise a context message: role + text (summaries cut at 40 chars)."""
    role = message["role"]
    if role in ("compactionSummary", "branchSummary"):
        return {"role": role, "text": message["summary"][:40]}
    if role == "bashExecution":
        return {"role": role, "text": message["command"]}
    content = message.get("content")
    text = content if isinstance(content, str) else "".join(
        b["text"] for b in content if b.get("type") == "text")
    return {"role": role, "text": text}


def check_against_expected(capsys, exp: dict, target: str) -> dict:
    got = show_json(capsys, target)
    assert Path(got["path"]).name == exp["file"]
    assert got["header"] == exp["header"]
    assert got["leaf_id"] == exp["leafIdAfterLoad"]
    assert got["name"] == exp["sessionName"]
    assert got["labels"] == exp["labels"]
    assert got["tree"] == flatten(exp["tree"])
    full = exp["fullContextAtLoadedLeaf"]
    assert got["context"]["messages"] == full["messages"]
    at_leaf = exp["contexts"]["<leaf after load>"]
    assert got["context"]["thinking_level"] == at_leaf["thinkingLevel"]
    model = at_leaf["model"]
    assert got["context"]["model"] == {"provider": model["provider"], "model_id": model["modelId"]}
    assert got["problems"] == []
    return got


def test_show_json_branched_fixture(capsys, fixture_sessions):
    exp = expected("v3-branched-session")
    check_against_expected(capsys, exp, "095c9696")
    for name, leaf in LEAVES.items():
        got = show_json(capsys, "095c9696", "--leaf", leaf)
        want = exp["contexts"][name]
        assert got["leaf_id"] == (None if leaf == "root" else leaf)
        ctx = got["context"]
        assert [summarise(m) for m in ctx["messages"]] == want["messages"], name
        assert ctx["thinking_level"] == want["thinkingLevel"], name
        want_model = want["model"] and {"provider": want["model"]["provider"], "model_id": want["model"]["modelId"]}
        assert ctx["model"] == want_model, name


def test_show_json_forked_fixture_by_path(capsys, fixture_sessions):
    exp = expected("v3-forked-session")
    got = check_against_expected(capsys, exp, str(fixture_sessions["v3-forked-session"]))
    assert got["header"]["parentSession"].endswith("095c9696-bb99-4ea8-b0c1-bb964370bc89.jsonl")
    assert [summarise(m) for m in got["context"]["messages"]] == exp["contexts"]["<leaf after load>"]["messages"]


def test_show_json_v1_fixture_is_migrated_in_memory(capsys, fixture_sessions):
    exp = json.loads((FIXTURES / "expected" / "v1-migration.expected.json").read_text())["v1-before-compaction"]
    before = fixture_sessions["v1-before-compaction"].read_bytes()
    got = show_json(capsys, "ffae836b")
    assert got["header"] == exp["headerAfterMigration"]
    assert len(got["tree"]) == exp["parsedEntriesExcludingHeader"]
    assert sum(1 for row in got["tree"] if row["parent_id"] is None) == exp["rootCount"]
    ctx = got["context"]
    want = exp["contextAtLoadedLeaf"]
    assert len(ctx["messages"]) == want["messageCount"] and ctx["messages"][0]["role"] == want["firstRole"]
    roles: dict[str, int] = {}
    for m in ctx["messages"]:
        roles[m["role"]] = roles.get(m["role"], 0) + 1
    assert roles == want["roles"]
    assert ctx["model"] == {"provider": "anthropic", "model_id": "claude-opus-4-5"}
    assert fixture_sessions["v1-before-compaction"].read_bytes() == before  # show never writes


def test_show_human_marks_active_path_labels_and_branch_points(capsys, fixture_sessions):
    code, out, _ = run(capsys, "show", "095c9696")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("session 095c9696-bb99-4ea8-b0c1-bb964370bc89  ")
    assert "name    Verbose flag work" in lines
    rows = {line.split()[1] if line.startswith("*") else line.split()[0]: line for line in lines
            if len(line) > 10 and line[2:].lstrip()[:8] in NAMED.values()}
    # Active path: marked, in the first column while linear.
    assert rows[NAMED["u1"]] == f"* {NAMED['u1']} user: Add a --verbose flag to the CLI [start]"
    # The branch point after bash2 indents both branches; the active one is marked.
    assert rows[NAMED["u2"]] == f"*   {NAMED['u2']} user: Now add tests for it"
    assert rows[NAMED["u2b"]] == f"    {NAMED['u2b']} user: Actually, document the flag in README first"
    assert rows[NAMED["a7"]].endswith("README updated. [readme-variant]") and not rows[NAMED["a7"]].startswith("*")
    assert rows[NAMED["a11"]].endswith("<- leaf")
    assert lines[-1] == "context at 6f29d297: 8 messages, model openai/gpt-5, thinking high"


def test_show_leaf_moves_marker(capsys, fixture_sessions):
    _, out, _ = run(capsys, "show", "095c9696", "--leaf", NAMED["leafB"])
    starred = [line.split()[1] for line in out.splitlines() if line.startswith("* ")]
    assert starred[-1] == NAMED["leafB"] and NAMED["u2b"] in starred and NAMED["u2"] not in starred
    _, out, _ = run(capsys, "show", "095c9696", "--leaf", "root")
    assert not any(line.startswith("* ") for line in out.splitlines())
    assert out.splitlines()[-1] == "context at root (empty): 0 messages, model none, thinking off"


def test_unknown_ids_exit_10(capsys, fixture_sessions):
    code, out, err = run(capsys, "show", "0000dead")
    assert (code, out) == (10, "") and "no session with an id starting with '0000dead'" in err
    code, out, err = run(capsys, "show", "095c9696", "--leaf", "nope1234", "--json")
    assert (code, out) == (10, "") and "no entry 'nope1234'" in err and "095c9696" in err
    code, _, err = run(capsys, "show", "/no/such/file.jsonl")
    assert code == 10 and "no session file at /no/such/file.jsonl" in err


def test_bad_arguments_exit_2(capsys, fixture_sessions):
    for argv in (["sessions", "show"], ["sessions", "list", "--bogus"], ["sessions"], ["sessions", "show", "x", "--leaf"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
    capsys.readouterr()


def test_ambiguous_prefix_exit_2_lists_candidates(capsys, fixture_sessions):
    code, _, err = run(capsys, "show", "")
    assert code == 10
    # Both todo-cli fixtures' ids start with different chars; a copy under another id prefix makes two.
    src = fixture_sessions["v3-forked-session"]
    data = src.read_bytes().replace(b"f4925e66-c76d", b"095c0000-c76d", 1)
    dup = src.with_name("2026-11-21T07-55-09-000Z_095c0000-c76d-45e0-831b-b6c4ae5ee05d.jsonl")
    dup.write_bytes(data)
    code, out, err = run(capsys, "show", "095c")
    assert code == 2 and out == ""
    assert "ambiguous" in err and str(dup) in err and str(fixture_sessions["v3-branched-session"]) in err


def test_list_json_and_human(capsys, fixture_sessions):
    code, out, _ = run(capsys, "list", "--cwd", "/home/dev/projects/todo-cli", "--json")
    assert code == 0
    listed = json.loads(out)
    assert listed["problems"] == []
    rows = listed["sessions"]
    assert [r["id"][:8] for r in rows] == ["f4925e66", "095c9696"]  # forked one is more recent
    branched = rows[1]
    assert branched == {
        "path": str(fixture_sessions["v3-branched-session"]), "id": "095c9696-bb99-4ea8-b0c1-bb964370bc89",
        "cwd": "/home/dev/projects/todo-cli", "name": "Verbose flag work", "parent_session": None,
        "created": "2026-11-21T07:55:08.429Z", "modified": branched["modified"], "message_count": 23,
        "first_message": "Add a --verbose flag to the CLI", "source": "workbench",
        "mob": None}
    assert branched["modified"] > branched["created"]
    code, out, _ = run(capsys, "list", "--all")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 4 and lines[0].startswith("MODIFIED")
    assert "Verbose flag work" in out and "/Users/badlogic/workspaces/pi-mono" in out
    code, out, _ = run(capsys, "list", "--cwd", "/nowhere")
    assert code == 0 and out.startswith("no sessions for /nowhere")


def test_list_marks_pi_sessions(capsys, home, tmp_path):
    pi_dir = tmp_path / "pi-sessions"
    install_fixture(pi_dir, "v3-branched-session")
    (home / "config.toml").write_text(f'[sessions]\npi_sessions_dir = "{pi_dir}"\n')
    code, out, _ = run(capsys, "list", "--all")
    assert code == 0 and out.splitlines()[1].endswith("Verbose flag work [pi]")
    assert json.loads(run(capsys, "list", "--all", "--json")[1])["sessions"][0]["source"] == "pi"


def test_untrusted_text_cannot_reach_the_terminal(capsys, home):
    cwd = "/w/evil"
    path = session_dir_for(home / "sessions", cwd) / "2026-01-01T00-00-00-000Z_abad1dea-0000-4000-8000-000000000000.jsonl"
    path.parent.mkdir(parents=True)
    evil = "\x1b[2J\x1b]0;pwned\x07red\x9b31m [bold]x[/bold]"
    lines = [
        {"type": "session", "version": 3, "id": "abad1dea-0000-4000-8000-000000000000",
         "timestamp": "2026-01-01T00:00:00.000Z", "cwd": cwd},
        {"type": "session_info", "id": "aaaaaaaa", "parentId": None, "timestamp": "2026-01-01T00:00:00.001Z", "name": evil},
        {"type": "message", "id": "bbbbbbbb", "parentId": "aaaaaaaa", "timestamp": "2026-01-01T00:00:00.002Z",
         "message": {"role": "user", "content": evil, "timestamp": 1767225600002}},
    ]
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    for argv in (["list", "--cwd", cwd], ["list", "--cwd", cwd, "--json"], ["show", "abad1dea"], ["show", "abad1dea", "--json"]):
        code, out, _ = run(capsys, *argv)
        assert code == 0
        assert not any(ch in out for ch in "\x1b\x07\x9b"), argv
    _, out, _ = run(capsys, "show", "abad1dea")
    assert "[bold]x[/bold]" in out  # printed as text, never as markup
    assert json.loads(run(capsys, "show", "abad1dea", "--json")[1])["name"] == evil


def test_show_reports_bad_lines_as_problems(capsys, home):
    src = FIXTURES / "v3-branched-session.jsonl"
    path = home / "s.jsonl"
    lines = src.read_text().splitlines(keepends=True)
    lines.insert(5, "this is not json\n")
    path.write_text("".join(lines))
    got = show_json(capsys, str(path))
    assert [p["line"] for p in got["problems"]] == [6]
    assert got["problems"][0]["message"]
    assert got["leaf_id"] == expected("v3-branched-session")["leafIdAfterLoad"]


def test_show_200k_deep_chain(capsys, tmp_path):
    path = tmp_path / "deep.jsonl"
    n = 200_000
    with open(path, "w") as fh:
        fh.write('{"type":"session","version":3,"id":"dee9dee9-0000-4000-8000-000000000000",'
                 '"timestamp":"2026-01-01T00:00:00.000Z","cwd":"/deep"}\n')
        parent = "null"
        for i in range(n):
            fh.write(f'{{"type":"custom","id":"{i:08x}","parentId":{parent},'
                     f'"timestamp":"2026-01-01T00:00:00.000Z","customType":"x"}}\n')
            parent = f'"{i:08x}"'
    got = show_json(capsys, str(path))
    tree = got["tree"]
    assert len(tree) == n and tree[0]["parent_id"] is None
    assert tree[-1] == {"id": f"{n - 1:08x}", "type": "custom", "parent_id": f"{n - 2:08x}"}
    assert got["leaf_id"] == f"{n - 1:08x}"


def test_real_subprocess(fixture_sessions, home):
    env = {**os.environ, "WORKBENCH_HOME": str(home)}
    proc = subprocess.run([sys.executable, "-m", "workbench.cli", "sessions", "show", "095c9696", "--json"],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["leaf_id"] == expected("v3-branched-session")["leafIdAfterLoad"]
    proc = subprocess.run([sys.executable, "-m", "workbench.cli", "sessions", "show", "ffffffff"],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=60)
    assert proc.returncode == 10 and "ffffffff" in proc.stderr and proc.stdout == ""
    proc = subprocess.run([sys.executable, "-m", "workbench.cli", "sessions", "show"],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=60)
    assert proc.returncode == 2


def test_show_bad_header_names_the_file_and_keeps_it(capsys, home):
    path = home / "broken.jsonl"
    body = (FIXTURES / "v3-branched-session.jsonl").read_bytes().split(b"\n", 1)[1]
    path.write_bytes(b'{"type":"sess' + b"\n" + body)
    before = path.read_bytes()
    code, out, err = run(capsys, "show", str(path))
    assert code not in (0, 2, 10) and out == ""
    assert str(path) in err
    assert path.read_bytes() == before


def test_show_json_gives_every_root_a_null_parent_and_reports_why(capsys, home):
    # issue 13 item 21: an orphan, a self-parented entry and a two-entry cycle, each shown as a root
    head = ('{"type":"session","version":3,"id":"0a0a0a0a-0000-4000-8000-000000000000",'
            '"timestamp":"2026-01-01T00:00:00.000Z","cwd":"/x"}\n')

    def entry(id_, parent):
        parent = "null" if parent is None else f'"{parent}"'
        return f'{{"type":"custom","id":"{id_}","parentId":{parent},"timestamp":"2026-01-01T00:00:00.000Z","customType":"x"}}\n'
    path = home / "roots.jsonl"
    path.write_text(head + entry("r0000001", None) + entry("c0000001", "r0000001") + entry("o0000001", "gone0001")
                    + entry("s0000001", "s0000001") + entry("y0000001", "y0000002") + entry("y0000002", "y0000001"))
    got = show_json(capsys, str(path))
    parents = {row["id"]: row["parent_id"] for row in got["tree"]}
    assert parents == {"r0000001": None, "c0000001": "r0000001", "o0000001": None, "s0000001": None,
                       "y0000001": None, "y0000002": "y0000001"}
    problems = [(p["line"], p["kind"]) for p in got["problems"]]
    assert problems == [(4, "orphan"), (5, "self-parent"), (6, "cycle")]
    assert "gone0001" in got["problems"][0]["message"]
    code, out, _ = run(capsys, "show", str(path))
    assert code == 0 and "problem: line 4: entry o0000001 has parent gone0001" in out

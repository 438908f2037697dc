import json
import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "sessions" / "fixtures" / "pi-sessions"  # in-repo copy of shared/fixtures
BRANCHED = FIXTURES / "v3-branched-session.jsonl"
FORKED = FIXTURES / "v3-forked-session.jsonl"
NAMED = json.loads((FIXTURES / "expected" / "named-ids.json").read_text())


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))


@pytest.fixture
def named() -> dict[str, str]:
    return dict(NAMED)


@pytest.fixture
def branched_copy(tmp_path) -> Path:
    """The pi fixture copied into a scratch sessions dir (tests write to it)."""
    target = tmp_path / "sessions" / "--home-dev-projects-todo-cli--" / BRANCHED.name
    target.parent.mkdir(parents=True)
    shutil.copyfile(BRANCHED, target)
    return target


def fixture_entries(path: Path = BRANCHED) -> list[dict]:
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return lines[1:]


def write_session(sessions_dir: Path, cwd: str, sid: str, minute: int, exchanges: list[tuple[str, str]], *,
                  name: str | None = None, parent: Path | None = None) -> Path:
    """A small session file as pi writes it, with fixed ids and times (deterministic listings)."""
    from workbench.sessions.paths import session_dir_for

    directory = session_dir_for(sessions_dir, cwd)
    directory.mkdir(parents=True, exist_ok=True)
    ts = f"2026-03-01T10:{minute:02d}:00.000Z"
    path = directory / f"2026-03-01T10-{minute:02d}-00-000Z_{sid}.jsonl"
    header = {"type": "session", "version": 3, "id": sid, "timestamp": ts, "cwd": cwd}
    if parent is not None:
        header["parentSession"] = str(parent.absolute())
    lines = [header]
    prev = None
    ms = 1772359200000 + minute * 60_000
    for k, (user, answer) in enumerate(exchanges):
        for role, text in (("user", user), ("assistant", answer)):
            eid = f"{sid[:4]}{len(lines):04d}"
            msg = {"role": role, "content": [{"type": "text", "text": text}], "timestamp": ms + k}
            if role == "assistant":
                msg["stopReason"] = "stop"
            lines.append({"type": "message", "id": eid, "parentId": prev, "timestamp": ts, "message": msg})
            prev = eid
    if name:
        lines.append({"type": "session_info", "id": f"{sid[:4]}9999", "parentId": prev, "timestamp": ts, "name": name})
    path.write_text("".join(json.dumps(x, separators=(",", ":")) + "\n" for x in lines))
    return path


@pytest.fixture
def store_dir(tmp_path, monkeypatch):
    """Four sessions in /proj (one a fork of another, one named) and one in /other."""
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    root = tmp_path / "store"
    a = write_session(root, "/proj", "aaaa1111-0000-0000-0000-000000000000", 1,
                      [("Add a --verbose flag", "Added it to parseArgs."), ("Now tests", "Tests added.")])
    write_session(root, "/proj", "bbbb2222-0000-0000-0000-000000000000", 2,
                  [("Fix the flaky network test", "Mocked the socket.")], name="flaky test")
    write_session(root, "/proj", "cccc3333-0000-0000-0000-000000000000", 3,
                  [("Add a --verbose flag", "Added it."), ("Document it in the README", "README updated.")], parent=a)
    write_session(root, "/proj", "dddd4444-0000-0000-0000-000000000000", 4,
                  [("Rename the config module", "Renamed to settings.py; imports fixed.")])
    write_session(root, "/other", "eeee5555-0000-0000-0000-000000000000", 5,
                  [("Port the parser to Rust", "Started with the lexer.")])
    return root

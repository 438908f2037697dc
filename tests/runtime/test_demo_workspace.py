"""Issue 13 item 15: the offline demo writes into a scratch workspace of its own, never into the
directory the user stands in (unless --cwd asks for it), and says where."""

from pathlib import Path

from tests.runtime.test_headless import cli, env  # noqa: F401  (the real CLI in a subprocess; its env fixture)
from workbench.cli import build_parser
from workbench.config import load_settings
from workbench.tui.startup import build


def test_headless_demo_writes_in_its_workspace_and_says_where(tmp_path, env, workspace):
    env = dict(env, WORKBENCH_DEMO_FAST="1")
    before = sorted(p.name for p in workspace.iterdir())
    p = cli(["-p", "hi", "--approve", "yolo", "--max-duration", "30"], env, workspace)
    assert p.returncode == 0, p.stderr
    assert sorted(p.name for p in workspace.iterdir()) == before  # no hello.py left in the user's directory
    scratch = tmp_path / "home" / "demo-workspace"
    assert (scratch / "hello.py").is_file()
    assert str(scratch) in p.stderr


def test_headless_demo_runs_where_cwd_asks(tmp_path, env, workspace):
    env = dict(env, WORKBENCH_DEMO_FAST="1")
    p = cli(["-p", "hi", "--approve", "yolo", "--max-duration", "30", "--cwd", str(workspace)], env, tmp_path)
    assert p.returncode == 0, p.stderr
    assert (workspace / "hello.py").is_file()


def test_the_tui_demo_session_works_in_the_scratch_workspace(tmp_path, monkeypatch):
    home, repo = tmp_path / "home", tmp_path / "repo"
    repo.mkdir()
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    for var in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    out = build(build_parser().parse_args([]), repo, load_settings(repo))
    manager = out["backend"].agent.manager
    try:
        assert Path(manager.cwd) == home / "demo-workspace"
        assert out["backend"].agent.cwd == home / "demo-workspace"  # where its tools run
        assert str(home / "demo-workspace") in out["notice"]
        assert out["initial_prompt"]  # the demo still starts by itself
        new = out["sessions"].new()  # /new in the demo: the same workspace
        assert Path(new.agent.manager.cwd) == home / "demo-workspace"
        new.agent.manager.close()
    finally:
        manager.close()
    assert list(repo.iterdir()) == []

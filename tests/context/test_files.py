"""Context files: nesting order, the CLAUDE.md fallback, the 64 KB cut, skipped files."""

from __future__ import annotations

from pathlib import Path

from workbench.context.files import MAX_BYTES, load_context_files, render
from workbench.context.project import ProjectContext


def _tree(tmp_path: Path) -> tuple[Path, Path, Path]:
    repo = tmp_path / "repo"
    ws = repo / "pkg" / "app"
    ws.mkdir(parents=True)
    (repo / ".git").mkdir()
    user = tmp_path / "config"
    user.mkdir()
    return repo, ws, user


def test_order_user_then_repo_root_down_to_workspace(tmp_path):
    repo, ws, user = _tree(tmp_path)
    (user / "AGENTS.md").write_text("user rules")
    (repo / "AGENTS.md").write_text("root rules")
    (repo / "pkg" / "AGENTS.md").write_text("pkg rules")
    (ws / "AGENTS.md").write_text("app rules")
    (tmp_path / "AGENTS.md").write_text("above the repository: never read")
    files, problems = load_context_files(ws, user)
    assert problems == []
    assert [f.text for f in files] == ["user rules", "root rules", "pkg rules", "app rules"]
    assert [f.label for f in files][1:] == ["../../AGENTS.md", "../AGENTS.md", "AGENTS.md"]
    prompt = render(files)
    assert prompt.index("root rules") < prompt.index("pkg rules") < prompt.index("app rules")
    assert "## ../AGENTS.md\n\npkg rules" in prompt


def test_claude_md_only_where_a_folder_has_no_agents_md(tmp_path):
    repo, ws, user = _tree(tmp_path)
    (repo / "CLAUDE.md").write_text("root claude")
    (ws / "AGENTS.md").write_text("app agents")
    (ws / "CLAUDE.md").write_text("app claude: shadowed")
    files, _ = load_context_files(ws, user)
    assert [f.text for f in files] == ["root claude", "app agents"]


def test_no_repository_means_the_workspace_alone(tmp_path):
    ws = tmp_path / "a" / "b"
    ws.mkdir(parents=True)
    (tmp_path / "a" / "AGENTS.md").write_text("parent, not a repo root")
    (ws / "AGENTS.md").write_text("here")
    files, _ = load_context_files(ws, tmp_path / "nothing")
    assert [f.text for f in files] == ["here"]


def test_big_file_is_cut_with_a_note_and_bad_files_are_skipped_with_a_message(tmp_path):
    repo, ws, user = _tree(tmp_path)
    (repo / "AGENTS.md").write_bytes(b"\xff\xfe not utf-8")
    (ws / "AGENTS.md").write_text("é" * MAX_BYTES)  # 2 bytes each: the cut lands inside one
    files, problems = load_context_files(ws, user)
    assert len(problems) == 1 and "not UTF-8" in problems[0].message and problems[0].path == repo / "AGENTS.md"
    (only,) = files
    assert only.truncated and "was cut at 64 KB" in only.text
    assert len(only.text.split("\n")[0].encode()) <= MAX_BYTES


def test_project_context_off_and_summary(tmp_path):
    repo, ws, user = _tree(tmp_path)
    (ws / "AGENTS.md").write_text("x" * 400)
    on = ProjectContext.load(ws, config_dir=user)
    assert on.summary_lines()[0].startswith("context files: AGENTS.md (~100 tokens")
    assert "## AGENTS.md" in on.with_base("BASE") and on.with_base("BASE").startswith("BASE\n\n")
    off = ProjectContext.load(ws, config_dir=user, files_enabled=False)
    assert off.files == [] and "AGENTS.md" not in off.with_base("BASE")
    assert off.summary_lines()[0].startswith("context files: off")

"""The `@` file index: .gitignore respected through git, a walk elsewhere, ranking, folders."""

import subprocess

from workbench.context.fileindex import FileIndex


def _touch(root, *names):
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")


def test_git_repository_respects_gitignore_and_ranks(tmp_path):
    _touch(tmp_path, "src/app/views.py", "src/app/models.py", "docs/views.md", "build/out.js", "README.md",
           "src/deep/nested/thing_views_helper.py")
    (tmp_path / ".gitignore").write_text("build/\n")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    index = FileIndex(tmp_path).start()
    assert index.wait(10) and index.source == "git ls-files"
    paths = [m.path for m in index.query("views")]
    assert paths[:2] == ["docs/views.md", "src/app/views.py"]  # the name starts with it, shortest first
    assert "src/deep/nested/thing_views_helper.py" in paths  # the name holds it
    assert not any(p.startswith("build") for p in index.paths)
    assert [m.path for m in index.query("src/ap")][0] == "src/app/"  # folders too, ending with /
    assert [m.path for m in index.query("sav")] == ["src/app/views.py"]  # fuzzy: letters in order
    assert index.query("zzz") == []


def test_walk_outside_a_repository_skips_dependency_folders(tmp_path):
    _touch(tmp_path, "a/one.txt", "node_modules/x/index.js", ".venv/lib/site.py", "b/two.txt")
    index = FileIndex(tmp_path)
    assert index.query("one") == []  # not built yet: answers nothing, never waits
    index.build()
    assert index.source == "walk"
    assert sorted(p for p in index.paths if not p.endswith("/")) == ["a/one.txt", "b/two.txt"]

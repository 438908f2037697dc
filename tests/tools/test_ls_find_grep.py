import pytest


@pytest.fixture
def tree(ws):
    (ws / "src/pkg").mkdir(parents=True)
    (ws / "src/pkg/a.py").write_text("def alpha():\n    return 1\n")
    (ws / "src/pkg/b.txt").write_text("Alpha beta\n")
    (ws / "src/main.py").write_text("import pkg\n\nprint('ALPHA')\n")
    (ws / ".env").write_text("SECRET=1\n")
    (ws / "node_modules/dep").mkdir(parents=True)
    (ws / "node_modules/dep/index.py").write_text("alpha = 1\n")
    (ws / ".git").mkdir()
    (ws / ".git/config.py").write_text("alpha\n")
    (ws / "blob.bin").write_bytes(b"alpha\x00\x01")
    (ws / "README.md").write_text("readme\n")
    return ws


async def test_ls_sorted_with_dir_markers(tree, run):
    r = await run("ls")
    assert r.content.split("\n") == [".env", ".git/", "blob.bin", "node_modules/", "README.md", "src/"]
    sub = await run("ls", path="src")
    assert sub.content == "main.py\npkg/"


async def test_ls_limit_and_errors(tree, run):
    r = await run("ls", limit=2)
    assert r.content.startswith(".env\n.git/\n\n[Showing 2 of 6 entries.")
    (tree / "empty").mkdir()
    assert (await run("ls", path="empty")).content == "(empty directory)"
    missing = await run("ls", path="nope")
    assert missing.is_error and missing.content == "ls: not found: 'nope'."
    file = await run("ls", path="README.md")
    assert file.is_error and "is a file, not a directory" in file.content


async def test_find_by_name_skips_heavy_dirs(tree, run):
    r = await run("find", pattern="*.py")
    assert r.content.split("\n") == ["src/main.py", "src/pkg/a.py"]


async def test_find_path_patterns_and_dirs(tree, run):
    assert (await run("find", pattern="src/**/*.py")).content.split("\n") == ["src/main.py", "src/pkg/a.py"]
    assert (await run("find", pattern="pkg/*", path="src")).content.split("\n") == ["src/pkg/a.py", "src/pkg/b.txt"]
    assert (await run("find", pattern="pkg")).content == "src/pkg/"
    assert (await run("find", pattern="*.PY")).content == "No files found matching '*.PY' in .."


async def test_find_limit_and_errors(tree, run):
    r = await run("find", pattern="*", limit=3)
    assert r.details["count"] == 3 and "[Stopped at 3 results" in r.content
    bad = await run("find", pattern="*", path="README.md")
    assert bad.is_error and bad.content == "find: 'README.md' is not a directory."


async def test_grep_regex_with_line_numbers(tree, run):
    r = await run("grep", pattern=r"def \w+")
    assert r.content == "src/pkg/a.py:1: def alpha():"
    ci = await run("grep", pattern="alpha", ignoreCase=True)
    assert ci.content.split("\n") == [
        "src/main.py:3: print('ALPHA')",
        "src/pkg/a.py:1: def alpha():",
        "src/pkg/b.txt:1: Alpha beta",
    ]  # node_modules, .git and the binary file are skipped


async def test_grep_glob_path_literal_context(tree, run):
    assert (await run("grep", pattern="alpha", glob="*.txt", ignoreCase=True)).content == "src/pkg/b.txt:1: Alpha beta"
    assert (await run("grep", pattern="alpha", path="src/pkg/a.py")).content == "src/pkg/a.py:1: def alpha():"
    assert (await run("grep", pattern="print('", literal=True)).content == "src/main.py:3: print('ALPHA')"
    ctx_lines = await run("grep", pattern="print", context=1)
    assert ctx_lines.content.split("\n") == ["src/main.py-2- ", "src/main.py:3: print('ALPHA')"]


async def test_grep_context_windows_merge_and_separate(ws, run):
    (ws / "f.txt").write_text("".join(f"{'hit' if i in (3, 4, 10) else 'x'}{i}\n" for i in range(1, 13)))
    r = await run("grep", pattern="hit", context=1)
    assert r.content.split("\n") == [
        "f.txt-2- x2", "f.txt:3: hit3", "f.txt:4: hit4", "f.txt-5- x5", "--",
        "f.txt-9- x9", "f.txt:10: hit10", "f.txt-11- x11",
    ]


async def test_grep_limit_errors_and_no_match(tree, run):
    (tree / "many.txt").write_text("m\n" * 50)
    r = await run("grep", pattern="^m$", limit=5)
    assert r.details["matches"] == 5 and "[Stopped at 5 matches" in r.content
    assert len(r.content.split("\n\n")[0].split("\n")) == 5
    bad = await run("grep", pattern="(unclosed")
    assert bad.is_error and bad.content.startswith("grep: invalid regular expression '(unclosed'")
    none = await run("grep", pattern="zzz")
    assert not none.is_error and none.content == "No matches found for /zzz/ in .."
    missing = await run("grep", pattern="x", path="nope")
    assert missing.is_error and missing.content == "grep: not found: 'nope'."


async def test_grep_cuts_long_lines(ws, run):
    (ws / "l.txt").write_text("needle" + "q" * 1000 + "\n")
    r = await run("grep", pattern="needle")
    assert r.content.endswith("... [line cut: 1006 characters]")
    assert len(r.content) < 600


def git(ws, *args):
    import subprocess
    subprocess.run(["git", "-C", str(ws), *args], check=True, capture_output=True)


async def test_find_and_grep_respect_gitignore(tree, run):
    git(tree, "init", "-q")
    (tree / ".gitignore").write_text("build/\n*.log\n")
    (tree / "build").mkdir()
    (tree / "build/out.py").write_text("alpha\n")
    (tree / "src/debug.log").write_text("alpha\n")
    found = (await run("find", pattern="*")).content.split("\n")
    assert "build/" not in found and "build/out.py" not in found and "src/debug.log" not in found
    assert "src/main.py" in found and ".gitignore" in found
    assert "build" not in (await run("grep", pattern="alpha", ignoreCase=True)).content
    sub = await run("grep", pattern="alpha", path="src")  # a subdirectory of the repository
    assert "debug.log" not in sub.content and "src/pkg/a.py:1: def alpha():" in sub.content


async def test_find_accepts_dot_slash_patterns(tree, run):
    assert (await run("find", pattern="./src/*.py")).content == "src/main.py"

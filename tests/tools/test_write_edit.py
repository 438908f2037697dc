import os

from workbench.tools.builtin.edit import EditTool
from workbench.tools.builtin.write import WriteTool


async def test_write_creates_parents_and_reports_bytes(ws, run):
    r = await run("write", path="deep/er/new.txt", content="héllo\n")
    assert not r.is_error
    assert r.content == "Successfully wrote 7 bytes to deep/er/new.txt"
    assert (ws / "deep/er/new.txt").read_bytes() == "héllo\n".encode()
    assert r.details["diff"].startswith("--- /dev/null\n+++ b/deep/er/new.txt\n")
    assert "+héllo" in r.details["diff"]


async def test_write_overwrite_diff_and_keeps_mode(ws, run):
    target = ws / "a.sh"
    target.write_text("echo one\n")
    os.chmod(target, 0o755)
    r = await run("write", path="a.sh", content="echo two\n")
    assert "-echo one\n+echo two\n" in r.details["diff"]
    assert r.details["diff"].startswith("--- a/a.sh\n+++ b/a.sh\n")
    assert target.read_text() == "echo two\n"
    assert os.stat(target).st_mode & 0o777 == 0o755


async def test_write_preserves_exact_bytes(ws, run):
    await run("write", path="crlf.txt", content="a\r\nb")
    assert (ws / "crlf.txt").read_bytes() == b"a\r\nb"


async def test_write_errors(ws, run):
    (ws / "d").mkdir()
    r = await run("write", path="d", content="x")
    assert r.is_error and r.content == "write: 'd' is a directory; give a file path."
    bad = await run("write", path="x.txt")
    assert bad.is_error and bad.content == "write: missing required argument 'content'"


def test_write_preview_has_no_side_effects(ws, ctx):
    (ws / "a.txt").write_text("old\n")
    p = WriteTool().preview({"path": "a.txt", "content": "new\n"}, ctx)
    assert p.kind == "diff" and p.path == "a.txt"
    assert p.old_text == "old\n" and p.new_text == "new\n"
    assert "-old\n+new\n" in p.text
    p2 = WriteTool().preview({"path": "sub/b.txt", "content": "x"}, ctx)
    assert p2.old_text == "" and not (ws / "sub").exists()
    assert (ws / "a.txt").read_text() == "old\n"


async def test_edit_replaces_unique_match_with_diff(ws, run):
    (ws / "m.py").write_text("def f():\n    return 1\n\ndef g():\n    return 2\n")
    r = await run("edit", path="m.py", oldText="    return 2", newText="    return 3")
    assert not r.is_error and r.content == "Successfully replaced text in m.py."
    assert (ws / "m.py").read_text() == "def f():\n    return 1\n\ndef g():\n    return 3\n"
    diff = r.details["diff"]
    assert diff.startswith("--- a/m.py\n+++ b/m.py\n@@")
    assert "-    return 2\n+    return 3\n" in diff
    assert r.details["firstChangedLine"] == 5


async def test_edit_no_match_and_several_matches(ws, run):
    (ws / "m.py").write_text("x = 1\nx = 1\ny = 2\n")
    none = await run("edit", path="m.py", oldText="z = 9", newText="z = 0")
    assert none.is_error
    assert "oldText was not found in 'm.py'" in none.content and "exactly" in none.content
    many = await run("edit", path="m.py", oldText="x = 1", newText="x = 2")
    assert many.is_error
    assert "matches 2 times in 'm.py'; it must match exactly once" in many.content
    assert "surrounding lines" in many.content
    overlapping = await run("edit", path="m.py", oldText="1\nx", newText="q")
    assert not overlapping.is_error  # unique despite the repeated "x = 1"
    assert (ws / "m.py").read_text() == "x = q = 1\ny = 2\n"


async def test_edit_overlapping_occurrences_count_as_several(ws, run):
    (ws / "a.txt").write_text("aaa")
    r = await run("edit", path="a.txt", oldText="aa", newText="b")
    assert r.is_error and "matches 2 times" in r.content
    assert (ws / "a.txt").read_text() == "aaa"


async def test_edit_other_errors(ws, run):
    (ws / "a.txt").write_text("same\n")
    (ws / "bin").write_bytes(b"\x00abc")
    missing = await run("edit", path="nope.py", oldText="a", newText="b")
    assert missing.is_error and "file not found: 'nope.py'. Use write" in missing.content
    same = await run("edit", path="a.txt", oldText="same", newText="same")
    assert same.is_error and "identical" in same.content
    empty = await run("edit", path="a.txt", oldText="", newText="b")
    assert empty.is_error and "argument 'oldText' must not be empty" in empty.content
    binary = await run("edit", path="bin", oldText="abc", newText="x")
    assert binary.is_error and "binary" in binary.content
    assert (ws / "a.txt").read_text() == "same\n"


async def test_edit_matches_crlf_files_and_keeps_crlf(ws, run):
    (ws / "w.txt").write_bytes(b"one\r\ntwo\r\nthree\r\n")
    r = await run("edit", path="w.txt", oldText="one\ntwo", newText="uno\ndos")
    assert not r.is_error
    assert (ws / "w.txt").read_bytes() == b"uno\r\ndos\r\nthree\r\n"


def test_edit_preview_is_side_effect_free(ws, ctx):
    (ws / "a.txt").write_text("hello world\n")
    p = EditTool().preview({"path": "a.txt", "oldText": "world", "newText": "there"}, ctx)
    assert p.kind == "diff" and "-hello world\n+hello there\n" in p.text
    assert p.old_text == "hello world\n" and p.new_text == "hello there\n"
    assert (ws / "a.txt").read_text() == "hello world\n"
    bad = EditTool().preview({"path": "a.txt", "oldText": "nothing", "newText": "x"}, ctx)
    assert bad.kind == "text" and "would fail" in bad.text and "not found" in bad.text


async def test_edit_mixed_line_endings_need_an_exact_match(ws, run):
    (ws / "mixed.txt").write_bytes(b"one\r\ntwo\nthree\n")
    r = await run("edit", path="mixed.txt", oldText="one\ntwo", newText="x")
    assert r.is_error and "not found" in r.content
    assert (ws / "mixed.txt").read_bytes() == b"one\r\ntwo\nthree\n"


def test_previews_show_the_diff_for_outside_paths_awaiting_approval(ws, ctx, tmp_path):
    target = tmp_path / "outside.txt"
    target.write_text("before\n")
    p = EditTool().preview({"path": str(target), "oldText": "before", "newText": "after"}, ctx)
    assert p.kind == "diff" and "-before\n+after\n" in p.text and p.path == str(target)
    w = WriteTool().preview({"path": str(target), "content": "new\n"}, ctx)
    assert w.kind == "diff" and "+new" in w.text
    assert ctx.approved_paths == set() and target.read_text() == "before\n"

import os
from pathlib import Path

import pytest

from workbench.tools.paths import PathOutsideWorkspace, display_path, outside_paths, resolve_path


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret\n")
    return secret


def test_resolve_inside(ws, ctx):
    assert resolve_path("a/b.txt", ctx) == ws.resolve() / "a/b.txt"
    assert resolve_path("a/../b.txt", ctx) == ws.resolve() / "b.txt"
    assert resolve_path(str(ws / "x"), ctx) == ws.resolve() / "x"
    assert display_path(ws.resolve() / "a/b.txt", ctx) == "a/b.txt"
    assert display_path(ws.resolve(), ctx) == "."


@pytest.mark.parametrize("raw", ["../secret.txt", "a/../../secret.txt"])
def test_dotdot_escape_refused(ws, ctx, outside, raw):
    with pytest.raises(PathOutsideWorkspace) as err:
        resolve_path(raw, ctx)
    assert str(outside) in str(err.value) and "outside the workspace" in str(err.value)


async def test_tools_refuse_outside_paths(ws, run, outside):
    for name, args in [("read", {"path": str(outside)}), ("write", {"path": "../evil.txt", "content": "x"}),
                       ("edit", {"path": str(outside), "oldText": "top", "newText": "no"}),
                       ("ls", {"path": ".."}), ("grep", {"pattern": "x", "path": ".."}),
                       ("find", {"pattern": "*", "path": ".."})]:
        r = await run(name, **args)
        assert r.is_error, name
        assert "outside the workspace" in r.content and "not approved" in r.content
    assert outside.read_text() == "top secret\n"
    assert not (ws.parent / "evil.txt").exists()


async def test_symlink_escape_refused(ws, run, outside):
    os.symlink(outside, ws / "link.txt")
    os.symlink(outside.parent, ws / "linkdir")
    assert (await run("read", path="link.txt")).is_error
    assert (await run("read", path="linkdir/secret.txt")).is_error
    w = await run("write", path="link.txt", content="pwned")
    assert w.is_error and outside.read_text() == "top secret\n"


async def test_walks_skip_symlinks_leading_outside(ws, run, outside):
    (ws / "inside.txt").write_text("secret inside\n")
    os.symlink(outside, ws / "link.txt")
    os.symlink(ws / "inside.txt", ws / "ok_link.txt")
    r = await run("grep", pattern="secret")
    assert r.content.split("\n") == ["inside.txt:1: secret inside", "ok_link.txt:1: secret inside"]
    assert "link.txt" not in (await run("find", pattern="*.txt")).content.split("\n")


async def test_approved_exact_path_allowed(ws, registry, ctx, outside):
    tool = registry.get("read")
    assert outside_paths(tool, {"path": str(outside)}, ctx) == [outside.resolve()]
    ctx.approved_paths.add(outside)
    assert outside_paths(tool, {"path": str(outside)}, ctx) == []
    r = await registry.execute("read", {"path": str(outside)}, ctx)
    assert r.content == "     1\ttop secret"
    # approval is for that exact path only
    sibling = outside.parent / "other.txt"
    sibling.write_text("x")
    assert outside_paths(tool, {"path": str(sibling)}, ctx) == [sibling.resolve()]
    assert (await registry.execute("read", {"path": str(sibling)}, ctx)).is_error


def test_outside_paths_for_tools_without_paths(registry, ctx):
    assert outside_paths(registry.get("bash"), {"command": "cat /etc/passwd"}, ctx) == []
    assert outside_paths(registry.get("ls"), {}, ctx) == []
    assert outside_paths(registry.get("ls"), {"path": "/"}, ctx) == [Path("/")]

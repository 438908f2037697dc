from workbench.tools.limits import MAX_FILE_BYTES, MAX_LINE_CHARS


async def test_read_numbers_lines(ws, run):
    (ws / "a.txt").write_text("alpha\nbeta\ngamma\n")
    r = await run("read", path="a.txt")
    assert not r.is_error
    assert r.content == "     1\talpha\n     2\tbeta\n     3\tgamma"
    assert r.details["totalLines"] == 3


async def test_read_offset_limit_and_continue_note(ws, run):
    (ws / "n.txt").write_text("".join(f"line {i}\n" for i in range(1, 101)))
    r = await run("read", path="n.txt", offset=10, limit=5)
    rows = r.content.split("\n")
    assert rows[:5] == [f"{n:>6}\tline {n}" for n in range(10, 15)]
    assert r.content.endswith("[Showing lines 10-14 of 100. Use offset=15 to read more.]")
    last = await run("read", path="n.txt", offset=95)
    assert last.content.split("\n")[-1] == "   100\tline 100"
    assert "Showing" not in last.content


async def test_read_default_limit_is_2000_lines(ws, run):
    (ws / "big.txt").write_text("x\n" * 2500)
    r = await run("read", path="big.txt")
    assert r.content.count("\tx\n") == 2000
    assert "[Showing lines 1-2000 of 2500. Use offset=2001 to read more.]" in r.content


async def test_read_cuts_long_lines(ws, run):
    (ws / "long.txt").write_text("y" * (MAX_LINE_CHARS + 500) + "\nshort\n")
    r = await run("read", path="long.txt")
    first = r.content.split("\n")[0]
    assert first.endswith(f"... [line cut: {MAX_LINE_CHARS + 500} characters]")
    assert "were cut" in r.content
    assert "     2\tshort" in r.content


async def test_read_caps_output_bytes(ws, run):
    (ws / "wide.txt").write_text(("z" * 1000 + "\n") * 200)
    r = await run("read", path="wide.txt")
    assert len(r.content.encode()) < 55 * 1024
    assert "Use offset=" in r.content and r.details["truncated"]


async def test_read_errors(ws, run):
    (ws / "d").mkdir()
    (ws / "bin.dat").write_bytes(b"\x00\x01\x02binary")
    (ws / "empty.txt").write_text("")
    (ws / "three.txt").write_text("1\n2\n3\n")
    missing = await run("read", path="nope.txt")
    assert missing.is_error and missing.content == "read: file not found: 'nope.txt'. Use ls or find to locate it."
    directory = await run("read", path="d")
    assert directory.is_error and "is a directory; use ls" in directory.content
    binary = await run("read", path="bin.dat")
    assert binary.is_error and "looks like a binary file" in binary.content
    past = await run("read", path="three.txt", offset=9)
    assert past.is_error and past.content == "read: offset 9 is past the end of 'three.txt', which has 3 lines."
    empty = await run("read", path="empty.txt")
    assert not empty.is_error and empty.content == "(empty file)"


async def test_read_refuses_huge_file(ws, run):
    with open(ws / "huge.log", "wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    r = await run("read", path="huge.log")
    assert r.is_error and "over the 10.0 MB read limit" in r.content and "grep" in r.content


async def test_read_accepts_absolute_path_inside_workspace(ws, run):
    (ws / "a.txt").write_text("hi\n")
    r = await run("read", path=str(ws / "a.txt"))
    assert r.content == "     1\thi"


async def test_read_keeps_escape_sequences_verbatim_and_handles_bad_utf8(ws, run):
    (ws / "esc.txt").write_bytes(b"\x1b[31mred\x1b[0m [bold]x[/bold]\n\xff\xfe ok\n")
    r = await run("read", path="esc.txt")
    assert "\x1b[31mred" in r.content and "[bold]x[/bold]" in r.content
    assert "\ufffd\ufffd ok" in r.content

"""/export writes real Markdown: a title, sections, JSON arguments, fenced results, folded thinking."""

from datetime import datetime

from markdown_it import MarkdownIt

from tests.tui.conftest import make_app
from tests.tui.fakes import FakeBackend
from workbench.tui.backend import Stats
from workbench.tui.export import export_markdown, fence

MESSAGES = [
    {"role": "user", "content": [{"type": "text", "text": "List the files"}], "timestamp": 1_765_000_000_000},
    {"role": "assistant", "model": "claude-sonnet-4-5", "stopReason": "toolUse", "content": [
        {"type": "thinking", "thinking": "The user wants ls."},
        {"type": "text", "text": "Looking."},
        {"type": "toolCall", "id": "t1", "name": "ls", "arguments": {"path": "."}}]},
    {"role": "toolResult", "toolCallId": "t1", "toolName": "ls", "isError": False,
     "content": [{"type": "text", "text": "README.md\n```\nnot a fence end"}]},
    {"role": "toolResult", "toolCallId": "t2", "toolName": "bash", "isError": True,
     "content": [{"type": "text", "text": "exit 2"}]},
    {"role": "assistant", "content": [{"type": "text", "text": "Done."}], "stopReason": "stop"},
]


def test_export_is_structured_markdown():
    md = export_markdown(MESSAGES, session_id="0b5e1c2d-aaaa", name="tidy repo", cwd="/src/app",
                         model="anthropic/claude-sonnet-4-5", now=datetime(2025, 6, 1, 14, 3))
    lines = md.splitlines()
    assert lines[0] == "# tidy repo"
    assert lines[2].startswith("Exported 2025-06-01 14:03 · session `0b5e1c2d-aaaa` · model "
                               "`anthropic/claude-sonnet-4-5` · in `/src/app`")
    assert "## You\n\nList the files" in md
    assert "## Assistant · claude-sonnet-4-5" in md
    assert '**Tool call** `ls`\n\n```json\n{\n  "path": "."\n}\n```' in md
    assert "{'path'" not in md  # never a Python repr
    assert "**Result** of `ls`\n\n````text\nREADME.md\n```\nnot a fence end\n````" in md
    assert "**Error** of `bash`" in md
    assert "<details>\n<summary>Thinking (18 characters)</summary>" in md
    # a Markdown parser sees exactly: title, sections, and the code blocks intact
    tokens = MarkdownIt("commonmark").parse(md)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings == ["tidy repo", "You", "Assistant · claude-sonnet-4-5", "Assistant"]
    blocks = [t.info for t in tokens if t.type == "fence"]
    assert blocks == ["", "json", "text", "text"]  # thinking, arguments, two results


def test_untitled_session_uses_its_id_and_fence_outgrows_backticks():
    md = export_markdown([], session_id="0b5e1c2d-aaaa", now=datetime(2025, 6, 1))
    assert md.startswith("# Session 0b5e1c2d\n")
    assert fence("a ````` b") == "``````\na ````` b\n``````"


async def test_slash_export_writes_the_file_once(tmp_path):
    backend = FakeBackend(history=MESSAGES, stats=Stats(provider="replay", model="demo", session_id="0b5e1c2d-aaaa"))
    app = make_app(backend, cwd=tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        app.run_slash("export", "")
        await pilot.pause()
        out = tmp_path / "session-0b5e1c2d.md"
        text = out.read_text()
        assert text.startswith("# Session 0b5e1c2d\n") and "model `replay/demo`" in text
        app.run_slash("export", "")
        await pilot.pause()
        assert out.read_text() == text  # never overwritten
        assert "exists" in str(list(app._notifications)[-1].message)


async def test_slash_export_html_writes_one_page_of_the_session(tmp_path):
    from workbench.sessions.manager import SessionManager

    manager = SessionManager.create(tmp_path, sessions_dir=tmp_path / "sessions")
    manager.append_message({"role": "user", "content": [{"type": "text", "text": "hi <script>x</script>"}], "timestamp": 1})
    backend = FakeBackend(history=MESSAGES, stats=Stats(provider="replay", model="demo", session_id=manager.session_id))
    backend.manager = manager
    app = make_app(backend, cwd=tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        app.theme = "nord"
        app.run_slash("export", "html page.html")
        await pilot.pause()
        html = (tmp_path / "page.html").read_text()
        assert html.startswith("<!DOCTYPE html>") and "hi &lt;script&gt;x&lt;/script&gt;" in html
        assert "<script" not in html and "#2E3440" in html.upper()  # escaped, in the app's theme
        app.run_slash("export", "html")
        await pilot.pause()
        assert (tmp_path / f"session-{manager.session_id[:8]}.html").exists()
    manager.close()

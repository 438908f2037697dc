"""Issue 13 item 12: a write that changes nothing says so (with the file), never a raw dict;
branch summaries and the compare screen render the model's Markdown."""

from rich.console import Console

from tests.tui.conftest import make_app
from tests.tui.fakes import FakeBackend
from tests.tui.conftest import queued
from workbench.runtime import events as ev
from workbench.tools.base import ToolContext
from workbench.tools.registry import builtin_registry
from workbench.tui.screens.compare import _cell
from workbench.tui.widgets.conversation_specs import AnswerSpec, history_specs


def plain(renderable, width=80) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_a_write_of_the_same_content_previews_as_no_change(tmp_path):
    (tmp_path / "hello.py").write_text("print('hi')\n")
    tool = builtin_registry().get("write")
    preview = tool.preview({"path": "hello.py", "content": "print('hi')\n"}, ToolContext(workspace=tmp_path))
    assert preview.kind == "text" and "no change" in preview.text and "hello.py" in preview.text
    edit = builtin_registry().get("edit")
    same = edit.preview({"path": "hello.py", "oldText": "hi", "newText": "hi"}, ToolContext(workspace=tmp_path))
    assert same.kind == "text" and ("no change" in same.text or "would fail" in same.text)


async def test_the_approval_of_a_no_change_write_shows_no_change_and_the_file_not_a_dict(tmp_path):
    from workbench.tui.screens.dialogs import TextScreen

    backend = FakeBackend()
    app = make_app(backend)
    async with app.run_test(size=(160, 48)) as pilot:
        await backend.publish(ev.ToolApprovalRequested(
            request_id="r1", id="c1", name="write", args={"path": "hello.py", "content": "a\nb\n"},
            preview={"kind": "text", "text": "no change: hello.py already has exactly this content",
                     "path": "hello.py"}))
        await queued(app, pilot, 1)
        from workbench.tui.widgets.approvals import describe

        shown = plain(describe(app.approvals.current))
        assert "no change: hello.py" in shown and "{'path'" not in shown
        app.approvals.focus()
        await pilot.press("z")
        await pilot.pause()
        assert isinstance(app.screen, TextScreen)
        full = plain(app.screen.text)
        assert "no change: hello.py" in full and "path: hello.py" in full
        assert "{'path'" not in full and "\\n" not in full  # no raw dict with escapes


def test_a_branch_summary_is_rendered_as_markdown_in_the_conversation():
    specs = history_specs([{"role": "branchSummary", "summary": "## Tried\n- **fast** path\n- slow path",
                            "fromId": "x", "timestamp": 1}])
    answers = [s for s in specs if isinstance(s, AnswerSpec)]
    assert answers and "**fast**" in answers[0].markdown  # shown by the answer renderer (Markdown)


def test_the_compare_screen_renders_markdown_cells():
    cell = plain(_cell(("a1b2c3d4", "assistant", "## Plan\n- **first** step\n- `code`"), "changed"))
    assert "first step" in cell and "**" not in cell and "##" not in cell
    user = plain(_cell(("a1b2c3d4", "user", "**as typed**"), "changed"))
    assert "**as typed**" in user  # what a person typed stays as typed

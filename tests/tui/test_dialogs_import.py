"""The lazy dialogs import gives the dialogs module in a fresh interpreter, whichever was imported
first: the app or the dialogs module itself (a split once made `dialogs()` return itself, and a
function named like the submodule was replaced by it once the submodule was imported)."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize("first", ["workbench.tui.app", "workbench.tui.screens.dialogs"])
def test_the_dialogs_the_app_opens_are_found_in_a_fresh_process(first):
    code = (f"import {first}\n"
            "import workbench.tui.app, workbench.tui.app_approvals, workbench.tui.slash_commands\n"
            "from workbench.tui.screens import dialogs_module\n"
            "for m in (workbench.tui.app, workbench.tui.app_approvals, workbench.tui.slash_commands):\n"
            "    assert m.dialogs_module is dialogs_module\n"
            "print(dialogs_module().ProblemsScreen.__name__, dialogs_module().TextScreen.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["ProblemsScreen", "TextScreen"]

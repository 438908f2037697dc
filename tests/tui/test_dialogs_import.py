"""The lazy dialogs import gives the dialogs module in a fresh interpreter (a split once made
`dialogs()` return itself, so every dialog — the start-up problems, "always", feedback — failed
unless something else had imported the module first)."""

import subprocess
import sys


def test_dialogs_returns_the_module_in_a_fresh_process():
    code = ("from workbench.tui.screens import dialogs\n"
            "import workbench.tui.app\n"
            "print(dialogs().ProblemsScreen.__name__, dialogs().TextScreen.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["ProblemsScreen", "TextScreen"]

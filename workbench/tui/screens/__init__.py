"""The screens pushed over the main one (dialogs, help, resume picker, grants, trust...)."""

from typing import Any


def dialogs() -> Any:
    """The dialogs module, imported when the first dialog opens (not on the first frame)."""
    from workbench.tui.screens import dialogs as module

    return module

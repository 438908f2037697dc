"""The screens pushed over the main one (dialogs, help, resume picker, grants, trust...)."""

from importlib import import_module
from typing import Any


def dialogs() -> Any:
    """The dialogs module, imported when the first dialog opens (not on the first frame).

    import_module, not `from workbench.tui.screens import dialogs`: that finds this function (a
    name of the package) and never imports the submodule."""
    return import_module("workbench.tui.screens.dialogs")

"""The screens pushed over the main one (dialogs, help, resume picker, grants, trust...)."""

from importlib import import_module
from typing import Any


def dialogs_module() -> Any:
    """The dialogs module, imported when the first dialog opens (not on the first frame).

    Not named `dialogs`: importing the submodule sets the package's `dialogs` attribute to it, so
    a function of that name would be replaced for every later `from ... import dialogs`."""
    return import_module("workbench.tui.screens.dialogs")

"""workbench.tui: the Textual application (the only layer that imports textual)."""

from workbench.tui import textual_fixes

textual_fixes.apply()

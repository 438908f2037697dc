"""workbench.tui: the Textual application (the only layer that imports textual)."""

from workbench.tui import textual_fixes, textual_scroll_fix

textual_fixes.apply()
textual_scroll_fix.apply()

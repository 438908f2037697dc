"""workbench.tui: the Textual application (the only layer that imports textual)."""

from workbench.tui import textual_fixes, textual_paint_fix, textual_scroll_fix

textual_fixes.apply()
textual_scroll_fix.apply()
textual_paint_fix.apply()
